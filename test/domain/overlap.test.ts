import { literalGlob, parseGlob } from '../../src/domain/reservations/glob';
import { explainOverlap } from '../../src/domain/reservations/explain';
import { overlapWitness } from '../../src/domain/reservations/overlap';
import { compileMatcher } from '../../src/domain/reservations/match';
import { checkPattern, clampTtl, coversWholeRepository } from '../../src/domain/reservations/policy';
import { PatternIndex } from '../../src/domain/reservations/index';
import { BatonError } from '../../src/domain/errors';

const witness = (a: string, b: string) => overlapWitness(parseGlob(a), parseGlob(b));

describe('overlap examples', () => {
  it.each([
    ['src/*.ts', 'src/**/a.ts', 'src/a.ts'],
    ['{a,b}/x', 'b/*', 'b/x'],
    ['src/api/users.ts', 'src/api/users.ts', 'src/api/users.ts'],
    ['src/**', 'src', 'src'],
    ['**/*.test.ts', 'test/domain/x.test.ts', 'test/domain/x.test.ts'],
    ['src/{api,web}/**/index.ts', 'src/web/*.ts', 'src/web/index.ts'],
    ['src/[!a]*.ts', 'src/b.ts', 'src/b.ts'],
    ['src/{a,b{c,d}}.ts', 'src/bd.ts', 'src/bd.ts'],
    ['app/(auth)/page.tsx', 'app/(auth)/*.tsx', 'app/(auth)/page.tsx'],
    ['.github/**', '**/*.yml', '.github/a.yml'],
    ['[.]*', '*', '.a'], // a dotfile only when no other name will do
    // A plain path covers everything under it, as a git pathspec does.
    ['codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills/flow-repair/run.sh'],
    ['pkg', 'pkg/x.ts', 'pkg/x.ts'],
    ['pkg', 'pkg', 'pkg'],
    ['src', 'src/*.ts', 'src/a.ts'],
    ['src', 'src/**', 'src'],
    ['src/api', '**/*.test.ts', 'src/api/a.test.ts'],
    ['a/b', 'a/*/b', 'a/b/b'],
    ['app/(auth)', 'app/*/page.tsx', 'app/(auth)/page.tsx'],
    // The shallowest common path over all alternatives, not the first alternative's.
    ['{a/b/c,a}', 'a', 'a'],
    ['{**/package.json,src/a.ts}', 'src/a.ts', 'src/a.ts'],
  ])('%s and %s overlap (e.g. %s)', (a, b, expected) => {
    expect(witness(a, b)).toBe(expected);
    expect(witness(b, a)).toBeDefined();
  });

  it.each([
    ['src/*.ts', 'src/*/a.ts'],
    ['docs/**', 'src/**'],
    ['src/a.ts', 'src/b.ts'],
    ['src/*.ts', 'src/*.tsx'],
    ['src/[ab].ts', 'src/[!ab].ts'],
    ['src/?.ts', 'src/??.ts'],
    ['a/*/b', 'a/b/c'],
    ['pkg', 'pkg2'], // a plain path covers what is under it, not every name it begins
    ['pkg/x.ts', 'pkg/x'],
    ['src/*', 'src/a/b.ts'], // globs keep their meaning: `*` stays within one name
    ['src/*.ts', 'src/a'],
    ['{a,b}/x', 'c/*'],
    ['src/**/*.ts', 'docs/**'],
    ['[.]', '?'], // the only common name would be ".", which is not a file name
  ])('%s and %s do not overlap', (a, b) => {
    expect(witness(a, b)).toBeUndefined();
    expect(witness(b, a)).toBeUndefined();
  });

  it('treats `**` inside braces as a globstar, a superset of what picomatch alone reads', () => {
    expect(witness('{**,a}/x.ts', 'x.ts')).toBe('x.ts');
    expect(compileMatcher(parseGlob('{**,a}/x.ts'))('x.ts')).toBe(true);
  });

  it('matches concrete paths with picomatch, dotfiles included and extglob characters literal', () => {
    const m = (p: string, path: string) => compileMatcher(parseGlob(p))(path);
    expect(m('src/*', 'src/.env')).toBe(true);
    expect(m('src/**', 'src')).toBe(true);
    expect(m('src/*/**', 'src/a')).toBe(true);
    expect(m('lib/c++/*.h', 'lib/c++/x.h')).toBe(true);
    expect(m('src/[!a].ts', 'src/b.ts')).toBe(true);
    expect(m('src/[!a].ts', 'src/a.ts')).toBe(false);
    expect(m('src/*.ts', 'src/a/b.ts')).toBe(false);
  });

  it('matches a plain path and everything under it, and nothing else', () => {
    const m = (p: string, path: string) => compileMatcher(parseGlob(p))(path);
    expect(m('codex/skills', 'codex/skills')).toBe(true);
    expect(m('codex/skills', 'codex/skills/flow-repair/run.sh')).toBe(true);
    expect(m('codex/skills', 'codex/skills2/a')).toBe(false);
    expect(m('codex/skills', 'codex')).toBe(false);
    expect(m('app/(auth)', 'app/(auth)/page.tsx')).toBe(true);
  });
});

describe('why two patterns overlap', () => {
  const explain = (a: string, b: string) => explainOverlap(parseGlob(a), parseGlob(b));

  it.each([
    ['codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills/flow-repair/run.sh', 'codex/skills covers everything under it, including codex/skills/flow-repair/run.sh'],
    ['codex/skills/flow-repair/run.sh', 'codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills covers everything under it, including codex/skills/flow-repair/run.sh'],
    ['src/*.ts', 'src/a.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/a.ts', 'src/*.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/*.ts', 'src/**/a.ts', 'src/a.ts', 'src/*.ts and src/**/a.ts both match src/a.ts'],
    ['src/*.ts', 'src/*.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/a.ts', 'src/a.ts', 'src/a.ts', 'both name src/a.ts'],
    ['src/api', '**/*.test.ts', 'src/api/a.test.ts', '**/*.test.ts matches src/api/a.test.ts, which is under src/api'],
  ])('%s and %s: %s, because %s', (a, b, example, rule) => {
    expect(explain(a, b)).toEqual({ example, rule });
  });

  it('reads a checked path literally, and explains nothing when nothing overlaps', () => {
    expect(explainOverlap(literalGlob('app/[id]/page.tsx'), parseGlob('app/*/page.tsx'))).toEqual({ example: 'app/[id]/page.tsx', rule: 'app/*/page.tsx matches app/[id]/page.tsx' });
    expect(explainOverlap(literalGlob('app/[id]/page.tsx'), parseGlob('app/[id]/page.tsx'))).toBeUndefined(); // a class, not the name "[id]"
    expect(explainOverlap(literalGlob('pkg/x.ts'), parseGlob('pkg'))).toEqual({ example: 'pkg/x.ts', rule: 'pkg covers everything under it, including pkg/x.ts' });
    expect(explain('pkg', 'pkg2')).toBeUndefined();
  });
});

describe('pattern policy (hoarding guard and hygiene)', () => {
  const rejects = (p: string, fragment: string) => {
    try {
      checkPattern(p);
    } catch (err) {
      expect(err).toBeInstanceOf(BatonError);
      expect((err as BatonError).code).toBe('INVALID_INPUT');
      expect((err as BatonError).message).toContain(fragment);
      return;
    }
    throw new Error(`"${p}" was accepted`);
  };

  it.each(['**', '**/*', '*', '*/**', '**/**', '?*', '{src/a.ts,**}', '[a-z]*/**'])('rejects %s as the whole repository', (p) => {
    rejects(p, 'reserve just the files you are about to edit');
    expect(() => checkPattern(p, { allowBroad: true })).not.toThrow();
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['/etc/passwd', 'absolute path'],
    ['C:/src/a.ts', 'absolute path'],
    ['~/a.ts', 'absolute path'],
    ['src/../secrets', '".." segment'],
    ['{a,../b}/x', '".." segment'],
    ['./src/a.ts', '"." segment'],
    ['src//a.ts', 'empty segment'],
    ['src/', 'write its name without the trailing "/" (a plain path covers everything under it)'],
    ['src\\a.ts', 'contains "\\"'],
    ['src/a\u0007.ts', 'control characters'],
    [' src/a.ts', 'leading or trailing spaces'],
    ['src/[a', 'unclosed "["'],
    ['src/{a,b', 'unclosed "{"'],
    ['src/a}', 'unmatched "}"'],
    ['src/{a}.ts', 'at least two alternatives'],
    ['src/[z-a].ts', 'reversed'],
    ['src/[[:alpha:]].ts', 'not supported'],
    ['src/[a/b].ts', 'cannot appear inside'],
    ['x'.repeat(1001), 'longer than'],
  ])('rejects %j (%s)', (p, fragment) => rejects(p, fragment));

  it.each(['src/api/users.ts', 'src/api/**', '**/package.json', '**/*.ts', 'docs/*.md', 'README.md', 'src', '.github'])('accepts %s', (p) => {
    expect(checkPattern(p).pattern).toBe(p);
  });

  it('knows which alternatives name nothing', () => {
    expect(coversWholeRepository(parseGlob('**/*').alternatives[0]!)).toBe(true);
    expect(coversWholeRepository(parseGlob('src/*').alternatives[0]!)).toBe(false);
    expect(coversWholeRepository(parseGlob('src').alternatives[0]!)).toBe(false);
  });

  it('clamps TTLs to 60 s .. 1 year and says so', () => {
    expect(clampTtl(3600)).toEqual({ seconds: 3600 });
    expect(clampTtl(5)).toEqual({ seconds: 60, clampedFrom: 5 });
    expect(clampTtl(10 ** 9)).toEqual({ seconds: 31_536_000, clampedFrom: 10 ** 9 });
  });
});

describe('pattern index', () => {
  it('answers a query against 10,000 entries without testing all of them', () => {
    const index = new PatternIndex();
    for (let i = 0; i < 10_000; i++) index.add(`r${i}`, parseGlob(`pkg${i % 100}/src/mod${i}/**`));
    index.add('root', parseGlob('**/package.json'));
    const literal = index.candidates(parseGlob('pkg7/src/mod7/index.ts'));
    expect([...literal].sort()).toEqual(['r7', 'root'].sort());
    const glob = index.candidates(parseGlob('pkg7/src/*/index.ts'));
    expect(glob.size).toBe(101);
    expect(index.candidates(parseGlob('docs/*.md'))).toEqual(new Set(['root']));
    index.remove('r7');
    expect(index.candidates(parseGlob('pkg7/src/mod7/index.ts'))).toEqual(new Set(['root']));
  });

  it('finds a plain directory from a file under it, and the files under a plain directory', () => {
    const index = new PatternIndex();
    index.add('dir', parseGlob('codex/skills'));
    index.add('file', parseGlob('codex/skills/flow-repair/run.sh'));
    index.add('other', parseGlob('codex/docs/a.md'));
    expect(index.candidates(parseGlob('codex/skills/flow-repair/run.sh'))).toEqual(new Set(['dir', 'file']));
    expect(index.candidates(parseGlob('codex/skills'))).toEqual(new Set(['dir', 'file']));
    expect(index.candidates(literalGlob('codex/skills/x'))).toEqual(new Set(['dir']));
  });
});
