import type { PatternName } from './names';
import { PATTERNS } from './registry';

/**
 * Workflow selection (the seed's table): map a task description or type to the coordination pattern
 * that fits it, its typical duration, why, and how to start it. Pure keyword scoring, so it answers
 * instantly and the same way everywhere (CLI, MCP, tests).
 */

export interface PatternProfile {
  pattern: PatternName;
  label: string;
  taskType: string;
  duration: string;
  /** Words and phrases that point to this pattern (lower case; phrases match as substrings). */
  keywords: string[];
  why: string;
  /** An example `baton start` for it. */
  start: string;
  /** The seed's notes on how patterns compose. */
  uses?: string;
}

/**
 * The seed's table, from the registry, in the order that breaks ties between equal scores: urgent work
 * first, then the composed patterns, then the simple ones.
 */
const TIE_ORDER: PatternName[] = ['emergency-response', 'onboarding', 'full-stack-feature', 'code-review', 'sequential-handoff', 'parallel-development'];
export const PATTERN_PROFILES: PatternProfile[] = TIE_ORDER.map((name) => {
  const def = PATTERNS[name];
  return { pattern: name, label: def.label, ...def.selection, start: def.examples[0]!.replace(/ \\\n\s*/g, ' ') };
});

export interface Recommendation extends PatternProfile {
  /** Keywords of the description that matched (empty when nothing matched and the default was taken). */
  matched: string[];
  confidence: 'high' | 'medium' | 'low';
  alternatives: { pattern: PatternName; label: string; matched: string[] }[];
}

const TYPE_ALIASES: Record<string, PatternName> = {
  'independent features': 'parallel-development',
  'independent feature': 'parallel-development',
  'dependent tasks': 'sequential-handoff',
  'dependent task': 'sequential-handoff',
  'quality check': 'code-review',
  'complete feature': 'full-stack-feature',
  'production issue': 'emergency-response',
  'new team member': 'onboarding',
};

/**
 * Recommend a pattern for a task. A task type from the seed's table or a pattern name answers directly;
 * otherwise keywords are scored (longer phrases weigh more; the table's order breaks ties, urgent work
 * first). Nothing matched: Sequential Handoff, the safe default for work whose parts may depend on each
 * other, with low confidence.
 */
export function recommend(task: string): Recommendation {
  const text = ` ${task.toLowerCase().replace(/\s+/g, ' ').trim()} `;
  const exact = TYPE_ALIASES[text.trim()] ?? PATTERN_PROFILES.find((p) => p.pattern === text.trim() || p.label.toLowerCase() === text.trim())?.pattern;
  const scored = PATTERN_PROFILES.map((profile, order) => {
    const matched = profile.keywords.filter((k) => matches(text, k));
    const score = matched.reduce((sum, k) => sum + (k.includes(' ') ? 2 : 1), 0);
    return { profile, matched, score, order };
  });
  if (exact) {
    const hit = scored.find((s) => s.profile.pattern === exact)!;
    return build(hit.profile, [text.trim()], 'high', scored.filter((s) => s !== hit && s.score > 0));
  }
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.order - b.order);
  const best = ranked[0]!;
  if (best.score === 0) return build(PATTERN_PROFILES.find((p) => p.pattern === 'sequential-handoff')!, [], 'low', []);
  const second = ranked[1]!;
  const confidence = best.score >= 2 && best.score >= second.score * 2 ? 'high' : best.score > second.score ? 'medium' : 'low';
  return build(best.profile, best.matched, confidence, ranked.slice(1).filter((s) => s.score > 0));
}

function build(profile: PatternProfile, matched: string[], confidence: Recommendation['confidence'], others: { profile: PatternProfile; matched: string[] }[]): Recommendation {
  return { ...profile, matched, confidence, alternatives: others.map((o) => ({ pattern: o.profile.pattern, label: o.profile.label, matched: o.matched })) };
}

/** Whole words for single words ("prod" must not match "product"); substrings for phrases. */
function matches(text: string, keyword: string): boolean {
  if (keyword.includes(' ') || /[^a-z0-9-]/.test(keyword)) return text.includes(keyword);
  return new RegExp(`(^|[^a-z0-9-])${keyword.replace(/-/g, '\\-')}([^a-z0-9-]|$)`).test(text);
}
