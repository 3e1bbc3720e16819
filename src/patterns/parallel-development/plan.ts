import { z } from 'zod';
import { checkDisjointFiles, checkDistinctAgents } from '../../domain/patterns/plan';
import { MemberName } from '../../schemas/actor';
import { CommandSpec, Duration, Files, PlanBase, Text, workdirForCommands } from '../../schemas/patterns';

/** Parallel Development: several agents build independent parts at once, on disjoint files. */
export const ParallelWorker = z.object({
  agent: MemberName,
  task: Text('say what this agent builds'),
  files: Files.min(1, 'must name the files this agent owns'),
});
export type ParallelWorker = z.infer<typeof ParallelWorker>;

export const IntegrationStep = z.union([
  CommandSpec.strict(),
  z.object({ agent: MemberName, task: Text('say what the integration tester does'), files: Files.default([]) }).strict(),
]);
export type IntegrationStep = z.infer<typeof IntegrationStep>;

/**
 * The plan as runs started before the kit read it (src/patterns/compat/): without the rule that a
 * plan with commands names its workdir, which came with the kit.
 */
export const ParallelDevelopmentPlanFields = z.object({
  ...PlanBase,
  workers: z.array(ParallelWorker).min(2, 'parallel development needs at least two agents').max(20, 'at most 20 agents'),
  /** Agents check in (a progress report) at least this often. */
  checkpointEvery: Duration.prefault('2h'),
  /** After the nudge at a missed checkpoint, the humans are told this much later. */
  checkpointGrace: Duration.prefault('15m'),
  integration: IntegrationStep,
});
export const ParallelDevelopmentPlan = ParallelDevelopmentPlanFields.superRefine(workdirForCommands((p) => ('command' in p.integration ? [p.integration.command] : [])));
export type ParallelDevelopmentPlan = z.infer<typeof ParallelDevelopmentPlan>;
export type ParallelDevelopmentPlanInput = z.input<typeof ParallelDevelopmentPlan>;

/** Each agent gets one share, and no two shares touch the same file (checked before anything starts). */
export function checkParallelPlan(plan: ParallelDevelopmentPlan): void {
  checkDistinctAgents(plan.workers.map((w) => w.agent), 'workers');
  checkDisjointFiles(plan.workers);
}

export const integrationAgent = (plan: ParallelDevelopmentPlan): string | undefined => ('agent' in plan.integration ? plan.integration.agent : undefined);
