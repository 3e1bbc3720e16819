import {
  checkAllFinished,
  checkExactlyOnceDelivery,
  checkExactlyOneClaimant,
  checkLeasesDurable,
  checkMembersKept,
  checkNoDoubleExclusiveGrant,
  checkRecordedOnce,
  expectInvariants,
  type LeaseFacts,
  type TrailEntry,
} from '../support/invariants';
import { covers, overlapWitness } from '../support/overlap-oracle';
import { parseGlob } from '../../src/domain/reservations/glob';
import { overlapWitness as batonWitness } from '../../src/domain/reservations/overlap';

/**
 * The checkers the crash and race suites rely on, fed doctored evidence: each must object to a broken
 * trail, or the suites could pass while the invariant they claim is broken.
 */
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const entry = (seq: number, action: TrailEntry['action'], holder: string, ids: string[], patterns: string[]): TrailEntry => ({
  seq,
  at: at(seq),
  action,
  holder,
  reservationIds: ids,
  patterns,
  count: ids.length,
});
const facts = (...leases: LeaseFacts[]) => new Map(leases.map((l) => [l.id, l]));

describe('checkNoDoubleExclusiveGrant', () => {
  const a1: LeaseFacts = { id: 'r-a1', holder: 'BoldMountain', pattern: 'src/api/**', exclusive: true };
  const b1: LeaseFacts = { id: 'r-b1', holder: 'SwiftEagle', pattern: 'src/api/users.ts', exclusive: true };
  const b2: LeaseFacts = { id: 'r-b2', holder: 'SwiftEagle', pattern: 'src/web/*.ts', exclusive: true };

  it('accepts a trail where an overlapping grant follows the release', () => {
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(2, 'release', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(3, 'grant', 'SwiftEagle', ['r-b1'], ['src/api/users.ts'])];
    expect(checkNoDoubleExclusiveGrant({ total: 3, entries: trail }, facts(a1, b1)).violations).toEqual([]);
  });

  it('accepts disjoint exclusive leases and overlapping shared ones', () => {
    const s1 = { ...a1, id: 'r-s1', exclusive: false };
    const s2 = { ...b1, id: 'r-s2', exclusive: false };
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(2, 'grant', 'SwiftEagle', ['r-b2'], ['src/web/*.ts'])];
    expect(checkNoDoubleExclusiveGrant({ total: 2, entries: trail }, facts(a1, b2)).violations).toEqual([]);
    const shared = [entry(1, 'grant', 'BoldMountain', ['r-s1'], ['src/api/**']), entry(2, 'grant', 'SwiftEagle', ['r-s2'], ['src/api/users.ts'])];
    expect(checkNoDoubleExclusiveGrant({ total: 2, entries: shared }, facts(s1, s2)).violations).toEqual([]);
  });

  it('objects to two overlapping exclusive leases of different holders', () => {
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(2, 'grant', 'SwiftEagle', ['r-b1'], ['src/api/users.ts'])];
    const report = checkNoDoubleExclusiveGrant({ total: 2, entries: trail }, facts(a1, b1));
    expect(report.violations).toEqual([expect.stringContaining('double grant at #2')]);
    expect(() => expectInvariants([report], () => undefined)).toThrow(/Invariant violated/);
  });

  it('objects to an exclusive lease over a shared one, and to a release that comes too late', () => {
    const shared = { ...a1, exclusive: false };
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(2, 'grant', 'SwiftEagle', ['r-b1'], ['src/api/users.ts']), entry(3, 'release', 'BoldMountain', ['r-a1'], ['src/api/**'])];
    expect(checkNoDoubleExclusiveGrant({ total: 3, entries: trail }, facts(shared, b1)).violations).toHaveLength(1);
  });

  it('objects to incomplete or truncated trails, unknown grants, and releases of what was not held', () => {
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(3, 'release', 'SwiftEagle', ['r-zz'], ['x'])];
    const truncated = { ...entry(4, 'grant', 'SwiftEagle', ['r-b2'], ['src/web/*.ts']), count: 25 };
    const report = checkNoDoubleExclusiveGrant({ total: 5, entries: [...trail, truncated, entry(5, 'grant', 'Ghost', ['r-ghost'], ['a'])] }, facts(a1, b2));
    const text = report.violations.join('\n');
    expect(text).toMatch(/incomplete/);
    expect(text).toMatch(/seq gap/);
    expect(text).toMatch(/truncated/);
    expect(text).toMatch(/r-zz, which was not active/);
    expect(text).toMatch(/no client was told about/);
  });

  it('uses the overlap function it is given (a broken one that never overlaps hides the double grant)', () => {
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-a1'], ['src/api/**']), entry(2, 'grant', 'SwiftEagle', ['r-b1'], ['src/api/users.ts'])];
    expect(checkNoDoubleExclusiveGrant({ total: 2, entries: trail }, facts(a1, b1), () => undefined).violations).toEqual([]);
  });

  it('catches, with its own oracle, a double grant of two globs that meet only in a path neither names', () => {
    // "src/web/**/*.tsx" and "src/web/components/[a-c]*.tsx" share src/web/components/a.tsx; the plain
    // directory "src/web/components" (no extension) covers everything under it, so it meets both.
    const g1: LeaseFacts = { id: 'r-g1', holder: 'BoldMountain', pattern: 'src/web/**/*.tsx', exclusive: true };
    const g2: LeaseFacts = { id: 'r-g2', holder: 'SwiftEagle', pattern: 'src/web/components/[a-c]*.tsx', exclusive: true };
    const g3: LeaseFacts = { id: 'r-g3', holder: 'QuietRiver', pattern: 'src/web/components', exclusive: true };
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-g1'], [g1.pattern]), entry(2, 'grant', 'SwiftEagle', ['r-g2'], [g2.pattern]), entry(3, 'grant', 'QuietRiver', ['r-g3'], [g3.pattern])];
    const v = checkNoDoubleExclusiveGrant({ total: 3, entries: trail }, facts(g1, g2, g3)).violations;
    expect(v).toHaveLength(3);
    expect(v[0]).toMatch(/^double grant at #2 .*"src\/web\/components\/\[a-c\]\*\.tsx".*both cover "src\/web\/components\/ax?\.tsx"$/);
    expect(v[1]).toMatch(/^double grant at #3 .*"src\/web\/components" .*"src\/web\/\*\*\/\*\.tsx".*both cover "src\/web\/components\/[^"/]+\.tsx"$/);
    expect(v[2]).toMatch(/^double grant at #3 .*"src\/web\/components" .*"src\/web\/components\/\[a-c\]\*\.tsx".*both cover "src\/web\/components\/[^"/]+\.tsx"$/);
  });

  it('catches a doctored double grant between a plain directory and a file under it, and not between a file and a glob below its name', () => {
    // The final lease rule: "config.d/" (a directory, written with its "/") covers config.d/a.conf; the
    // file "src/a.ts" names only itself, so "src/**/*.md" (a docs sweep) never meets it.
    const dir: LeaseFacts = { id: 'r-dir', holder: 'BoldMountain', pattern: 'config.d/', exclusive: true };
    const file: LeaseFacts = { id: 'r-file', holder: 'SwiftEagle', pattern: 'config.d/a.conf', exclusive: true };
    const ts: LeaseFacts = { id: 'r-ts', holder: 'BoldMountain', pattern: 'src/a.ts', exclusive: true };
    const md: LeaseFacts = { id: 'r-md', holder: 'SwiftEagle', pattern: 'src/**/*.md', exclusive: true };
    const trail = [entry(1, 'grant', 'BoldMountain', ['r-dir'], [dir.pattern]), entry(2, 'grant', 'SwiftEagle', ['r-file'], [file.pattern]), entry(3, 'grant', 'BoldMountain', ['r-ts'], [ts.pattern]), entry(4, 'grant', 'SwiftEagle', ['r-md'], [md.pattern])];
    const report = checkNoDoubleExclusiveGrant({ total: 4, entries: trail }, facts(dir, file, ts, md));
    expect(report.violations).toEqual([expect.stringMatching(/^double grant at #2 .*"config\.d\/a\.conf".*"config\.d\/".*both cover "config\.d\/a\.conf"$/)]);
    expect(() => expectInvariants([report], () => undefined)).toThrow(/Invariant violated/);
  });

  it('does not flag disjoint exclusive globs that look alike', () => {
    const leases: LeaseFacts[] = [
      { id: 'r-d1', holder: 'BoldMountain', pattern: 'src/api/*.ts', exclusive: true },
      { id: 'r-d2', holder: 'SwiftEagle', pattern: 'src/web/**/*.tsx', exclusive: true },
      { id: 'r-d3', holder: 'QuietRiver', pattern: 'src/*/index.tsx', exclusive: true },
      { id: 'r-d4', holder: 'LoudThunder', pattern: 'test/**/users*', exclusive: true },
      { id: 'r-d5', holder: 'CalmHarbor', pattern: 'src/api/{users,orders}.tsx', exclusive: true },
    ];
    // d3 and d2 meet in src/web/index.tsx: a different holder for d3 would be a double grant, the
    // same holder is not.
    leases[2]!.holder = 'SwiftEagle';
    const trail = leases.map((l, i) => entry(i + 1, 'grant', l.holder, [l.id], [l.pattern]));
    const report = checkNoDoubleExclusiveGrant({ total: trail.length, entries: trail }, facts(...leases));
    expect(report.violations).toEqual([]);
    expect(report.checked).toBe(9);
  });
});

describe('the overlap oracle (brute force with picomatch)', () => {
  /** The race suite's pool (test/durability/race.test.ts), and by hand every pair of it that overlaps. */
  const RACE_POOL = [
    'src/**',
    'src/api/**',
    'src/api/*.ts',
    'src/api/users.ts',
    'src/api/{users,orders}.ts',
    'src/*/index.ts',
    'src/web/index.ts',
    'src/web/**/*.tsx',
    'src/web/components/button.tsx',
    'src/web/components/[a-c]*.tsx',
    'test/**/users*',
    'test/api/users.test.ts',
    'docs/**',
    'docs/guide.md',
    'docs/*.md',
    'package.json',
    '*.json',
    'src/web',
    'src/api/',
    'config.d/',
    'config.d',
    'docs',
  ];
  const OVERLAPPING = [
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18].map((j) => `0-${j}`), // src/** covers all of src
    '1-2', '1-3', '1-4', '1-5', '1-18', // src/api/** (src/*/index.ts: src/api/index.ts; src/api/ is the same directory)
    '2-3', '2-4', '2-5', '2-18', // src/api/*.ts
    '3-4', '3-18', // src/api/users.ts
    '4-18',
    '5-6', '5-17', '5-18', // src/web/index.ts, src/api/index.ts
    '6-17', // the file src/web/index.ts is under the directory src/web (but names no src/web/index.ts/x.tsx)
    '7-8', '7-9', '7-17', '8-9', '8-17', '9-17', // src/web/components/button.tsx and a.tsx, all under src/web
    '10-11', // test/api/users.test.ts
    '12-13', '12-14', '12-21', '13-14', '13-21', '14-21', // docs
    '15-16', // package.json
    '19-20', // the directory config.d/ covers itself, which the file config.d names
  ];

  it('finds exactly the overlapping pairs of the race pool, each with a path both cover', () => {
    const found: string[] = [];
    for (let i = 0; i < RACE_POOL.length; i++) {
      for (let j = i + 1; j < RACE_POOL.length; j++) {
        const witness = overlapWitness(RACE_POOL[i]!, RACE_POOL[j]!);
        if (witness === undefined) continue;
        found.push(`${i}-${j}`);
        expect([witness, covers(RACE_POOL[i]!, witness), covers(RACE_POOL[j]!, witness)]).toEqual([witness, true, true]);
      }
    }
    expect(found.sort()).toEqual([...OVERLAPPING].sort());
  });

  it("agrees with Baton's own decision on every pair of the race and crash pools, and covers Baton's witnesses", () => {
    const crashPool = ['src/api/**', 'src/api/users.ts', 'src/api/*.ts', 'src/{api,web}/index.ts', 'src/web/index.ts', 'src/web/components/**', 'src/web/components/button.tsx', 'docs/*.md', 'docs/intro.md', 'package.json'];
    const others = ['hot/123.ts', 'expiring/BoldMountain.ts', 'reviewed/1/0/**', 'Makefile', '.github', 'v1.2', 'src/a', '**/*.md', 'src/*/**'];
    const pool = [...new Set([...RACE_POOL, ...crashPool, ...others])];
    const disagreements: string[] = [];
    let pairs = 0;
    for (let i = 0; i < pool.length; i++) {
      for (let j = i; j < pool.length; j++) {
        const [a, b] = [pool[i]!, pool[j]!];
        pairs++;
        const baton = batonWitness(parseGlob(a), parseGlob(b));
        const oracle = overlapWitness(a, b);
        if ((baton === undefined) !== (oracle === undefined)) disagreements.push(`${a} / ${b}: Baton ${baton ?? 'disjoint'}, oracle ${oracle ?? 'disjoint'}`);
        else if (baton !== undefined && !(covers(a, baton) && covers(b, baton))) disagreements.push(`${a} / ${b}: Baton's witness ${baton} is not covered by both (oracle's reading)`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(pairs).toBe((pool.length * (pool.length + 1)) / 2);
  });

  it('reads a plain path by its form (a directory covers what is under it, a file only itself), and globs as picomatch does', () => {
    expect([covers('src/api', 'src/api'), covers('src/api', 'src/api/users.ts'), covers('src/api', 'src/apis'), covers('src/api', 'src')]).toEqual([true, true, false, false]);
    expect([covers('src/a.ts', 'src/a.ts'), covers('src/a.ts', 'src/a.ts/x.md'), covers('v1.2', 'v1.2/x'), covers('config.d', 'config.d/a.conf')]).toEqual([true, false, false, false]);
    expect([covers('config.d/', 'config.d'), covers('config.d/', 'config.d/a.conf'), covers('.github', '.github/workflows/ci.yml'), covers('Makefile', 'Makefile/x')]).toEqual([true, true, true, true]);
    expect([covers('src/**', 'src'), covers('src/*/**', 'src/a'), covers('src/*.ts', 'src/a/b.ts'), covers('src/{a,b/c}.ts', 'src/b/c.ts'), covers('*.json', '.eslintrc.json')]).toEqual([true, true, false, true, true]);
  });

  it('is symmetric and sees globs that meet only in a name neither spells whole', () => {
    expect(overlapWitness('lib/users*', 'lib/*.ts')).toBe('lib/users.ts');
    expect(overlapWitness('lib/*.ts', 'lib/users*')).toBe('lib/users.ts');
    expect(overlapWitness('a/**/b/**', '**/c/**/d')).toBeDefined();
    expect(overlapWitness('lib/*.ts', 'lib/*.tsx')).toBeUndefined();
    expect(overlapWitness('src/*/index.ts', 'src/web/**/*.tsx')).toBeUndefined();
    // A directory covers what is under it: a/b/b is a/*/b. A file does not: src/a.ts never meets **/*.md.
    expect(overlapWitness('a/*/b', 'a/b')).toBe('a/b/b');
    expect(overlapWitness('src/a.ts', '**/*.md')).toBeUndefined();
    expect(overlapWitness('src/a', '**/*.md')).toMatch(/^src\/a\/[^/]*\.md$/);
  });
});

describe('checkLeasesDurable', () => {
  const now = Date.parse(at(100));
  it('accepts leases listed while due, gone after, expired on time', () => {
    const granted = [
      { id: 'r-1', holder: 'A', pattern: 'a.ts', expiresAt: at(200) },
      { id: 'r-2', holder: 'A', pattern: 'b.ts', expiresAt: at(50) },
      { id: 'r-3', holder: 'A', pattern: 'c.ts', expiresAt: at(200), released: true },
    ];
    const listed = [{ id: 'r-1', holder: 'A', pattern: 'a.ts', expiresAt: at(200) }];
    expect(checkLeasesDurable(granted, listed, [entry(1, 'expire', 'A', ['r-2'], ['b.ts'])].map((e) => ({ ...e, at: at(55) })), now).violations).toEqual([]);
  });
  it('objects to a lost lease, an early expiry, an overdue one and a released one still listed', () => {
    const granted = [
      { id: 'r-1', holder: 'A', pattern: 'a.ts', expiresAt: at(200) },
      { id: 'r-2', holder: 'A', pattern: 'b.ts', expiresAt: at(50) },
      { id: 'r-3', holder: 'A', pattern: 'c.ts', expiresAt: at(200), released: true },
      { id: 'r-4', holder: 'A', pattern: 'd.ts', expiresAt: at(150) },
    ];
    const listed = [
      { id: 'r-2', holder: 'A', pattern: 'b.ts', expiresAt: at(50) },
      { id: 'r-3', holder: 'A', pattern: 'c.ts', expiresAt: at(200) },
      { id: 'r-4', holder: 'A', pattern: 'd.ts', expiresAt: at(150) },
    ];
    const trail = [{ ...entry(1, 'expire', 'A', ['r-4'], ['d.ts']), at: at(90) }];
    const v = checkLeasesDurable(granted, listed, trail, now).violations.join('\n');
    expect(v).toMatch(/r-1 .* is gone/);
    expect(v).toMatch(/r-2 .* still listed/);
    expect(v).toMatch(/r-3 .* released but is still listed/);
    expect(v).toMatch(/r-4 .* expired early/);
  });
});

describe('checkExactlyOnceDelivery', () => {
  const sent = [
    { messageId: 'm-1', deliveredTo: ['B', 'C'] },
    { messageId: 'm-2', deliveredTo: ['B'] },
  ];
  const senders = new Set(['a']);
  it('accepts each message once per recipient', () => {
    const inboxes = new Map([
      ['B', [{ id: 'm-1', from: 'A' }, { id: 'm-2', from: 'A' }, { id: 'm-9', from: 'baton' }]],
      ['C', [{ id: 'm-1', from: 'A' }]],
    ]);
    expect(checkExactlyOnceDelivery(sent, inboxes, senders).violations).toEqual([]);
  });
  it('objects to a lost message, a doubled one and a phantom', () => {
    const inboxes = new Map([
      ['B', [{ id: 'm-1', from: 'A' }, { id: 'm-1', from: 'A' }, { id: 'm-7', from: 'A' }]],
      ['C', [{ id: 'm-1', from: 'A' }]],
    ]);
    const v = checkExactlyOnceDelivery(sent, inboxes, senders).violations.join('\n');
    expect(v).toMatch(/m-1 is in B's inbox 2 times/);
    expect(v).toMatch(/m-2 is in B's inbox 0 times/);
    expect(v).toMatch(/m-7 .* no send answered/);
  });
});

describe('claims, approvals, patterns, members', () => {
  it('exactly one claimant', () => {
    expect(checkExactlyOneClaimant([{ agent: 'A', won: true }, { agent: 'B', won: false }], ['A']).violations).toEqual([]);
    expect(checkExactlyOneClaimant([{ agent: 'A', won: true }, { agent: 'B', won: true }], ['A']).violations).toHaveLength(1);
    expect(checkExactlyOneClaimant([{ agent: 'A', won: true }, { agent: 'B', won: false }], ['B']).violations).toHaveLength(1);
    expect(checkExactlyOneClaimant([{ agent: 'A', won: false }], []).violations).toHaveLength(2);
  });
  it('recorded once', () => {
    expect(checkRecordedOnce('approval', ['x', 'y'], ['y', 'x']).violations).toEqual([]);
    expect(checkRecordedOnce('approval', ['x', 'y'], ['x', 'x']).violations).toHaveLength(2);
    expect(checkRecordedOnce('approval', ['x'], ['x', 'z']).violations).toHaveLength(1);
  });
  it('all finished', () => {
    expect(checkAllFinished([{ id: 'a', status: 'COMPLETED' }]).violations).toEqual([]);
    expect(checkAllFinished([{ id: 'a', status: 'RUNNING' }]).violations).toHaveLength(1);
  });
  it('members kept', () => {
    expect(checkMembersKept(['A', 'B'], ['b', 'a', 'c']).violations).toEqual([]);
    expect(checkMembersKept(['A', 'B'], ['a']).violations).toHaveLength(1);
    expect(checkMembersKept(['A', 'a'], ['a']).violations).toHaveLength(1);
  });
});
