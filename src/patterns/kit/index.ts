/**
 * Shared infrastructure of the coordination patterns: the message API (api.ts), the
 * run state and handlers (run.ts), "assign a step and wait for its report" (step.ts), human decisions
 * (decision.ts) and the runner that ends every pattern cleanly (runner.ts).
 */
export * from './api';
export * from './activities-api';
export { PatternRun, PatternAborted, acts, commandActs, iso, describeDeadlines, type Assignment, type Decision, type Report, type ReportKind, type RunPlan } from './run';
export { reserveFiles, sendTask, awaitReport, workUntilDone, runStep, type StepSpec, type DoneReport, type FailurePolicy } from './step';
export { awaitHumanDecision } from './decision';
export { runPattern } from './runner';
