import { z } from 'zod';
import { MemberName } from '../../schemas/actor';
import { Text } from '../../schemas/patterns';

/** Onboarding's own messages: a human's introduction, and where the onboarding stands. */
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
