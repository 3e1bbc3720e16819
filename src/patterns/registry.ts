import { BatonError } from '../domain/errors';
import { codeReview } from './code-review/definition';
import type { PatternDefinition } from './definition';
import { emergencyResponse } from './emergency-response/definition';
import { fullStackFeature } from './full-stack-feature/definition';
import { onboarding } from './onboarding/definition';
import { PATTERN_NAMES, type PatternName } from './names';
import { parallelDevelopment } from './parallel-development/definition';
import { sequentialHandoff } from './sequential-handoff/definition';

/**
 * Every coordination pattern Baton runs, by name. `baton start` (its subcommands and flags), `baton
 * patterns`, `baton recommend`, the typed client's `start`, the Baton server's start route, the MCP
 * tools and the visibility queries all read this list; each pattern's folder (src/patterns/<name>/)
 * holds the rest: plan, workflow, message API, client calls, CLI commands and MCP tools.
 */
export const PATTERNS: { readonly [P in PatternName]: PatternDefinition } = {
  'parallel-development': parallelDevelopment,
  'sequential-handoff': sequentialHandoff,
  'code-review': codeReview,
  'full-stack-feature': fullStackFeature,
  'emergency-response': emergencyResponse,
  onboarding,
};

/** The definitions in the seed's order. */
export const ALL_PATTERNS: readonly PatternDefinition[] = PATTERN_NAMES.map((name) => PATTERNS[name]);

/** A pattern's definition from its name or alias ("emergency", "full-stack"), ignoring case; undefined otherwise. */
export function findPattern(name: string): PatternDefinition | undefined {
  const wanted = name.trim().toLowerCase();
  return ALL_PATTERNS.find((p) => p.name === wanted || p.aliases.includes(wanted));
}

/** Like findPattern, or INVALID_INPUT naming every pattern and its short names. */
export function requirePattern(name: string): PatternDefinition {
  const found = findPattern(name);
  if (found) return found;
  throw new BatonError('INVALID_INPUT', `pattern: "${name}" is not a pattern; choose one of ${describeNames()}.`);
}

/** "parallel-development (parallel), sequential-handoff (handoff, sequential), ..." */
export const describeNames = (): string => ALL_PATTERNS.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ');
