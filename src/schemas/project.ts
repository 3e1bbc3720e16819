import { z } from 'zod';
import { ProjectKey } from '../domain/ids';

export const ProjectSettings = z.object({
  /**
   * Humans named in the project's settings (before or besides registration): they may approve, reject
   * and force-release.
   */
  humans: z.array(z.string().min(1)).default([]),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;

export const ProjectWorkflowInput = z.object({
  project: ProjectKey,
  settings: ProjectSettings.default({ humans: [] }),
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
