import braces from 'braces';
import picomatch from 'picomatch';

/**
 * An overlap decision for the race and crash checkers that shares nothing with Baton's own
 * (src/domain/reservations): two patterns overlap when some path is covered by both, and we look for
 * that path by brute force, asking picomatch whether each pattern covers it. Coverage follows Baton's
 * rule: a pattern with no glob syntax (none of `*?[{`) covers the path itself and everything under it
 * (`p` or `p/...`); any other pattern is brace-expanded (the `braces` package, bash's reading) and each
 * alternative means what picomatch says with `{ dot: true }` (a trailing `**` also covers its base dir).
 *
 * Candidate paths are built in the shape of one pattern's alternative: a literal segment stays, a
 * glob segment takes every name of the pool that picomatch matches against that segment alone, a `**`
 * (and the "everything under" of a literal pattern) takes 0..K names of the other pattern's pool, K
 * being the other pattern's segment count (in a shortest common path every segment is matched by a
 * segment of one of the two patterns, so no `**` needs more, nor other names). The pool is the literal segments of both patterns, each glob
 * segment made concrete (a class becomes one of its members, `?` an "x", `*` nothing, "x" or a literal
 * fragment of the other globs, so `users*` and `*.ts` meet in "users.ts"), and the filler "x".
 *
 * Why that is enough here: the suites reserve the pools in test/durability/race.test.ts and
 * crash.test.ts plus `hot/<n>.ts`, `expiring/<name>.ts` and `reviewed/<round>/<i>/**`. Their globs are
 * `**`, `*.ext`, `[a-c]*.tsx`, `users*`, `*` and brace lists of literals; any common path of two of them
 * can be spelled with their own literal segments and those concrete names (the unit tests check every
 * pair of the race pool against a hand-made table). A pool like this could miss an overlap only between
 * two globs whose common names need characters neither pattern spells, e.g. `[a-c]x` and `[c-e]x`
 * (meeting in "cx"): not a shape the suites generate.
 */

const GLOB_SYNTAX = /[*?[{]/;
const SEGMENT_GLOB = /[*?[]/;
const FILLER = 'x';
/** Characters tried, in order, as the member of a class. */
const CLASS_CANDIDATES = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

interface CoverSpec {
  pattern: string;
  literal: boolean;
  alternatives: string[][];
  covers(path: string): boolean;
}

const specs = new Map<string, CoverSpec>();
const matchers = new Map<string, (path: string) => boolean>();
const verdicts = new Map<string, string | null>();

function spec(pattern: string): CoverSpec {
  let s = specs.get(pattern);
  if (s) return s;
  const literal = !GLOB_SYNTAX.test(pattern);
  const alternatives = literal ? [pattern] : braces.expand(pattern);
  const altMatchers = alternatives.map(matcher);
  s = {
    pattern,
    literal,
    alternatives: alternatives.map((alt) => alt.split('/')),
    covers: literal ? (path) => path === pattern || path.startsWith(`${pattern}/`) : (path) => altMatchers.some((m) => m(path)),
  };
  specs.set(pattern, s);
  return s;
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
 * of `shape` (or the part under a literal `shape`) absorbs in a shortest common path is matched by
 * segments of `other`, so it is filled from `other`'s names only (`fill`).
 */
function searchInShape(shape: CoverSpec, other: CoverSpec, pool: string[], fill: string[]): string | undefined {
  const budget = Math.max(...other.alternatives.map((alt) => alt.length));
  for (const alt of shape.alternatives) {
    for (const path of candidates(alt, shape.literal, pool, fill, budget)) {
      if (shape.covers(path) && other.covers(path)) return path;
    }
  }
  return undefined;
}

function* candidates(segments: string[], literalPattern: boolean, pool: string[], fill: string[], budget: number): Generator<string> {
  function* walk(i: number, left: number, prefix: string[]): Generator<string> {
    if (i === segments.length) {
      if (prefix.length === 0) return;
      yield prefix.join('/');
      // A literal pattern also covers everything under it.
      if (literalPattern) for (const extra of tuples(fill, 1, left)) yield [...prefix, ...extra].join('/');
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
      const member = [...CLASS_CANDIDATES].find(matcher(cls)) ?? FILLER;
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
