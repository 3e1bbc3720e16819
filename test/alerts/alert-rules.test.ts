import { alertId, detectHoarding, detectSilentWork, isBroadPattern, noSyncPointFinding, unclearHandoffFinding } from '../../src/domain/alerts/rules';

const t = { silentAfterMs: 60_000, maxLeasesPerAgent: 3, unclearHandoffsAfter: 2 };

describe('anti-pattern rules (pure)', () => {
  it('silent work: leases held with no sign of life for too long, counted from the newest lease or sign of life', () => {
    const leases = [
      { holder: 'QuietFox', pattern: 'src/a.ts', createdAt: 0 },
      { holder: 'Chatty', pattern: 'src/b.ts', createdAt: 0 },
      { holder: 'Fresh', pattern: 'src/c.ts', createdAt: 50_000 },
    ];
    const signs = new Map([['chatty', 70_000]]);
    const found = detectSilentWork(leases, signs, 100_000, t);
    expect(found.map((f) => f.agent)).toEqual(['QuietFox']);
    expect(found[0]!.better.join(' ')).toContain('Update on progress');
    expect(found[0]!.why).toContain('Team awareness');
    expect(detectSilentWork(leases, signs, 59_999, t)).toEqual([]);
  });

  it('hoarding: too many leases or a pattern as broad as a top-level directory', () => {
    expect(isBroadPattern('src/**')).toBe(true);
    expect(isBroadPattern('*.ts')).toBe(true);
    expect(isBroadPattern('{src,lib}/**')).toBe(true);
    expect(isBroadPattern('src/api/**')).toBe(false);
    expect(isBroadPattern('src/api/users.ts')).toBe(false);
    expect(isBroadPattern('db/migrations/*.sql')).toBe(false);
    const many = ['a', 'b', 'c', 'd'].map((p) => ({ holder: 'Magpie', pattern: `src/${p}.ts`, createdAt: 0 }));
    const found = detectHoarding([...many, { holder: 'Broad', pattern: 'lib/**', createdAt: 0 }, { holder: 'Fine', pattern: 'src/x/y.ts', createdAt: 0 }], t);
    expect(found.map((f) => [f.agent, f.kind])).toEqual([
      ['Magpie', 'reservation-hoarding'],
      ['Broad', 'reservation-hoarding'],
    ]);
    expect(found[0]!.summary).toContain('4 reservations (more than 3)');
    expect(found[1]!.summary).toContain('lib/**');
    expect(found[1]!.better[0]).toContain('Reserve just the files');
  });

  it('unclear handoffs from the threshold on; no sync points name the workflow', () => {
    expect(unclearHandoffFinding('MuddyPaw', 1, ['where'], t)).toBeUndefined();
    const f = unclearHandoffFinding('MuddyPaw', 2, ['where', 'howToTest'], t)!;
    expect(f.summary).toContain('refused 2 times');
    expect(f.better.join(' ')).toContain('how to test');
    const n = noSyncPointFinding('Drifter', 'baton/p/parallel-development/x', 'build (Drifter)', 7_200_000);
    expect(n.summary).toContain('2h');
    expect(n.better).toContain('Plan sync points (every 2 hours)');
    expect(alertId('no-sync-points', 'Drifter', 'w')).toBe('no-sync-points:drifter:w');
  });
});
