import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProjectDescription, ProjectEnded, ProjectSettings, ShutdownInput, UpdateSettingsInput } from '../../schemas/project';

/**
 * The project workflow's core message API. Reservations, the agent directory, messages and alerts
 * declare theirs in their own modules (*-api.ts); all of them are handled by one workflow execution per
 * project, which is what makes it the single authority.
 */
/** A no-op round trip: used by health checks and as the benchmark's baseline. */
export const pingUpdate = defineUpdate<{ pong: true; at: number }, [{ note?: string }?]>('ping');
export const describeQuery = defineQuery<ProjectDescription>('describe');
/** Human-only: a human changes the project's settings. */
export const updateSettingsUpdate = defineUpdate<ProjectSettings, [UpdateSettingsInput]>('updateSettings');
/**
 * Human-only: ends the project workflow after in-flight handlers finish. It returns who ended it and
 * why (ProjectEnded); the Baton server quotes that to later callers instead of starting a new project.
 */
export const shutdownUpdate = defineUpdate<ProjectEnded, [ShutdownInput]>('shutdown');
