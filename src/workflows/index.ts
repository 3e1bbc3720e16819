// Every workflow the Baton worker runs. The worker bundles this file.
export { projectWorkflow } from './project/project';
export { mailboxWorkflow } from './mailbox/mailbox';
