// Every workflow the Baton worker runs. The worker bundles this file.
export { projectWorkflow } from './project/project';
export { mailboxWorkflow } from './mailbox/mailbox';
export { sequentialHandoffWorkflow } from './patterns/sequential-handoff';
export { codeReviewWorkflow } from './patterns/code-review';
export { parallelDevelopmentWorkflow } from './patterns/parallel-development';
export { emergencyResponseWorkflow } from './patterns/emergency-response';
export { onboardingWorkflow } from './patterns/onboarding';
export { fullStackFeatureWorkflow } from './patterns/full-stack-feature';
export { consoleSessionWorkflow } from './session/session';
