import { z } from 'zod';
import { BatonError } from '../../domain/errors';
import { checkDisjointFiles, checkJudge, checkReviewer, type MemberLookup } from '../../domain/patterns/plan';
import { MemberName } from '../../schemas/actor';
import { CommandSpec, Duration, Files, PlanBase, Text, workdirForCommands } from '../../schemas/patterns';

/**
 * Full-Stack Feature (e.g. user authentication): Database first, then Backend and Frontend in parallel
 * (Parallel Development as a child workflow; Frontend integrates Backend's API contract), E2E tests on
 * shared leases of every file of the feature, and Code Review (a child workflow) to close it.
 */
const Layer = z.object({
  agent: MemberName,
  task: Text('say what this layer builds'),
  files: Files.min(1, 'must name the files this layer owns'),
});
export type Layer = z.infer<typeof Layer>;

/**
 * The plan as runs started before the kit read it (src/patterns/compat/): without the rule that a
 * plan with commands names its workdir, which came with the kit.
 */
export const FullStackPlanFields = z
  .object({
    ...PlanBase,
    database: Layer,
    backend: Layer,
    frontend: Layer,
    test: z.object({
      agent: MemberName,
      task: Text('say what the E2E tests cover').default('Run the E2E tests of the feature and report the results'),
      /** Test files besides the feature's files (all of them are leased shared). */
      files: Files.default([]),
    }),
    /** Closes the feature: a trusted agent or a human, not the review's author. */
    reviewer: MemberName,
    /** Who opens the review; default: the Backend agent. */
    reviewAuthor: MemberName.optional(),
    maxRevisions: z.number().int().min(0).max(10).default(2),
    checkpointEvery: Duration.prefault('2h'),
    checkpointGrace: Duration.prefault('15m'),
    merge: CommandSpec.optional(),
    /** Complex work is for trusted agents (trust is earned through successful tasks, e.g. Onboarding). */
    requireTrusted: z.boolean().default(true),
  })
  .refine((p) => p.backend.agent.toLowerCase() !== p.frontend.agent.toLowerCase(), { message: 'backend and frontend work in parallel: give them two different agents', path: ['frontend', 'agent'] });
export const FullStackPlan = FullStackPlanFields.superRefine(workdirForCommands((p) => (p.merge ? [p.merge.command] : [])));
export type FullStackPlan = z.infer<typeof FullStackPlan>;
export type FullStackPlanInput = z.input<typeof FullStackPlan>;

/** Every file of the feature, in layer order, without duplicates. */
export const featureFiles = (p: Pick<FullStackPlan, 'database' | 'backend' | 'frontend'>): string[] => [...new Set([...p.database.files, ...p.backend.files, ...p.frontend.files])];

/** Who opens the closing review: the plan's reviewAuthor, or the Backend agent. */
export const reviewAuthorOf = (plan: FullStackPlan): string => plan.reviewAuthor ?? plan.backend.agent;

/** Every agent of the feature (the reviewer aside), each once. */
export const featureAgents = (plan: FullStackPlan): string[] => [...new Set([plan.database.agent, plan.backend.agent, plan.frontend.agent, plan.test.agent, reviewAuthorOf(plan)])];

/** Backend and Frontend work on disjoint files; the review's author is not its reviewer. */
export function checkFullStackPlan(plan: FullStackPlan): void {
  checkDisjointFiles([plan.backend, plan.frontend]);
  checkReviewer(reviewAuthorOf(plan), plan.reviewer);
}

/**
 * Complex work is for trusted agents unless the plan allows new ones (`--allow-new-agents`, plan field
 * requireTrusted: false); the reviewer is a trusted agent or a human.
 */
export function checkFullStackMembers(plan: FullStackPlan, who: MemberLookup): void {
  checkJudge('reviewer', plan.reviewer, who, 'a reviewer');
  if (!plan.requireTrusted) return;
  const untrusted = featureAgents(plan).filter((a) => who(a)?.kind === 'agent' && !who(a)!.trusted);
  if (untrusted.length) {
    throw new BatonError(
      'INVALID_INPUT',
      `Complex work is for trusted agents: ${untrusted.join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} new (trust comes from successful tasks, e.g. through Onboarding). To start anyway, pass --allow-new-agents (plan field requireTrusted: false).`,
    );
  }
}
