import { contains, intersect, ANY_CHAR, type CharSet, type GlobAlternative, type ParsedGlob, type Segment, type Token } from './glob';

/**
 * Decides exactly whether two patterns can cover a common repo-relative path, and if so returns one such
 * path (the witness), which tests check against a brute-force oracle. A plain directory arrives parsed
 * with a trailing `**` and a plain file as just its names (glob.ts), so neither needs anything special
 * here. Braces are expanded first; each pair of alternatives is then intersected segment by segment
 * (`**` matches zero or more segments), and two segments by walking the product of their automata (`*`,
 * `?`, classes) while tracking that the common name is not empty, `.` or `..`. Both searches are
 * breadth-first over a finite state space, so the answer is exact, not a heuristic: no false negatives
 * and no false positives for the supported syntax. The witness has as few segments as possible: `pkg` and `pkg/x.ts` give `pkg/x.ts`.
 * (Breadth-first order counts steps, and every accepted route skips each `**` exactly once, so fewest
 * steps is fewest segments.)
 */
export function overlapWitness(a: ParsedGlob, b: ParsedGlob): string | undefined {
  // Every pair of alternatives is tried so that the witness has the fewest segments overall: then, for a
  // checked path P, the witness is P itself exactly when the other pattern covers P (and not only
  // something under it), which the git guard relies on.
  let best: string[] | undefined;
  for (const x of a.alternatives) {
    for (const y of b.alternatives) {
      const witness = segmentsWitness(x.segments, y.segments);
      if (witness !== undefined && (best === undefined || witness.length < best.length)) best = witness;
    }
  }
  return best?.join('/');
}

/** The decision alone: stops at the first overlapping pair of alternatives. */
export function overlaps(a: ParsedGlob, b: ParsedGlob): boolean {
  return a.alternatives.some((x) => b.alternatives.some((y) => segmentsWitness(x.segments, y.segments) !== undefined));
}

/** Whether any path matches the pattern (every pattern the parser accepts does, but callers may ask). */
export function alternativesWitness(p: GlobAlternative, q: GlobAlternative): string | undefined {
  const path = segmentsWitness(p.segments, q.segments);
  return path?.join('/');
}

/** Any file name matching a segment, or undefined when none does (e.g. a class no name satisfies). */
export function segmentWitness(segment: Segment): string | undefined {
  if (segment.kind === 'globstar') return 'a';
  return tokensWitness(segment.tokens, [{ kind: 'star' }]);
}

interface SegState {
  i: number;
  j: number;
  nonEmpty: boolean;
  prev?: SegState;
  /** The path segment added on the step into this state, if any. */
  name?: string;
}

/**
 * Breadth-first search over (position in p, position in q, at least one segment consumed). A globstar
 * may be skipped (zero segments) or consume one segment that the other side's current position accepts.
 */
function segmentsWitness(p: Segment[], q: Segment[]): string[] | undefined {
  const seen = new Set<string>();
  const queue: SegState[] = [{ i: 0, j: 0, nonEmpty: false }];
  const push = (s: SegState) => {
    const key = `${s.i},${s.j},${s.nonEmpty ? 1 : 0}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(s);
  };
  seen.add('0,0,0');
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    if (s.i === p.length && s.j === q.length && s.nonEmpty) return pathOf(s);
    const x = p[s.i];
    const y = q[s.j];
    if (x?.kind === 'globstar') push({ i: s.i + 1, j: s.j, nonEmpty: s.nonEmpty, prev: s });
    if (y?.kind === 'globstar') push({ i: s.i, j: s.j + 1, nonEmpty: s.nonEmpty, prev: s });
    if (!x || !y) continue;
    if (x.kind === 'globstar' && y.kind === 'globstar') {
      push({ i: s.i, j: s.j, nonEmpty: true, prev: s, name: 'a' });
    } else if (x.kind === 'globstar' && y.kind === 'segment') {
      const name = tokensWitness(y.tokens, [{ kind: 'star' }]);
      if (name !== undefined) push({ i: s.i, j: s.j + 1, nonEmpty: true, prev: s, name });
    } else if (x.kind === 'segment' && y.kind === 'globstar') {
      const name = tokensWitness(x.tokens, [{ kind: 'star' }]);
      if (name !== undefined) push({ i: s.i + 1, j: s.j, nonEmpty: true, prev: s, name });
    } else if (x.kind === 'segment' && y.kind === 'segment') {
      const name = tokensWitness(x.tokens, y.tokens);
      if (name !== undefined) push({ i: s.i + 1, j: s.j + 1, nonEmpty: true, prev: s, name });
    }
  }
  return undefined;
}

function pathOf(s: SegState): string[] {
  const names: string[] = [];
  for (let at: SegState | undefined = s; at; at = at.prev) if (at.name !== undefined) names.push(at.name);
  return names.reverse();
}

/**
 * What the common name looks like so far: empty, ".", "..", a longer name that began with a dot, or one
 * that did not. Path segments may not be empty, "." or "..", so only the last two kinds may end the
 * search; a name not beginning with a dot is preferred, because a witness such as `src/a.ts` reads as
 * the example it is shown as, where the equally valid `src/.ts` puzzles people.
 */
const EMPTY = 0;
const ONE_DOT = 1;
const TWO_DOTS = 2;
const DOTTED = 3;
const PLAIN = 4;
const DOT = 0x2e;

interface CharState {
  i: number;
  j: number;
  shape: number;
  prev?: CharState;
  char?: number;
}

/**
 * Breadth-first search over the product of two segment automata; returns a shortest common name that
 * does not begin with a dot, else a shortest one that does, else undefined (no common name).
 */
export function tokensWitness(p: Token[], q: Token[]): string | undefined {
  const seen = new Set<string>();
  const queue: CharState[] = [];
  const push = (s: CharState) => {
    // A star may match nothing: close over skipping stars before recording the state.
    const key = `${s.i},${s.j},${s.shape}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(s);
    if (p[s.i]?.kind === 'star') push({ i: s.i + 1, j: s.j, shape: s.shape, prev: s });
    if (q[s.j]?.kind === 'star') push({ i: s.i, j: s.j + 1, shape: s.shape, prev: s });
  };
  push({ i: 0, j: 0, shape: EMPTY });
  let dotted: CharState | undefined;
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    if (s.i === p.length && s.j === q.length) {
      if (s.shape === PLAIN) return nameOf(s);
      if (s.shape === DOTTED) dotted ??= s;
    }
    const x = p[s.i];
    const y = q[s.j];
    if (!x || !y) continue;
    const set = intersect(tokenSet(x), tokenSet(y));
    if (set.length === 0) continue;
    const i = x.kind === 'star' ? s.i : s.i + 1;
    const j = y.kind === 'star' ? s.j : s.j + 1;
    const short = s.shape === EMPTY || s.shape === ONE_DOT;
    if (short && contains(set, DOT)) push({ i, j, shape: s.shape === EMPTY ? ONE_DOT : TWO_DOTS, prev: s, char: DOT });
    const other = pickChar(set, short ? DOT : undefined);
    if (other !== undefined) push({ i, j, shape: s.shape === EMPTY || s.shape === PLAIN ? PLAIN : DOTTED, prev: s, char: other });
  }
  return dotted && nameOf(dotted);
}

function tokenSet(token: Token): CharSet {
  return token.kind === 'star' ? ANY_CHAR : token.set;
}

function nameOf(s: CharState): string {
  const codes: number[] = [];
  for (let at: CharState | undefined = s; at; at = at.prev) if (at.char !== undefined) codes.push(at.char);
  return String.fromCharCode(...codes.reverse());
}

const PREFERRED = [...'abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => c.charCodeAt(0));

/** A character of `set` other than `except`, preferring ones that read well in a witness path. */
function pickChar(set: CharSet, except: number | undefined): number | undefined {
  for (const code of PREFERRED) if (code !== except && contains(set, code)) return code;
  for (const [lo, hi] of set) {
    for (let code = lo; code <= hi && code <= lo + 1; code++) if (code !== except) return code;
  }
  return undefined;
}
