import { isDirectoryByForm, literalGlob, parseGlob, patternForm, patternKey } from '../../src/domain/reservations/glob';
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
    // A plain path that is a directory by its form covers everything under it, as a git pathspec does.
    ['codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills/flow-repair/run.sh'],
    ['src/api', 'src/**/x.ts', 'src/api/x.ts'],
    ['.github', '.github/workflows/ci.yml', '.github/workflows/ci.yml'],
    ['.env', '.env/x', '.env/x'], // no extension: a dotfile name is read as a directory like any other
    ['config.d/', 'config.d/a.conf', 'config.d/a.conf'], // a trailing "/" makes a name with a dot a directory
    ['config.d/', '**/*.conf', 'config.d/a.conf'],
    ['src/api/', 'src/api', 'src/api'], // two spellings of one directory
    ['config.d/', 'config.d', 'config.d'], // a directory and a file of one name: the same place
    ['src', 'src/a.ts', 'src/a.ts'],
    // The cost of reading by form: an extensionless file is read as a directory, so a glob that reaches
    // below a name meets it (the git guard filters this out for staged files; see src/guard/check.ts).
    ['Makefile', '**/*.md', 'Makefile/a.md'],
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
    // A plain path with an extension names that file only: nothing is under it.
    ['src/a.ts', '**/*.md'],
    ['src/a.ts', '**/package.json'],
    ['src/a.ts', 'src/a.ts/x.md'],
    ['config.d', 'config.d/a.conf'], // a file by its form; `config.d/` is the directory
    ['v1.2', 'v1.2/notes'],
    ['README.md', 'README.md/x'],
    ['.eslintrc.json', '**/*.js'],
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

  it('matches a plain directory and everything under it, a plain file only itself', () => {
    const m = (p: string, path: string) => compileMatcher(parseGlob(p))(path);
    expect(m('codex/skills', 'codex/skills')).toBe(true);
    expect(m('codex/skills', 'codex/skills/flow-repair/run.sh')).toBe(true);
    expect(m('codex/skills', 'codex/skills2/a')).toBe(false);
    expect(m('codex/skills', 'codex')).toBe(false);
    expect(m('app/(auth)', 'app/(auth)/page.tsx')).toBe(true);
    expect(m('config.d/', 'config.d/a.conf')).toBe(true);
    expect(m('config.d/', 'config.d')).toBe(true);
    expect(m('config.d/', 'config.dx/a')).toBe(false);
    expect(m('config.d', 'config.d')).toBe(true);
    expect(m('config.d', 'config.d/a.conf')).toBe(false);
    expect(m('src/a.ts', 'src/a.ts')).toBe(true);
    expect(m('src/a.ts', 'src/a.ts/x.md')).toBe(false);
  });
});

describe('a plain path is a file or a directory by its form', () => {
  it.each(['pkg', 'src/api', 'codex/skills', 'Makefile', '.github', '.env', 'src/api/', 'config.d/', 'v1.2/', 'a.b/c'])('%s is a directory', (p) => {
    expect(isDirectoryByForm(p)).toBe(true);
    expect(patternForm(p)).toBe('directory');
  });

  it.each(['src/a.ts', 'README.md', '.eslintrc.json', 'v1.2', 'config.d', 'a/b.', 'pkg/x.tar.gz'])('%s is a file', (p) => {
    expect(isDirectoryByForm(p)).toBe(false);
    expect(patternForm(p)).toBe('file');
  });

  it('reads a pattern with glob syntax as a glob, whatever its last name looks like', () => {
    expect(['src/*', 'src/*.ts', 'src/{a,b}', 'src/[ab]', 'src/?'].map(patternForm)).toEqual(['glob', 'glob', 'glob', 'glob', 'glob']);
  });

  it('gives two spellings of one directory one key, and a directory and a file of one name two', () => {
    expect(patternKey('src/api/')).toBe(patternKey('src/api'));
    expect(patternKey('config.d/')).not.toBe(patternKey('config.d'));
    expect(patternKey('config.d/')).toBe('config.d/');
    expect(patternKey('src/a.ts')).toBe('src/a.ts');
    expect(patternKey('src/*/')).toBe('src/*/'); // a glob keeps its spelling (and the policy refuses it)
  });
});

describe('why two patterns overlap', () => {
  const explain = (a: string, b: string) => explainOverlap(parseGlob(a), parseGlob(b));

  it.each([
    ['codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills/flow-repair/run.sh', 'codex/skills covers everything under it (a path without an extension is a directory), including codex/skills/flow-repair/run.sh'],
    ['codex/skills/flow-repair/run.sh', 'codex/skills', 'codex/skills/flow-repair/run.sh', 'codex/skills covers everything under it (a path without an extension is a directory), including codex/skills/flow-repair/run.sh'],
    ['config.d/', 'config.d/a.conf', 'config.d/a.conf', 'config.d/ covers everything under it, including config.d/a.conf'],
    ['src/api/', 'src/api', 'src/api', 'both name src/api'],
    ['config.d/', 'config.d', 'config.d', 'both name config.d'],
    ['src/api', 'src/api', 'src/api', 'both name src/api'],
    ['src/*.ts', 'src/a.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/a.ts', 'src/*.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/*.ts', 'src/**/a.ts', 'src/a.ts', 'src/*.ts and src/**/a.ts both match src/a.ts'],
    ['src/*.ts', 'src/*.ts', 'src/a.ts', 'src/*.ts matches src/a.ts'],
    ['src/a.ts', 'src/a.ts', 'src/a.ts', 'both name src/a.ts'],
    ['src/api', '**/*.test.ts', 'src/api/a.test.ts', '**/*.test.ts matches src/api/a.test.ts, which is under src/api (a path without an extension is a directory)'],
    ['src/api/', '**/*.test.ts', 'src/api/a.test.ts', '**/*.test.ts matches src/api/a.test.ts, which is under src/api/'],
  ])('%s and %s: %s, because %s', (a, b, example, rule) => {
    expect(explain(a, b)).toEqual({ example, rule });
  });

  it('reads a checked path literally, and explains nothing when nothing overlaps', () => {
    expect(explainOverlap(literalGlob('app/[id]/page.tsx'), parseGlob('app/*/page.tsx'))).toEqual({ example: 'app/[id]/page.tsx', rule: 'app/*/page.tsx matches app/[id]/page.tsx' });
    expect(explainOverlap(literalGlob('app/[id]/page.tsx'), parseGlob('app/[id]/page.tsx'))).toBeUndefined(); // a class, not the name "[id]"
    expect(explainOverlap(literalGlob('pkg/x.ts'), parseGlob('pkg'))).toEqual({ example: 'pkg/x.ts', rule: 'pkg covers everything under it (a path without an extension is a directory), including pkg/x.ts' });
    expect(explain('pkg', 'pkg2')).toBeUndefined();
    expect(explain('src/a.ts', '**/*.md')).toBeUndefined();
  });

  it('checks a path as a reservation of it would be: a directory with what is under it, a file alone', () => {
    expect(explainOverlap(literalGlob('codex'), parseGlob('codex/skills/run.sh'))).toEqual({ example: 'codex/skills/run.sh', rule: 'codex covers everything under it (a path without an extension is a directory), including codex/skills/run.sh' });
    expect(explainOverlap(literalGlob('config.d/'), parseGlob('config.d/a.conf'))?.example).toBe('config.d/a.conf');
    expect(explainOverlap(literalGlob('config.d'), parseGlob('config.d/a.conf'))).toBeUndefined();
    expect(explainOverlap(literalGlob('src/a.ts'), parseGlob('**/*.md'))).toBeUndefined();
    expect(explainOverlap(literalGlob('src/a.ts'), parseGlob('src'))?.example).toBe('src/a.ts');
    // An extensionless file reads as a directory, so the example lies below it; the guard counts only
    // conflicts whose example is the staged path itself.
    expect(explainOverlap(literalGlob('Makefile'), parseGlob('**/*.md'))?.example).toBe('Makefile/a.md');
    expect(explainOverlap(literalGlob('Makefile'), parseGlob('{Makefile,x/**/*.md}'))?.example).toBe('Makefile');
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
    ['src//a.ts', 'empty segment ("//")'],
    ['src//', 'empty segment ("//")'],
    ['src/*/', 'end it with "/**"'],
    ['{src,lib}/', 'only a plain path may'],
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

  it.each(['src/api/users.ts', 'src/api/**', '**/package.json', '**/*.ts', 'docs/*.md', 'README.md', 'src', '.github', 'src/', 'config.d/'])('accepts %s', (p) => {
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
