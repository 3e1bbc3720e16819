import { checkHandoff } from '../../src/domain/patterns/handoff';
import { formatDuration, parseDuration } from '../../src/domain/patterns/duration';
import { checkDisjointFiles, checkReviewer, findFileOverlaps } from '../../src/domain/patterns/plan';
import { CodeReviewPlan } from '../../src/patterns/code-review/plan';
import { ParallelDevelopmentPlan } from '../../src/patterns/parallel-development/plan';
import { SequentialHandoffPlan } from '../../src/patterns/sequential-handoff/plan';

describe('handoff quality (pure)', () => {
  const good = { whatWasDone: 'Added the users table migration with a unique email index', where: ['db/migrations/001_users.sql'], howToTest: 'npm run db:migrate && npm test -- users' };

  it('accepts a handoff that says what, where and how to test', () => {
    expect(checkHandoff(good)).toEqual({ ok: true });
  });

  it('refuses an empty handoff naming all three missing parts', () => {
    const check = checkHandoff(undefined);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.missing.map((m) => m.field)).toEqual(['whatWasDone', 'where', 'howToTest']);
    expect(check.message).toMatch(/^Handoff refused: whatWasDone is empty/);
  });

  it('refuses vague notes and says what is missing', () => {
    const check = checkHandoff({ whatWasDone: 'done', where: ['everywhere'], howToTest: 'test it' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toContain('"done" is too vague');
    expect(check.message).toContain('"everywhere" is not a path');
    expect(check.message).toContain('"test it" is too vague');
  });

  it('refuses only the vague part', () => {
    const check = checkHandoff({ ...good, howToTest: 'run tests.' });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.missing.map((m) => m.field)).toEqual(['howToTest']);
  });
});

describe('durations (pure)', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['500ms', 500],
    [45, 45_000],
    ['2', 2000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toEqual({ ok: true, ms }));

  it.each(['soon', '', '5x', '-3m', 0])('refuses %p', (text) => expect(parseDuration(text).ok).toBe(false));

  it('formats for people', () => {
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('plans (pure)', () => {
  it('finds overlapping file sets and names them', () => {
    const overlaps = findFileOverlaps([
      { agent: 'SwiftEagle', files: ['src/api/**'] },
      { agent: 'GreenCastle', files: ['src/ui/**', 'src/api/users.ts'] },
    ]);
    expect(overlaps).toEqual([{ a: { agent: 'SwiftEagle', pattern: 'src/api/**' }, b: { agent: 'GreenCastle', pattern: 'src/api/users.ts' }, example: 'src/api/users.ts' }]);
    expect(() => checkDisjointFiles([{ agent: 'A', files: ['src/*.ts'] }, { agent: 'B', files: ['src/{a,b}.ts'] }])).toThrow(/A's "src\/\*\.ts" and B's "src\/\{a,b\}\.ts" both match src\/a\.ts/);
    expect(() => checkDisjointFiles([{ agent: 'A', files: ['src/api/**'] }, { agent: 'B', files: ['src/ui/**'] }])).not.toThrow();
  });

  it('never lets the author review', () => {
    expect(() => checkReviewer('SwiftEagle', 'swifteagle')).toThrow(/wrote the code and cannot review it/);
  });

  it('fills defaults and parses durations in plans', () => {
    const plan = SequentialHandoffPlan.parse({ title: 'x', steps: [{ name: 'db', agent: 'BoldMountain', task: 'migrate', files: ['db/**'] }] });
    expect(plan.deadlines).toEqual({ reminderAfter: 1_800_000, escalateAfter: 7_200_000 });
    expect(plan.steps[0]!.onFail).toBe('human');
    const par = ParallelDevelopmentPlan.parse({ title: 'x', workers: [{ agent: 'A', task: 't', files: ['a/**'] }, { agent: 'B', task: 't', files: ['b/**'] }], integration: { command: 'npm test' }, workdir: '/srv/checkouts/web' });
    expect(par.checkpointEvery).toBe(7_200_000);
    expect(CodeReviewPlan.parse({ title: 'x', author: 'A', reviewer: 'B', task: 't', files: ['a.ts'] }).maxRevisions).toBe(3);
    expect(SequentialHandoffPlan.safeParse({ title: 'x', deadlines: { reminderAfter: '2h', escalateAfter: '1h' }, steps: [] }).success).toBe(false);
  });
});
