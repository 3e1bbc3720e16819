import type { CommandResult } from '../kit/activities-api';

/** Health checks for Emergency Response's monitoring window (implemented in ./activities.ts). */
export interface MonitorInput {
  command: string;
  /** Where and with what the check runs (see CommandInput). */
  workdir?: string;
  cwd?: string;
  env?: Record<string, string>;
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
 * Emergency Response's own activities (./activities.ts), declared next to its workflow so workflow code
 * imports no activity module: who may claim (the project's agents) and the monitoring window (a health
 * check polled with heartbeats).
 */
export interface EmergencyActivities {
  listAgentNames(input: { project: string }): Promise<string[]>;
  monitorHealth(input: MonitorInput): Promise<MonitorResult>;
}
