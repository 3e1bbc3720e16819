import braces from 'braces';
import picomatch from 'picomatch';

/**
 * An overlap decision for the race and crash checkers that shares nothing with Baton's own
 * (src/domain/reservations): two patterns overlap when some path is covered by both, and we look for
 * that path by brute force, asking each pattern whether it covers it. Coverage follows Baton's lease
 * rule, restated here from the README rather than imported:
 *
 *   - a plain path (none of `*?[{`) that is a directory by its form (it ends with `/`, or its last name
 *     has no `.` after the name's first character: `src/api`, `Makefile`, `.github`, `config.d/`)
 *     covers itself (without the `/`) and everything under it;
 *   - any other plain path (`src/a.ts`, `v1.2`, `config.d`) names only that file;
 *   - a glob is brace-expanded (the `braces` package, bash's reading) and each alternative means what
 *     picomatch says with `{ dot: true }`, a trailing `/**` also covering its base directory (and
 *     `[!a]` a negated class, as in bash).
 *
 * Candidate paths are built in the shape of one pattern's alternative: a literal segment stays, a
 * glob segment takes every name of the pool that picomatch matches against that segment alone, a `**`
 * (and the "everything under" of a directory) takes 0..K names of the other pattern's pool, K being
 * the other pattern's segment count (in a shortest common path every segment is matched by a segment
 * of one of the two patterns, so no `**` needs more, nor other names). The pool is the literal
 * segments of both patterns, each glob segment made concrete (a class becomes one of its members, `?`
 * an "x", `*` nothing, "x" or a literal fragment of the other globs, so `users*` and `*.ts` meet in
 * "users.ts"), and the filler "x".
 *
 * Why that is enough here: the suites reserve the pools in test/durability/race.test.ts and
 * crash.test.ts plus `hot/<n>.ts`, `expiring/<name>.ts` and `reviewed/<round>/<i>/**`. Their globs are
 * `**`, `*.ext`, `[a-c]*.tsx`, `users*`, `*` and brace lists of literals; any common path of two of them
 * can be spelled with their own literal segments and those concrete names (the unit tests check every
 * pair of the race pool against a hand-made table, and against Baton's own decision). A pool like this
 * could miss an overlap only between two globs whose common names need characters neither pattern
 * spells, e.g. `[a-c]x` and `[c-e]x` (meeting in "cx"): not a shape the suites generate.
 */

const GLOB_SYNTAX = /[*?[{]/;
const SEGMENT_GLOB = /[*?[]/;
const FILLER = 'x';
/** Characters tried, in order, as the member of a class. */
const CLASS_CANDIDATES = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

interface CoverSpec {
  pattern: string;
  /** A plain directory: covers its base and everything under it (candidates get a tail). */
  directory: boolean;
  alternatives: string[][];
  covers(path: string): boolean;
}

const specs = new Map<string, CoverSpec>();
const matchers = new Map<string, (path: string) => boolean>();
const verdicts = new Map<string, string | null>();

/** A plain path is a directory when it ends with `/` or its last name has no `.` after its first character. */
function isDirectoryByForm(path: string): boolean {
  if (path.endsWith('/')) return true;
  const last = path.split('/').pop() ?? '';
  return last.indexOf('.', 1) === -1;
}

function spec(pattern: string): CoverSpec {
  let s = specs.get(pattern);
  if (s) return s;
  if (!GLOB_SYNTAX.test(pattern)) {
    const directory = isDirectoryByForm(pattern);
    const base = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
    s = {
      pattern,
      directory,
      alternatives: [base.split('/')],
      covers: directory ? (path) => path === base || path.startsWith(`${base}/`) : (path) => path === base,
    };
  } else {
    const alternatives = braces.expand(pattern);
    const altMatchers = alternatives.map(globMatcher);
    s = { pattern, directory: false, alternatives: alternatives.map((alt) => alt.split('/')), covers: (path) => altMatchers.some((m) => m(path)) };
  }
  specs.set(pattern, s);
  return s;
}

/**
 * One brace-free alternative: picomatch's reading, and for each trailing `/**` also the glob without
 * it (`src/*\/**` covers `src/a` itself; picomatch alone says so only for a literal base like `src/**`).
 * A negated class is written `[!a]` as in bash; picomatch reads that spelling literally, so it gets
 * `[^a]`.
 */
function globMatcher(source: string): (path: string) => boolean {
  const glob = source.replace(/\[!/g, '[^');
  const bases = [glob];
  for (let g = glob; g.endsWith('/**') && g.length > 3; ) bases.push((g = g.slice(0, -3)));
  const ms = bases.map(matcher);
  return (path) => ms.some((m) => m(path));
}

/** picomatch's reading of one brace-free glob, compiled once. */
function matcher(glob: string): (path: string) => boolean {
  let m = matchers.get(glob);
  if (!m) matchers.set(glob, (m = picomatch(glob, { dot: true })));
  return m;
}

/** Whether `pattern` covers the concrete path `path` (the rule above). */
export function covers(pattern: string, path: string): boolean {
  return spec(pattern).covers(path);
}

/** A path both patterns cover, or undefined when the brute force finds none. Memoised per pair. */
export function overlapWitness(a: string, b: string): string | undefined {
  const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
  const known = verdicts.get(key);
  if (known !== undefined) return known ?? undefined;
  const sa = spec(a);
  const sb = spec(b);
  const pool = namePool([sa, sb]);
  const witness = searchInShape(sa, sb, pool, namePool([sb])) ?? searchInShape(sb, sa, pool, namePool([sa]));
  verdicts.set(key, witness ?? null);
  return witness;
}

export function oracleOverlaps(a: string, b: string): boolean {
  return overlapWitness(a, b) !== undefined;
}

/**
 * Every candidate in the shape of `shape`'s alternatives, checked against both patterns. What a `**`
 * of `shape` (or the part under a plain directory `shape`) absorbs in a shortest common path is matched by
 * segments of `other`, so it is filled from `other`'s names only (`fill`).
 */
function searchInShape(shape: CoverSpec, other: CoverSpec, pool: string[], fill: string[]): string | undefined {
  const budget = Math.max(...other.alternatives.map((alt) => alt.length));
  for (const alt of shape.alternatives) {
    for (const path of candidates(alt, shape.directory, pool, fill, budget)) {
      if (shape.covers(path) && other.covers(path)) return path;
    }
  }
  return undefined;
}

function* candidates(segments: string[], directory: boolean, pool: string[], fill: string[], budget: number): Generator<string> {
  function* walk(i: number, left: number, prefix: string[]): Generator<string> {
    if (i === segments.length) {
      if (prefix.length === 0) return;
      yield prefix.join('/');
      // A plain directory also covers everything under it.
      if (directory) for (const extra of tuples(fill, 1, left)) yield [...prefix, ...extra].join('/');
      return;
    }
    const seg = segments[i]!;
    if (seg === '**') {
      for (const extra of tuples(fill, 0, left)) yield* walk(i + 1, left - extra.length, [...prefix, ...extra]);
    } else if (SEGMENT_GLOB.test(seg)) {
      const match = matcher(seg);
      for (const name of pool) if (match(name)) yield* walk(i + 1, left, [...prefix, name]);
    } else {
      yield* walk(i + 1, left, [...prefix, seg]);
    }
  }
  yield* walk(0, budget, []);
}

/** Every sequence of `min`..`max` names from the pool, shortest first. */
function* tuples(pool: string[], min: number, max: number): Generator<string[]> {
  let level: string[][] = [[]];
  for (let n = 0; n <= max; n++) {
    if (n >= min) yield* level;
    if (n < max) level = level.flatMap((t) => pool.map((name) => [...t, name]));
  }
}

/** The names paths are made of: literal segments, the globs made concrete, and the filler. */
function namePool(specs: CoverSpec[]): string[] {
  const segments = specs.flatMap((s) => s.alternatives.flat()).filter((seg) => seg !== '**');
  const globs = segments.filter((seg) => SEGMENT_GLOB.test(seg));
  const fragments = [...new Set(globs.flatMap((g) => g.split(/\[[^\]]*\]|[*?]/).filter(Boolean)))];
  const names = new Set<string>([...segments.filter((seg) => !SEGMENT_GLOB.test(seg)), FILLER]);
  for (const g of globs) for (const name of concretise(g, [FILLER, '', ...fragments])) names.add(name);
  return [...names].filter((n) => n !== '' && n !== '.' && n !== '..');
}

/** A glob segment spelled out: each class as one member, `?` as the filler, each `*` as each of `stars`. */
function concretise(glob: string, stars: string[]): string[] {
  let results = [''];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      const cls = glob.slice(i, close + 1);
      const member = [...CLASS_CANDIDATES].find(matcher(cls.replace('[!', '[^'))) ?? FILLER;
      results = results.map((r) => r + member);
      i = close;
    } else if (c === '?') {
      results = results.map((r) => r + FILLER);
    } else if (c === '*') {
      while (glob[i + 1] === '*') i++;
      results = results.flatMap((r) => stars.map((s) => r + s));
    } else {
      results = results.map((r) => r + c);
    }
  }
  return results;
}
