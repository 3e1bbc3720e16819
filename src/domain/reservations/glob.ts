import { BatonError } from '../errors';

/**
 * Baton's pattern syntax for reservations, parsed into a form two patterns can be intersected in.
 *
 * A plain path (no `*`, `?`, `[` or `{` anywhere) names a file or a directory, told apart by its form
 * alone, because the reservation book never sees the working tree:
 *
 *   - a directory when it ends with `/` (`src/api/`, `config.d/`) or when its last name has no
 *     extension, i.e. no `.` after the name's first character (`pkg`, `src/api`, `codex/skills`,
 *     `Makefile`, `.github`, `.env`). It covers the directory and everything under it, as a git pathspec
 *     does: `pkg` means `pkg` and `pkg/**`, so reserving a directory by name protects its files. A
 *     directory whose name has a dot is written with the trailing `/`: `config.d/`, `v1.2/`.
 *   - a file otherwise (`src/a.ts`, `README.md`, `.eslintrc.json`, and also `v1.2` and `config.d`): it
 *     covers that one path.
 *
 * Giving every plain path its subtree would make a file overlap every glob that reaches below some
 * name: `src/a.ts` would overlap `**\/*.md` through an imagined `src/a.ts/x.md`, and an agent holding
 * `**\/*.md` for a docs sweep would block every single-file reservation in the repository. The cost
 * of reading by form is that an extensionless file (`Makefile`, `LICENSE`) is read as a directory: its
 * lease also covers names under it that cannot exist, so it can meet a glob such as `**\/*.md` there.
 *
 * Globs mean exactly what they match:
 *
 *   `*` any run of characters within a segment, `?` one character, `[abc]`, `[a-z]`, `[!a]`/`[^a]` one
 *   character of (or not of) a set, `{a,b}` alternatives (nested, may contain `/`), and a segment that
 *   is exactly `**` matches zero or more whole segments (anywhere, also at the end: `src/**` covers
 *   `src` itself). `**` inside a segment (`a**b`) is a plain `*`. Paths are repo-relative, `/`-separated,
 *   case-sensitive, with no empty, `.` or `..` segments (only a plain path may end with `/`); dotfiles
 *   are ordinary files.
 *
 * Anything outside that syntax (unclosed `[` or `{`, a `{a}` group with one alternative, POSIX classes,
 * reversed ranges, `/` inside a class) is rejected rather than guessed at, so that the overlap decision
 * and the matcher for concrete paths can never read one pattern two ways.
 */

/** A set of UTF-16 code units as sorted, disjoint, inclusive intervals. */
export type CharSet = readonly (readonly [number, number])[];

export type Token =
  | { kind: 'char'; set: CharSet } // a literal, `?` or a class: exactly one character of `set`
  | { kind: 'star' };

export type Segment = { kind: 'globstar' } | { kind: 'segment'; tokens: Token[]; literal: string | undefined };

/** One brace-free alternative of a pattern, split into segments. */
export interface GlobAlternative {
  source: string;
  segments: Segment[];
}

export interface ParsedGlob {
  pattern: string;
  alternatives: GlobAlternative[];
  /**
   * `glob` for a pattern with glob syntax; for a plain path, whether it names a `file` (its one
   * alternative's segments are the path) or a `directory` (its segments are the path without a trailing
   * `/`, plus an added `**`: the directory and everything under it). `pattern` and `source` keep what
   * was written, trailing `/` included.
   */
  form: PatternForm;
}

export type PatternForm = 'glob' | 'file' | 'directory';

/** The characters that make a pattern a glob; a pattern without any is a plain path. */
const GLOB_SYNTAX = /[*?[{]/;

/** What a pattern names: see the rules at the top of this file. */
export function patternForm(pattern: string): PatternForm {
  if (GLOB_SYNTAX.test(pattern)) return 'glob';
  return isDirectoryByForm(pattern) ? 'directory' : 'file';
}

/**
 * Whether a plain repo-relative path names a directory by its form: it ends with `/`, or its last name
 * has no `.` after its first character (`src/api`, `Makefile`, `.github`, `config.d/`; not `src/a.ts`,
 * `v1.2`, `config.d`). The one place this rule is written down; reservations, checks and the hoarding
 * alert all ask it.
 */
export function isDirectoryByForm(path: string): boolean {
  if (path.endsWith('/')) return true;
  return !path.slice(path.lastIndexOf('/') + 1).includes('.', 1);
}

/**
 * The spelling a holder's own patterns are compared by (re-reserving extends, release by pattern): a
 * plain directory's trailing `/` is dropped when the name without it is a directory too, so `src/api/`
 * and `src/api` are one lease, while `config.d/` (a directory) and `config.d` (a file) stay two.
 */
export function patternKey(pattern: string): string {
  if (patternForm(pattern) !== 'directory' || !pattern.endsWith('/')) return pattern;
  const bare = pattern.slice(0, -1);
  return isDirectoryByForm(bare) ? bare : pattern;
}

const GLOBSTAR: Segment = { kind: 'globstar' };

export const MAX_BRACE_ALTERNATIVES = 256;
const MAX_CODE_UNIT = 0xffff;
const SLASH = 0x2f;

export const ANY_CHAR: CharSet = [
  [0, SLASH - 1],
  [SLASH + 1, MAX_CODE_UNIT],
];

function invalid(pattern: string, why: string): BatonError {
  return new BatonError('INVALID_INPUT', `Invalid pattern "${pattern}": ${why}`);
}

/** Parse a pattern; throws BatonError('INVALID_INPUT') naming what is wrong. */
export function parseGlob(pattern: string): ParsedGlob {
  // Expanded even when plain, so that a stray `}` is refused the same way in every pattern.
  const expanded = expandBraces(pattern);
  const form = patternForm(pattern);
  const alternatives = expanded.map((source) => {
    if (form === 'glob') return { source, segments: parseAlternative(pattern, source) };
    // The `/` that marks a directory ends the path; it is no empty segment of its own.
    const segments = parseAlternative(pattern, source.endsWith('/') ? source.slice(0, -1) : source);
    return { source, segments: form === 'directory' ? [...segments, GLOBSTAR] : segments };
  });
  return { pattern, alternatives, form };
}

/** Expand `{a,b}` groups (nested, bash style) into brace-free alternatives, checking brackets on the way. */
export function expandBraces(pattern: string): string[] {
  const [alternatives, end] = expandSequence(pattern, 0, false);
  if (end !== pattern.length) throw invalid(pattern, `unmatched "}" at position ${end + 1}`);
  return [...new Set(alternatives)];
}

/** Expands from `start` until the end, or (inside a group) until an unnested `,` or `}`. */
function expandSequence(pattern: string, start: number, inGroup: boolean): [string[], number] {
  let results = [''];
  let literal = '';
  let i = start;
  const flush = () => {
    if (literal) results = results.map((r) => r + literal);
    literal = '';
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '[') {
      const close = findClassEnd(pattern, i);
      literal += pattern.slice(i, close + 1);
      i = close + 1;
    } else if (c === '{') {
      flush();
      const [options, end] = expandGroup(pattern, i);
      const next: string[] = [];
      for (const r of results) for (const o of options) next.push(r + o);
      if (next.length > MAX_BRACE_ALTERNATIVES) throw invalid(pattern, `its braces expand to more than ${MAX_BRACE_ALTERNATIVES} alternatives; reserve fewer files per pattern`);
      results = next;
      i = end + 1;
    } else if (inGroup && (c === ',' || c === '}')) {
      break;
    } else if (c === '}') {
      throw invalid(pattern, `unmatched "}" at position ${i + 1}`);
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return [results, i];
}

/** `pattern[open]` is `{`; returns the alternatives of the group and the index of its `}`. */
function expandGroup(pattern: string, open: number): [string[], number] {
  const options: string[] = [];
  let i = open + 1;
  let parts = 0;
  for (;;) {
    const [alts, end] = expandSequence(pattern, i, true);
    options.push(...alts);
    parts++;
    if (end >= pattern.length) throw invalid(pattern, `unclosed "{" at position ${open + 1}`);
    if (pattern[end] === '}') {
      if (parts < 2) throw invalid(pattern, `"{...}" at position ${open + 1} needs at least two alternatives separated by "," (e.g. {a,b})`);
      return [options, end];
    }
    i = end + 1;
  }
}

/** `pattern[open]` is `[`; returns the index of the closing `]`. */
function findClassEnd(pattern: string, open: number, text = pattern): number {
  let i = open + 1;
  if (text[i] === '!' || text[i] === '^') i++;
  const first = i;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === ']' && i > first) return i;
    if (c === ']') throw invalid(pattern, `empty "[]" at position ${open + 1}`);
    if (c === '/') throw invalid(pattern, `"/" cannot appear inside "[...]" (position ${i + 1}); a class matches one character of a file name`);
    if (c === '[') throw invalid(pattern, `"[" inside "[...]" at position ${i + 1} is not supported (POSIX classes like [:alpha:] are not either)`);
  }
  throw invalid(pattern, `unclosed "[" at position ${open + 1}`);
}

function parseAlternative(pattern: string, source: string): Segment[] {
  return source.split('/').map((text) => parseSegment(pattern, text));
}

/**
 * One shared token per literal character: tokens are never changed once parsed, and a project holds
 * up to 20,000 leases of paths of 100+ characters (three objects per character each would be millions
 * of objects to build and keep when a run restores them).
 */
const LITERAL_TOKENS = new Map<number, Token>();
function literalToken(code: number): Token {
  let token = LITERAL_TOKENS.get(code);
  if (!token) LITERAL_TOKENS.set(code, (token = { kind: 'char', set: [[code, code]] }));
  return token;
}

function parseSegment(pattern: string, text: string): Segment {
  if (text === '**') return { kind: 'globstar' };
  const tokens: Token[] = [];
  let literal: string | undefined = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '*') {
      while (text[i] === '*') i++;
      tokens.push({ kind: 'star' });
      literal = undefined;
    } else if (c === '?') {
      tokens.push({ kind: 'char', set: ANY_CHAR });
      literal = undefined;
      i++;
    } else if (c === '[') {
      const close = findClassEnd(pattern, i, text);
      tokens.push({ kind: 'char', set: parseClass(pattern, text.slice(i + 1, close)) });
      literal = undefined;
      i = close + 1;
    } else {
      tokens.push(literalToken(text.charCodeAt(i)));
      if (literal !== undefined) literal += c;
      i++;
    }
  }
  return { kind: 'segment', tokens, literal };
}

/** The inside of `[...]` (without the brackets) as a set of characters other than `/`. */
function parseClass(pattern: string, body: string): CharSet {
  const negated = body[0] === '!' || body[0] === '^';
  const items = negated ? body.slice(1) : body;
  const ranges: [number, number][] = [];
  for (let i = 0; i < items.length; i++) {
    const lo = items.charCodeAt(i);
    if (items[i + 1] === '-' && i + 2 < items.length) {
      const hi = items.charCodeAt(i + 2);
      if (hi < lo) throw invalid(pattern, `range "${items.slice(i, i + 3)}" is reversed; write "${items[i + 2]}-${items[i]}"`);
      ranges.push([lo, hi]);
      i += 2;
    } else {
      ranges.push([lo, lo]);
    }
  }
  const set = normalize(ranges);
  return intersect(negated ? complement(set) : set, ANY_CHAR);
}

export function normalize(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_UNIT) out.push([next, MAX_CODE_UNIT]);
  return out;
}

export function intersect(a: CharSet, b: CharSet): CharSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

export function contains(set: CharSet, code: number): boolean {
  return set.some(([lo, hi]) => lo <= code && code <= hi);
}

/**
 * The patterns picomatch should see for a Baton pattern, so that matching concrete paths with it means
 * exactly what the overlap decision assumes: braces expanded by us (picomatch does not treat `**` as a
 * globstar inside a brace group), `[!...]` spelled `[^...]` (picomatch reads `[!a]` as a literal), and a
 * trailing `/**` also tried without it (picomatch matches `a/**` against `a`, but not `*` + `/**`).
 */
export function picomatchSources(parsed: ParsedGlob): string[] {
  const out = new Set<string>();
  for (const alt of parsed.alternatives) {
    const source = alt.source.replace(/\[!/g, '[^');
    out.add(source);
    let trimmed = source;
    while (trimmed.endsWith('/**')) {
      trimmed = trimmed.slice(0, -3);
      if (trimmed) out.add(trimmed);
    }
  }
  return [...out];
}

/**
 * A concrete path read as the plain-path pattern a reservation of it would be (a directory by its form
 * covers everything under it, a file only itself), with any glob characters in it read literally (a
 * checked path such as `app/[id]/page.tsx` names that file, not a class).
 */
export function literalGlob(path: string): ParsedGlob {
  const form = isDirectoryByForm(path) ? 'directory' : 'file';
  const names = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  const segments: Segment[] = names.map((name) => {
    const tokens: Token[] = [];
    for (let i = 0; i < name.length; i++) tokens.push({ kind: 'char', set: [[name.charCodeAt(i), name.charCodeAt(i)]] });
    return { kind: 'segment', tokens, literal: name };
  });
  return { pattern: path, alternatives: [{ source: path, segments: form === 'directory' ? [...segments, GLOBSTAR] : segments }], form };
}
