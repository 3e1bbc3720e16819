/**
 * What a conflict report advises, in the same words in the CLI and the git guard: ask the holders who
 * answer; for idle or retired ones (who will not), a human can force-release.
 */
import type { Conflict } from '../../schemas/reservations';

/** " (retired)" or " (idle)" after a holder who will not answer a message. */
export const holderNote = (c: Pick<Conflict, 'holderState'>) => (c.holderState ? ` (${c.holderState})` : '');

/**
 * What to do about the holders of conflicting leases: ask those who answer; for idle or retired ones
 * (who will not), a human can force-release, with the command to run.
 */
export function conflictAdvice(conflicts: Pick<Conflict, 'holder' | 'holderState' | 'reservationId'>[]): string {
  const gone = conflicts.filter((c) => c.holderState);
  const reachable = [...new Set(conflicts.filter((c) => !c.holderState).map((c) => c.holder))];
  const parts: string[] = [];
  // A contact request reaches the holder whatever their contact policy (the default, auto, refuses a
  // message from someone who shares no thread or reservation with them: exactly the refused agent).
  if (reachable.length) parts.push(`Ask ${reachable.join(', ')} to release (baton send ${reachable[0]} ..., or baton contact request ${reachable[0]} --note "..." if their contact policy refuses you), wait for expiry, or reserve other files.`);
  if (gone.length) {
    const who = [...new Set(gone.map((c) => `${c.holder} is ${c.holderState}`))].join(', ');
    parts.push(`${who} and will not answer: a human can force-release (baton force-release ${[...new Set(gone.map((c) => c.reservationId))].join(' ')} --reason "..."), or wait for expiry.`);
  }
  return parts.join(' ');
}
