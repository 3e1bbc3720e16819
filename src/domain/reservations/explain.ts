import type { ParsedGlob } from './glob';
import { overlapWitness } from './overlap';

/** Why two patterns overlap: a path both cover, and the rule that makes each cover it, in words. */
export interface OverlapExplanation {
  /** A repo-relative path both patterns cover, e.g. `codex/skills/a` (one with the fewest segments). */
  example: string;
  /**
   * One short sentence naming the rule per side: "src/*.ts matches src/a.ts", "codex/skills covers
   * everything under it (a path without an extension is a directory), including codex/skills/run.sh",
   * "config.d/ covers everything under it, including config.d/a.conf", "both name src/a.ts".
   */
  rule: string;
}

/**
 * The exact overlap decision (overlap.ts) with its witness turned into words, for conflict reports that
 * say why a lease stands in the way. `undefined` when nothing both patterns cover exists.
 */
export function explainOverlap(a: ParsedGlob, b: ParsedGlob): OverlapExplanation | undefined {
  const example = overlapWitness(a, b);
  if (example === undefined) return undefined;
  return { example, rule: ruleFor(a.pattern === b.pattern && a.form === b.form ? [a] : [a, b], example) };
}

function ruleFor(sides: ParsedGlob[], example: string): string {
  const globs = sides.filter((s) => s.form === 'glob').map((s) => s.pattern);
  // A plain path that is the example needs no words: it simply names that path (a file always does).
  const above = sides.filter((s) => s.form === 'directory' && withoutSlash(s.pattern) !== example);
  if (globs.length === 0) {
    if (above.length === 0) return `both name ${example}`;
    if (above.length === 1) return `${above[0]!.pattern} covers everything under it${whyDirectory(above[0]!)}, including ${example}`;
    return `${example} is under both ${above.map((s) => s.pattern).join(' and ')}`;
  }
  const matched = globs.length === 1 ? `${globs[0]} matches ${example}` : `${globs[0]} and ${globs[1]} both match ${example}`;
  return above.length === 0 ? matched : `${matched}, which is under ${above.map((s) => s.pattern + whyDirectory(s)).join(' and ')}`;
}

/**
 * Said of a directory written without a trailing `/`, because people read `codex/skills` as one path
 * and are surprised when it covers `codex/skills/run.sh`; a trailing `/` says it by itself.
 */
function whyDirectory(side: ParsedGlob): string {
  return side.pattern.endsWith('/') ? '' : ' (a path without an extension is a directory)';
}

const withoutSlash = (pattern: string) => (pattern.endsWith('/') ? pattern.slice(0, -1) : pattern);
