import type { TransferRequest, TransferResult } from '../../schemas/transfer';
import type { MemberCredential } from '../../workflows/project/directory-api';

/**
 * What the kit asks Baton's worker to do (src/activities/patterns.ts), declared next to the workflows
 * so workflow code imports no activity module.
 */
export interface KitActivities {
  /** The run's one write to its project (src/workflows/project/transfer.ts). */
  transfer(input: TransferRequest & { project: string }): Promise<TransferResult>;
  /** Kind, trust and status of these members and of every human (a query: nothing is written). */
  fetchCredentials(input: { project: string; names: string[] }): Promise<MemberCredential[]>;
  runCommand(input: CommandInput): Promise<CommandResult>;
}

/**
 * A plan's shell command, as the worker runs it: in the project's checkout the plan names (refused
 * when it names none or it is not a directory), with an environment built from an allow-list and the
 * plan's own variables (never the worker's Temporal or Baton settings), a time limit, and its output
 * cut to its last few KB.
 */
export interface CommandInput {
  command: string;
  /** The project's checkout (the plan's `workdir`). */
  workdir?: string;
  /** A directory inside the checkout to run in (a command's `cwd`, relative to `workdir`). */
  cwd?: string;
  /** The plan's variables, on top of the allow-listed ones. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** For logs and heartbeats: "merge", "integration tests". */
  label: string;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last few KB of stdout and stderr. */
  output: string;
}
