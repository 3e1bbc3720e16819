import { z } from 'zod';
import { MemberName } from '../../schemas/actor';
import { Deadlines, Files, OnFail, PlanBase, Text } from '../../schemas/patterns';

/** Sequential Handoff: agents pass work down a pipeline (DB -> API -> Frontend -> Tests), in order. */
export const HandoffStepPlan = z.object({
  name: Text('name the step (e.g. "database")', 64),
  agent: MemberName,
  task: Text('say what the agent should do'),
  files: Files.min(1, 'must name at least one file or glob the step edits'),
  exclusive: z.boolean().default(true),
  deadlines: Deadlines.optional(),
  /** A failed step goes back to its agent (up to maxAttempts) or straight to a human. */
  onFail: OnFail.default('human'),
  maxAttempts: z.number().int().min(1).max(10).default(3),
});
export type HandoffStepPlan = z.infer<typeof HandoffStepPlan>;

export const SequentialHandoffPlan = z
  .object({ ...PlanBase, steps: z.array(HandoffStepPlan).min(1, 'must have at least one step').max(20, 'at most 20 steps') })
  .refine((p) => new Set(p.steps.map((s) => s.name.toLowerCase())).size === p.steps.length, { message: 'step names must be distinct', path: ['steps'] });
export type SequentialHandoffPlan = z.infer<typeof SequentialHandoffPlan>;
export type SequentialHandoffPlanInput = z.input<typeof SequentialHandoffPlan>;

/** Members the plan names, in step order. */
export const handoffMembers = (plan: SequentialHandoffPlan): string[] => plan.steps.map((s) => s.agent);
