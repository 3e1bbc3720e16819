import type { CommandResult } from './common/activities-api';

/** Health checks for Emergency Response's monitoring window (src/activities/patterns2.ts). */
export interface MonitorInput {
  command: string;
  cwd?: string;
  /** Run the check this often... */
  everyMs: number;
  /** ...for this long; the first failing check ends the window. */
  windowMs: number;
  /** Per check. */
  timeoutMs: number;
}

export interface MonitorResult {
  healthy: boolean;
  checks: number;
  durationMs: number;
  /** The failing check's result, when one failed. */
  failure?: CommandResult;
}

/**
 * Activities of the second patterns issue, declared next to the workflows so workflow code imports no
 * activity module: the names of a project's agents (who may claim an emergency), a member's trust (the
 * onboarding workflow waits for it), and a monitoring window polled with heartbeats.
 */
export interface Patterns2Activities {
  listAgentNames(input: { project: string }): Promise<string[]>;
  memberTrust(input: { project: string; name: string }): Promise<{ name: string; trusted: boolean; successfulTasks: number; trustAfterTasks: number } | null>;
  monitorHealth(input: MonitorInput): Promise<MonitorResult>;
}
