import type { ParsedGlob } from './glob';
import { overlapWitness } from './overlap';

/** Why two patterns overlap: a path both cover, and the rule that makes each cover it, in words. */
export interface OverlapExplanation {
  /** A repo-relative path both patterns cover, e.g. `codex/skills/a` (the shortest one found). */
  example: string;
  /**
   * One short sentence naming the rule per side: "src/*.ts matches src/a.ts", "codex/skills covers
   * everything under it, including codex/skills/run.sh", "both name src/a.ts".
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
  return { example, rule: ruleFor(a.pattern === b.pattern && a.plainPath === b.plainPath ? [a] : [a, b], example) };
}

function ruleFor(sides: ParsedGlob[], example: string): string {
  const globs = sides.filter((s) => !s.plainPath).map((s) => s.pattern);
  // A plain path equal to the example needs no words: it simply names that path.
  const above = sides.filter((s) => s.plainPath && s.pattern !== example).map((s) => s.pattern);
  if (globs.length === 0) {
    if (above.length === 0) return `both name ${example}`;
    if (above.length === 1) return `${above[0]} covers everything under it, including ${example}`;
    return `${example} is under both ${above.join(' and ')}`;
  }
  const matched = globs.length === 1 ? `${globs[0]} matches ${example}` : `${globs[0]} and ${globs[1]} both match ${example}`;
  return above.length === 0 ? matched : `${matched}, which is under ${above.join(' and ')}`;
}
