/**
 * The pattern runs that started before the kit (patch PATTERN_KIT) go on here until they end, and their
 * histories replay here: the code as it was, kept unchanged (its commands must not change). Delete this
 * folder once no such run remains and deprecate the patch. Shared infrastructure: the message API (../kit/api.ts), the
 * run state and handlers (run.ts), "assign a step and wait for its report" (step.ts), human decisions
 * (decision.ts) and the runner that ends every pattern cleanly (runner.ts).
 */
export * from '../kit/api';
export * from './activities-api';
export { PatternRun, PatternAborted, acts, commandActs, iso, describeDeadlines, type Assignment, type Decision, type Report, type ReportKind, type RunPlan } from './run';
export { reserveFiles, sendTask, awaitReport, workUntilDone, runStep, type StepSpec, type DoneReport, type FailurePolicy } from './step';
export { awaitHumanDecision } from './decision';
export { runPattern } from './runner';
