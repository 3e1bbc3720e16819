import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IntroduceInput, OnboardingView } from './messages';

/** Onboarding's own messages besides the shared pattern API: a human's introduction, and the onboarding view. */
export const introduceUpdate = defineUpdate<{ workflowId: string; accepted: true; message: string }, [IntroduceInput]>('introduce');
export const onboardingQuery = defineQuery<OnboardingView>('onboarding');
