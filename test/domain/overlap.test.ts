import { parseGlob } from '../../src/domain/reservations/glob';
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
    ['.github/**', '**/*.yml', '.github/.yml'],
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
    ['a/*/b', 'a/b'],
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
    ['src/', 'empty segment'],
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

  it.each(['src/api/users.ts', 'src/api/**', '**/package.json', '**/*.ts', 'docs/*.md', 'README.md'])('accepts %s', (p) => {
    expect(checkPattern(p).pattern).toBe(p);
  });

  it('knows which alternatives name nothing', () => {
    expect(coversWholeRepository(parseGlob('**/*').alternatives[0]!)).toBe(true);
    expect(coversWholeRepository(parseGlob('src/*').alternatives[0]!)).toBe(false);
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
});
