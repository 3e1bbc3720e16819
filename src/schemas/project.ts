import { z } from 'zod';
import { ProjectKey } from '../domain/ids';
import { MemberActor, MemberName } from './actor';
import { AlertSettings } from './alerts';
import { TokenHash } from './agents';

export const ProjectSettings = z.object({
  /** Successful tasks (steps accepted by someone else, approved reviews) after which an agent is trusted. */
  trustAfterTasks: z.number().int().min(1).max(100).default(2),
  /** An agent with no activity for this long shows as idle (and may be retired). */
  idleAfterSeconds: z.number().int().min(60).default(3600),
  /**
   * Continue-as-new once history reaches this many events, besides when Temporal suggests it: keeps
   * replay fast and stays clear of the server's cap on updates per run (2,000 by default).
   */
  maxHistoryEvents: z.number().int().min(50).max(40_000).default(3000),
  /**
   * How long before a lease expires its holder is told (a message from Baton and the hooks' attention),
   * in seconds; 10% of the lease's TTL when that is shorter (a 5-minute lease is announced 30 s ahead).
   * 0: told only at expiry. The holder is told at expiry too, in both cases.
   */
  leaseWarningSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(600),
  /** Thresholds of the anti-pattern alerts (silent work, hoarding, unclear handoffs). */
  alerts: AlertSettings.prefault({}),
  /**
   * Who may start a pattern whose plan gives Baton's worker shell commands to run (merge, integration
   * tests, staging, deploy): only `humans` (the default: a command runs on the worker's machine), or any
   * of the project's `members`.
   */
  planCommandsBy: z.enum(['humans', 'members']).default('humans'),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;
export type ProjectSettingsInput = z.input<typeof ProjectSettings>;

/** A human changes some settings; the rest stay (`baton settings set`). */
export const SettingsPatch = z
  .object({
    trustAfterTasks: ProjectSettings.shape.trustAfterTasks.optional(),
    idleAfterSeconds: ProjectSettings.shape.idleAfterSeconds.optional(),
    leaseWarningSeconds: ProjectSettings.shape.leaseWarningSeconds.optional(),
    alerts: AlertSettings.partial().optional(),
    planCommandsBy: ProjectSettings.shape.planCommandsBy.optional(),
  })
  .strict();
export type SettingsPatch = z.input<typeof SettingsPatch>;
export const UpdateSettingsInput = z.object({ actor: MemberActor, patch: SettingsPatch });
export type UpdateSettingsInput = z.input<typeof UpdateSettingsInput>;

/** The project's first human, named by whoever creates it (`baton init --human NAME`). */
export const Founder = z.object({ name: MemberName, tokenHash: TokenHash });
export type Founder = z.infer<typeof Founder>;

export const ProjectWorkflowInput = z.object({
  project: ProjectKey,
  settings: ProjectSettings.prefault({}),
  /** State carried across continue-as-new; absent on the first run. Each module owns its part. */
  carried: z.record(z.string(), z.unknown()).optional(),
  /** How many runs came before (continue-as-new generations), for the UI and tests. */
  generation: z.number().int().min(0).default(0),
  /** The first run's human (absent after continue-as-new: the directory carries the members). */
  founder: Founder.optional(),
  /** When this project replaces an ended one of the same key: who asked (a human of the old one). */
  replaces: z.object({ by: z.string(), endedRunId: z.string() }).optional(),
});
export type ProjectWorkflowInput = z.input<typeof ProjectWorkflowInput>;

/** Human-only, confirmed by the CLI: ends the project workflow (after in-flight handlers finish). */
export const ShutdownInput = z.object({ actor: MemberActor, reason: z.string().trim().min(1, 'must not be empty; say why the project ends').max(500, 'must be at most 500 characters') });
export type ShutdownInput = z.input<typeof ShutdownInput>;

/** What an ended project workflow returns: the Baton server quotes it to anyone who calls afterwards. */
export interface ProjectEnded {
  project: string;
  endedBy: string;
  reason: string;
  endedAt: string;
}

/**
 * What the project workflow carries across continue-as-new (one payload, at most `limit` bytes), per
 * section against its budget (src/workflows/project/carried/budget.ts).
 */
export interface CarriedReport {
  sections: Record<string, { bytes: number; budget: number }>;
  /** Bytes of all sections (the input's envelope and settings come on top). */
  bytes: number;
  budget: number;
  limit: number;
  /** E.g. "carried state 1.31 MiB of 2.00 MiB (budget 1.80 MiB)". */
  summary: string;
}

export interface ProjectDescription {
  project: string;
  generation: number;
  startedAt: string;
  historyLength: number;
  settings: ProjectSettings;
  modules: Record<string, unknown>;
  /** Absent from workers older than the carried-state budget. */
  carried?: CarriedReport;
}
