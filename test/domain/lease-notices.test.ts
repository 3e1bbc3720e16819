import { expiredNotice, expiringNotice, warningLeadMs } from '../../src/domain/reservations/notices';
import { conflictAdvice, holderNote } from '../../src/domain/reservations/advice';

const MIN = 60_000;

describe('expiry warnings: when and in what words', () => {
  it.each([
    [2 * 60 * MIN, 600, 10 * MIN], // the default: 10 minutes ahead
    [60 * MIN, 600, 6 * MIN], // 10% of a 1-hour lease is shorter
    [5 * MIN, 600, 30_000],
    [60 * MIN, 120, 2 * MIN],
  ])('a lease of %i ms with leaseWarningSeconds %i is warned %i ms ahead', (ttl, setting, lead) => expect(warningLeadMs(ttl, setting)).toBe(lead));

  it('warns at expiry only when the setting is 0', () => expect(warningLeadMs(60 * MIN, 0)).toBeUndefined());

  it('names each lease with its expiry and the commands that renew or release them', () => {
    const now = Date.parse('2030-01-01T00:50:00.000Z');
    const one = expiringNotice('acme/web', [{ id: 'r-1', pattern: 'src/a.ts', expiresAt: now + 10 * MIN }], now);
    expect(one.subject).toBe('Your reservation of src/a.ts expires in 10m');
    expect(one.body).toBe(
      [
        'In project acme/web, this lease runs out soon; after that any agent may take it:',
        '  src/a.ts  (r-1) until 2030-01-01T01:00:00.000Z (in 10m)',
        '',
        'Still editing? Renew: baton renew r-1 --ttl 1h',
        'Done? Release: baton release r-1',
      ].join('\n'),
    );
    const two = expiringNotice('acme/web', [{ id: 'r-1', pattern: 'src/a.ts', expiresAt: now + 10 * MIN }, { id: 'r-2', pattern: 'src/*.md', expiresAt: now + 9 * MIN }], now);
    expect(two.subject).toBe('2 of your reservations expire, the first in 9m');
    expect(two.body).toContain('baton renew r-1 r-2 --ttl 1h');
    const gone = expiredNotice('acme/web', [{ id: 'r-2', pattern: 'src/*.md', expiresAt: now }]);
    expect(gone.subject).toBe('Your reservation of src/*.md expired');
    expect(gone.body).toContain('baton check "src/*.md" && baton reserve "src/*.md" --reason "..." --ttl 1h');
  });
});

describe('conflict advice (CLI and guard)', () => {
  it('asks holders who answer, and says a human can force-release from idle or retired ones', () => {
    expect(conflictAdvice([{ holder: 'AmberFalcon', reservationId: 'r-1' }])).toBe('Ask AmberFalcon to release (baton send AmberFalcon ..., or baton contact request AmberFalcon --note "..." if their contact policy refuses you), wait for expiry, or reserve other files.');
    expect(conflictAdvice([{ holder: 'IndigoFirefly', reservationId: 'r-2', holderState: 'retired' }, { holder: 'QuietOwl', reservationId: 'r-3', holderState: 'idle' }, { holder: 'AmberFalcon', reservationId: 'r-1' }])).toBe(
      'Ask AmberFalcon to release (baton send AmberFalcon ..., or baton contact request AmberFalcon --note "..." if their contact policy refuses you), wait for expiry, or reserve other files. IndigoFirefly is retired, QuietOwl is idle and will not answer: a human can force-release (baton force-release r-2 r-3 --reason "..."), or wait for expiry.',
    );
    expect(holderNote({ holderState: 'idle' })).toBe(' (idle)');
    expect(holderNote({})).toBe('');
  });
});
