import { conflictReport } from '../../src/cli/commands/reservations-view';
import { describeBlocked } from '../../src/guard/check';
import type { Conflict } from '../../src/schemas/reservations';

/**
 * A conflict with a holder who will not answer (idle, or retired with a lease from before retirement
 * released leases) says so, in `baton reserve`/`baton check` and in the git guard, and says that a human
 * can force-release, with the command; one with an active holder says to ask it.
 */
const at = Date.parse('2030-01-01T00:00:00.000Z');
const conflict = (over: Partial<Conflict>): Conflict => ({
  pattern: 'pkg/x.ts',
  holder: 'IndigoFirefly',
  heldPattern: 'pkg',
  exclusive: true,
  expiresAt: '2030-01-01T02:00:00.000Z',
  reason: 'splitting pkg',
  reservationId: 'r-1',
  example: 'pkg/x.ts',
  rule: 'pkg covers everything under it (a path without an extension is a directory), including pkg/x.ts',
  ...over,
});

describe('conflict reports name holders who will not answer', () => {
  it('baton reserve / check', () => {
    const idle = conflictReport([conflict({ holderState: 'idle' })], true);
    expect(idle).toContain('pkg/x.ts overlaps pkg, held exclusive by IndigoFirefly (idle) until');
    expect(idle).toContain('IndigoFirefly is idle and will not answer: a human can force-release (baton force-release r-1 --reason "..."), or wait for expiry.');
    expect(idle).not.toContain('Ask IndigoFirefly');
    expect(conflictReport([conflict({})], true)).toContain('Ask IndigoFirefly to release (baton send IndigoFirefly ..., or baton contact request IndigoFirefly --note "..." if their contact policy refuses you), wait for expiry, or reserve other files.');
  });

  it('the git guard', () => {
    const text = describeBlocked([{ path: 'pkg/x.ts', change: { status: 'A', paths: ['pkg/x.ts'] }, conflicts: [conflict({ holderState: 'retired' })] }], at);
    expect(text).toContain('held by IndigoFirefly (retired): pattern pkg, until 2030-01-01T02:00:00.000Z (in 2h), reason "splitting pkg" [r-1]');
  });
});
