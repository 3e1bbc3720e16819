import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProjectDescription } from '../../schemas/project';

/**
 * The project workflow's core message API. Reservations and the agent directory declare theirs in
 * their own modules (reservations-api.ts, directory-api.ts); all of them are handled by one workflow
 * execution per project, which is what makes it the single authority.
 */
/** A no-op round trip: used by health checks and as the benchmark's baseline. */
export const pingUpdate = defineUpdate<{ pong: true; at: number }, [{ note?: string }?]>('ping');
export const describeQuery = defineQuery<ProjectDescription>('describe');
/** Ends the project workflow (after in-flight handlers finish). Its state is gone afterwards. */
export const shutdownSignal = defineSignal<[{ by: string; reason: string }]>('shutdown');
