// Every workflow the Baton worker runs. The worker bundles this file; each coordination pattern's
// workflow lives in its own folder (src/patterns/<name>/workflow.ts).
export { projectWorkflow } from './project/project';
export { mailboxWorkflow } from './mailbox/mailbox';
export { sequentialHandoffWorkflow } from '../patterns/sequential-handoff/workflow';
export { codeReviewWorkflow } from '../patterns/code-review/workflow';
export { parallelDevelopmentWorkflow } from '../patterns/parallel-development/workflow';
export { emergencyResponseWorkflow } from '../patterns/emergency-response/workflow';
export { onboardingWorkflow } from '../patterns/onboarding/workflow';
export { fullStackFeatureWorkflow } from '../patterns/full-stack-feature/workflow';
export { consoleSessionWorkflow } from './session/session';
