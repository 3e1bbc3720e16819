/**
 * Onboarding's own activity (./activities.ts), declared next to its workflow so workflow code imports
 * no activity module: where a member's trust stands (the workflow waits for it, polling the directory).
 */
export interface MemberTrust {
  name: string;
  trusted: boolean;
  successfulTasks: number;
  trustAfterTasks: number;
}

export interface OnboardingActivities {
  memberTrust(input: { project: string; name: string }): Promise<MemberTrust | null>;
}
