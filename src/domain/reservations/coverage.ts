import { ANY_CHAR, contains, type CharSet, type ParsedGlob, type Segment, type Token } from './glob';

/**
 * Decides exactly whether some patterns together cover every path another pattern covers (a step's file
 * under an agent's own `src/api/**`), and if not returns one path they miss (the gap), which tests check
 * against a brute-force oracle. Overlap (overlap.ts) asks whether two patterns share a path; coverage asks
 * whether one's paths all lie in the others', the question "what does this agent still lack" needs.
 *
 * Written by hand like the overlap decision, for the same reason: it must read patterns exactly as
 * glob.ts does (plain directories, `**` over whole segments, no empty, `.` or `..` names), which no
 * matcher library decides for two patterns. The search runs over paths segment by segment: the wanted
 * pattern's position (nondeterministic), the set of positions the held patterns can be in after the same
 * names (determinised, so "no held pattern matches" is a state), and whether a name was read. For each
 * step it asks which held segments a name of the wanted segment can match, and which it can avoid, by a
 * second breadth-first search over characters (the wanted segment's automaton with every held segment's,
 * determinised, over the classes of characters the sets tell apart). Both spaces are finite, so the
 * answer is exact. Held patterns that do not overlap the wanted one can be left out by the caller.
 */
export function coverageGap(held: ParsedGlob[], wanted: ParsedGlob): string | undefined {
  const heldAlts = held.flatMap((h) => h.alternatives.map((a) => a.segments));
  for (const alt of wanted.alternatives) {
    const gap = alternativeGap(heldAlts, alt.segments);
    if (gap !== undefined) return gap.join('/');
  }
  return undefined;
}

/** Whether every path `wanted` covers is covered by one of `held`. */
export function covers(held: ParsedGlob[], wanted: ParsedGlob): boolean {
  return coverageGap(held, wanted) === undefined;
}

/** A position in a held alternative: [alternative, segment index], as "a.j". */
type HeldPos = string;

interface PathState {
  i: number;
  held: HeldPos[];
  nonEmpty: boolean;
  prev?: PathState;
  name?: string;
}

function alternativeGap(heldAlts: Segment[][], wanted: Segment[]): string[] | undefined {
  const closure = (positions: Iterable<HeldPos>): HeldPos[] => {
    const out = new Set<HeldPos>();
    const todo = [...positions];
    while (todo.length) {
      const p = todo.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      const [a, j] = p.split('.').map(Number) as [number, number];
      // `**` may match no segment: the position after it is reached too.
      if (heldAlts[a]![j]?.kind === 'globstar') todo.push(`${a}.${j + 1}`);
    }
    return [...out].sort();
  };
  const accepts = (positions: HeldPos[]) =>
    positions.some((p) => {
      const [a, j] = p.split('.').map(Number) as [number, number];
      return j === heldAlts[a]!.length;
    });

  const seen = new Set<string>();
  const queue: PathState[] = [];
  const push = (s: PathState) => {
    const key = `${s.i}|${s.nonEmpty ? 1 : 0}|${s.held.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(s);
  };
  push({ i: 0, held: closure(heldAlts.map((_, a) => `${a}.0`)), nonEmpty: false });
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    if (s.i === wanted.length && s.nonEmpty && !accepts(s.held)) return pathOf(s);
    const x = wanted[s.i];
    if (!x) continue;
    if (x.kind === 'globstar') push({ ...s, i: s.i + 1, prev: s, name: undefined });
    // The held segments that might read the next name, and the held `**`s that read any name.
    const stars: HeldPos[] = [];
    const segs: { pos: HeldPos; tokens: Token[] }[] = [];
    for (const p of s.held) {
      const [a, j] = p.split('.').map(Number) as [number, number];
      const y = heldAlts[a]![j];
      if (y?.kind === 'globstar') stars.push(p);
      else if (y) segs.push({ pos: p, tokens: y.tokens });
    }
    const tokens = x.kind === 'globstar' ? [STAR] : x.tokens;
    for (const { name, matched } of nameOutcomes(tokens, segs.map((y) => y.tokens))) {
      const next = [...stars, ...matched.map((k) => advance(segs[k]!.pos))];
      push({ i: x.kind === 'globstar' ? s.i : s.i + 1, held: closure(next), nonEmpty: true, prev: s, name });
    }
  }
  return undefined;
}

const STAR: Token = { kind: 'star' };

function advance(p: HeldPos): HeldPos {
  const [a, j] = p.split('.').map(Number) as [number, number];
  return `${a}.${j + 1}`;
}

function pathOf(s: PathState): string[] {
  const names: string[] = [];
  for (let at: PathState | undefined = s; at; at = at.prev) if (at.name !== undefined) names.push(at.name);
  return names.reverse();
}

/**
 * The shape of the name read so far: a path name may not be empty, "." or "..", so only DOTTED (a
 * longer name beginning with a dot) and PLAIN may end it.
 */
const EMPTY = 0;
const ONE_DOT = 1;
const TWO_DOTS = 2;
const DOTTED = 3;
const PLAIN = 4;
const DOT = 0x2e;

interface NameState {
  x: number[];
  ys: number[][];
  shape: number;
  prev?: NameState;
  char?: number;
}

/**
 * Every way a valid name matching `x` can fall among the segments `ys`: for each distinct set of the
 * ys it matches, one such name. Determinised breadth-first search over characters, one representative
 * per class of characters that no set tells apart.
 */
function nameOutcomes(x: Token[], ys: Token[][]): { name: string; matched: number[] }[] {
  const classes = characterClasses([x, ...ys]);
  const seen = new Set<string>();
  const queue: NameState[] = [];
  const push = (s: NameState) => {
    const key = `${s.x.join(',')}|${s.ys.map((y) => y.join(',')).join(';')}|${s.shape}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(s);
  };
  push({ x: skipStars(x, [0]), ys: ys.map((y) => skipStars(y, [0])), shape: EMPTY });
  const outcomes = new Map<string, { name: string; matched: number[] }>();
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    if ((s.shape === PLAIN || s.shape === DOTTED) && s.x.includes(x.length)) {
      const matched = ys.flatMap((y, k) => (s.ys[k]!.includes(y.length) ? [k] : []));
      const key = matched.join(',');
      // Breadth-first: the first name found for an outcome is a shortest one.
      if (!outcomes.has(key)) outcomes.set(key, { name: nameOf(s), matched });
    }
    for (const code of classes) {
      const nx = step(x, s.x, code);
      if (!nx.length) continue;
      const shape = s.shape === EMPTY ? (code === DOT ? ONE_DOT : PLAIN) : s.shape === ONE_DOT ? (code === DOT ? TWO_DOTS : DOTTED) : s.shape === TWO_DOTS ? DOTTED : s.shape;
      push({ x: nx, ys: ys.map((y, k) => step(y, s.ys[k]!, code)), shape, prev: s, char: code });
    }
  }
  return [...outcomes.values()];
}

/** Positions after reading `code` from `positions` of a segment's tokens (a star stays and may end). */
function step(tokens: Token[], positions: number[], code: number): number[] {
  const next: number[] = [];
  for (const k of positions) {
    const t = tokens[k];
    if (!t) continue;
    if (t.kind === 'star') next.push(k);
    else if (contains(t.set, code)) next.push(k + 1);
  }
  return skipStars(tokens, next);
}

/** Closes positions over stars matching nothing; sorted, without repeats. */
function skipStars(tokens: Token[], positions: number[]): number[] {
  const out = new Set<number>();
  for (let k of positions) {
    out.add(k);
    while (tokens[k]?.kind === 'star') out.add(++k);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * One character per class of name characters that every set involved treats alike (the set bounds cut
 * ANY_CHAR into intervals; the dot gets its own, it decides a name's shape), readable ones preferred.
 */
function characterClasses(segments: Token[][]): number[] {
  const sets: CharSet[] = [[[DOT, DOT]]];
  for (const tokens of segments) for (const t of tokens) if (t.kind === 'char') sets.push(t.set);
  const cuts = new Set<number>();
  for (const set of sets) for (const [lo, hi] of set) cuts.add(lo).add(hi + 1);
  for (const [lo, hi] of ANY_CHAR) cuts.add(lo).add(hi + 1);
  const bounds = [...cuts].sort((a, b) => a - b);
  const out: number[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const lo = bounds[k]!;
    const hi = bounds[k + 1]! - 1;
    if (!contains(ANY_CHAR, lo)) continue;
    out.push(READABLE.find((c) => c >= lo && c <= hi) ?? lo);
  }
  return out;
}

const READABLE = [...'abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => c.charCodeAt(0));

function nameOf(s: NameState): string {
  const codes: number[] = [];
  for (let at: NameState | undefined = s; at; at = at.prev) if (at.char !== undefined) codes.push(at.char);
  return String.fromCharCode(...codes.reverse());
}
