import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SessionEnded, SessionRecord } from '../../schemas/console';

/** Sign-out: ends the session for every Baton server at once (they check that it still runs). */
export const revokeSessionUpdate = defineUpdate<SessionEnded, [{ by: string }]>('revoke');
export const sessionQuery = defineQuery<SessionRecord>('session');
