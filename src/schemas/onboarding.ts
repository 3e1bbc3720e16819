import { z } from 'zod';
import { MemberName } from './actor';
import { Deadlines, Duration, Files, PlanBase, Text } from './patterns';

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

export const IntroduceInput = z.object({
  by: MemberName,
  text: Text('write the introduction the team will read', 2000),
});
export type IntroduceInput = z.input<typeof IntroduceInput>;

export type OnboardingPhase = 'registration' | 'introduction' | 'starter-task' | 'team-integration' | 'trusted';

export interface OnboardingView {
  workflowId: string;
  agent: string;
  lead: string;
  phase: OnboardingPhase;
  introducedBy: string | null;
  starterReview: string | null;
  successfulTasks: number;
  trustAfterTasks: number | null;
  trustedAt: string | null;
}
