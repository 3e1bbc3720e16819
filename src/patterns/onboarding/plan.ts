import { z } from 'zod';
import { BatonError } from '../../domain/errors';
import { checkJudge, type MemberLookup } from '../../domain/patterns/plan';
import { MemberName } from '../../schemas/actor';
import { Deadlines, Duration, Files, PlanBase, Text } from '../../schemas/patterns';

/**
 * Onboarding a new agent: a human introduces it, a lead assigns a starter task and reviews it (Code
 * Review as a child workflow), and the agent is trusted once the directory counts enough successful
 * tasks (ProjectSettings.trustAfterTasks) from any pattern: trust is earned, never declared.
 */
export const OnboardingPlan = z.object({
  ...PlanBase,
  /** The new agent (registered first with `baton register`). */
  agent: MemberName,
  /** Assigns and reviews the starter task: a trusted agent or a human. */
  lead: MemberName,
  starterTask: z.object({
    task: Text('say what the starter task is (something small and real)'),
    files: Files.min(1, 'must name the files of the starter task'),
  }),
  maxRevisions: z.number().int().min(0).max(10).default(2),
  /** How often the workflow asks the directory whether the agent is trusted yet. */
  trustPollEvery: Duration.prefault('10m'),
  /** Team integration (the seed: 1-3 days): the lead is reminded, then the humans are told. */
  integrationDeadlines: Deadlines.prefault({ reminderAfter: '1d', escalateAfter: '3d' }),
});
export type OnboardingPlan = z.infer<typeof OnboardingPlan>;
export type OnboardingPlanInput = z.input<typeof OnboardingPlan>;

/** The new agent is an agent and not its own lead; the lead reviews the starter task. */
export function checkOnboardingMembers(plan: OnboardingPlan, who: MemberLookup): void {
  const agent = who(plan.agent);
  if (agent?.kind === 'human') throw new BatonError('INVALID_INPUT', `agent: ${agent.name} is a human; onboarding is for agents.`);
  if (plan.agent.toLowerCase() === plan.lead.toLowerCase()) throw new BatonError('INVALID_INPUT', 'lead: a new agent cannot lead its own onboarding; name a trusted agent or a human.');
  checkJudge('lead', plan.lead, who, 'the lead (who reviews the starter task)');
}
