import picomatch from 'picomatch';
import { parseGlob, picomatchSources, type ParsedGlob } from '../../src/domain/reservations/glob';
import { PICOMATCH_OPTIONS } from '../../src/domain/reservations/match';

/**
 * The brute-force oracle the overlap and coverage property tests check the exact algorithms against,
 * written independently of glob.ts: a plain path (no `*`, `?`, `[`, `{`) that is a directory by its form
 * (ends with `/`, or its last name has no `.` after the first character) covers itself and everything
 * under it, a plain file only itself, both by string comparison; a glob covers what picomatch matches
 * (given our brace expansion, see glob.ts). Paths are drawn from a small universe over the names of
 * `a`, `b` and `.`: large enough for every overlap or gap of the generated patterns to show in it.
 */

const ALPHABET = ['a', 'b', '.'];
/** Every name of 1..maxLength characters over ALPHABET, except `.` and `..`. */
function names(maxLength: number): string[] {
  let level = [''];
  const out: string[] = [];
  for (let n = 1; n <= maxLength; n++) {
    level = level.flatMap((prefix) => ALPHABET.map((c) => prefix + c));
    out.push(...level.filter((name) => name !== '.' && name !== '..'));
  }
  return out;
}
const short = names(2);
const long = names(3);
/** Paths of one and two names of up to 3 characters, and of three names of up to 2. */
export const UNIVERSE: string[] = [
  ...long,
  ...long.flatMap((x) => long.map((y) => `${x}/${y}`)),
  ...short.flatMap((x) => short.flatMap((y) => short.map((z) => `${x}/${y}/${z}`))),
];

export function isValidPath(path: string): boolean {
  return path.length > 0 && path.split('/').every((name) => name !== '' && name !== '.' && name !== '..');
}
export function isPlain(p: string): boolean {
  return !/[*?[{]/.test(p);
}
export function withoutSlash(p: string): string {
  return p.replace(/\/$/, '');
}
function isPlainDirectory(p: string): boolean {
  return p.endsWith('/') || !withoutSlash(p).split('/').pop()!.slice(1).includes('.');
}

/** A pattern as the oracle reads it, and as the algorithms under test parse it. */
export interface OraclePattern {
  parsed: ParsedGlob;
  match: (path: string) => boolean;
  /** Paths at and under a plain pattern (beyond the universe's depth). */
  universe: string[];
}

const compiled = new Map<string, OraclePattern>();
export function oracle(p: string): OraclePattern {
  let c = compiled.get(p);
  if (!c) {
    const parsed = parseGlob(p);
    const base = withoutSlash(p);
    const matchers = picomatchSources(parsed).map((source) => picomatch(source, PICOMATCH_OPTIONS));
    c = {
      parsed,
      match: !isPlain(p) ? (path) => matchers.some((m) => m(path)) : isPlainDirectory(p) ? (path) => path === base || path.startsWith(`${base}/`) : (path) => path === base,
      universe: isPlain(p) ? [base, ...UNIVERSE.map((path) => `${base}/${path}`)] : [],
    };
    compiled.set(p, c);
  }
  return c;
}
