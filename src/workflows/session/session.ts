import * as wf from '@temporalio/workflow';
import type { SessionEnded, SessionRecord } from '../../schemas/console';
import { revokeSessionUpdate, sessionQuery } from './api';

/**
 * One console sign-in: it runs until its expiry or until the human signs out, and that is all it does.
 * Its cookie is signed with the servers' shared secret, so any server verifies it without memory; a
 * server also checks that this workflow still runs, so a sign-out (or an expiry) ends the session on
 * every server, durably, without a store of revoked sessions beside Temporal.
 */
export async function consoleSessionWorkflow(input: SessionRecord): Promise<SessionEnded> {
  let ended: SessionEnded | undefined;
  wf.setHandler(sessionQuery, () => input);
  wf.setHandler(revokeSessionUpdate, ({ by }) => {
    ended ??= { sid: input.sid, how: 'signed-out', at: new Date(Date.now()).toISOString(), by };
    return ended;
  });
  const left = Date.parse(input.expiresAt) - Date.now();
  if (left > 0) await wf.condition(() => ended !== undefined, left);
  return ended ?? { sid: input.sid, how: 'expired', at: new Date(Date.now()).toISOString() };
}
