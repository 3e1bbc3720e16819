/**
 * The coordination patterns by name (no zod: the CLI reads these without loading any schema).
 */
export const PATTERN_NAMES = ['sequential-handoff', 'code-review', 'parallel-development'] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];
/**
 * Emergency Response, Onboarding and Full-Stack Feature (plans in src/schemas/emergency.ts, onboarding.ts,
 * full-stack.ts, started by their own clients): they share PatternRun, the status query and the
 * report/approve API, so the shared client resolves and lists them too.
 */
export const PATTERN_NAMES_II = ['emergency-response', 'onboarding', 'full-stack-feature'] as const;
export const ALL_PATTERN_NAMES = [...PATTERN_NAMES, ...PATTERN_NAMES_II] as const;
export type AnyPatternName = (typeof ALL_PATTERN_NAMES)[number];

/** Short names people type (`baton start emergency`), besides the full ones. */
export const PATTERN_ALIASES: Readonly<Record<string, AnyPatternName>> = {
  emergency: 'emergency-response',
  'full-stack': 'full-stack-feature',
  handoff: 'sequential-handoff',
  review: 'code-review',
  parallel: 'parallel-development',
};

/** A pattern's full name from its full or short name; undefined for anything else. */
export function resolvePatternName(name: string): AnyPatternName | undefined {
  const lower = name.trim().toLowerCase();
  if ((ALL_PATTERN_NAMES as readonly string[]).includes(lower)) return lower as AnyPatternName;
  return PATTERN_ALIASES[lower];
}

