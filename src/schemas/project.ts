import { z } from 'zod';
import { ProjectKey } from '../domain/ids';
import { AlertSettings } from './alerts';

export const ProjectSettings = z.object({
  /**
   * Humans named in the project's settings (before or besides registration): they may approve, reject
   * and force-release.
   */
  humans: z.array(z.string().min(1)).default([]),
  /** Successful tasks (accepted handoffs, approved reviews) after which an agent is trusted. */
  trustAfterTasks: z.number().int().min(1).max(100).default(2),
  /** An agent with no activity for this long shows as idle (and may be retired). */
  idleAfterSeconds: z.number().int().min(60).default(3600),
  /**
   * Continue-as-new once history reaches this many events, besides when Temporal suggests it: keeps
   * replay fast and stays clear of the server's cap on updates per run (2,000 by default).
   */
  maxHistoryEvents: z.number().int().min(50).max(40_000).default(3000),
  /** Thresholds of the anti-pattern alerts (silent work, hoarding, unclear handoffs). */
  alerts: AlertSettings.prefault({}),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;
export type ProjectSettingsInput = z.input<typeof ProjectSettings>;

export const ProjectWorkflowInput = z.object({
  project: ProjectKey,
  settings: ProjectSettings.prefault({}),
  /** State carried across continue-as-new; absent on the first run. Each module owns its part. */
  carried: z.record(z.string(), z.unknown()).optional(),
  /** How many runs came before (continue-as-new generations), for the UI and tests. */
  generation: z.number().int().min(0).default(0),
});
export type ProjectWorkflowInput = z.input<typeof ProjectWorkflowInput>;

export interface ProjectDescription {
  project: string;
  generation: number;
  startedAt: string;
  historyLength: number;
  settings: ProjectSettings;
  modules: Record<string, unknown>;
}
