/**
 * The coordination patterns by name, in the seed's order. The registry (src/patterns/registry.ts)
 * describes each one; this list holds only the names so schemas and types can name a pattern without
 * loading the registry.
 */
export const PATTERN_NAMES = ['parallel-development', 'sequential-handoff', 'code-review', 'full-stack-feature', 'emergency-response', 'onboarding'] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

export const isPatternName = (name: string): name is PatternName => (PATTERN_NAMES as readonly string[]).includes(name);
