import { z } from 'zod';
import { checkJudge, checkReviewer, type MemberLookup } from '../../domain/patterns/plan';
import { MemberName } from '../../schemas/actor';
import { CommandSpec, Files, PlanBase, Text, workdirForCommands } from '../../schemas/patterns';

/** Code Review: one agent writes, another (a trusted agent or a human, never the author) reviews. */
/**
 * The plan as runs started before the kit read it (src/patterns/compat/): without the rule that a
 * plan with commands names its workdir, which came with the kit.
 */
export const CodeReviewPlanFields = z.object({
  ...PlanBase,
  author: MemberName,
  /** A trusted agent or a human; never the author. */
  reviewer: MemberName,
  task: Text('say what the author implements'),
  files: Files.min(1, 'must name at least one file or glob under review'),
  maxRevisions: z.number().int().min(0).max(10).default(3),
  /** Runs after approval; without it the author merges and confirms with `baton done`. */
  merge: CommandSpec.optional(),
});
export const CodeReviewPlan = CodeReviewPlanFields.superRefine(workdirForCommands((p) => (p.merge ? [p.merge.command] : [])));
export type CodeReviewPlan = z.infer<typeof CodeReviewPlan>;
export type CodeReviewPlanInput = z.input<typeof CodeReviewPlan>;

/** The author never reviews their own work (checked before anything starts, and again by the workflow). */
export function checkCodeReviewPlan(plan: CodeReviewPlan): void {
  checkReviewer(plan.author, plan.reviewer);
}

/** The reviewer judges the author's work: a trusted agent or a human. */
export function checkCodeReviewMembers(plan: CodeReviewPlan, who: MemberLookup): void {
  checkJudge('reviewer', plan.reviewer, who, 'a reviewer');
}
