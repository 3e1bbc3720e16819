/**
 * Reads of parsed JSON for the hooks' fast path. A hook runs around every tool call of an agent, and
 * loading zod costs more than the rest of a hook's own work (`npm run bench -- hooks` measures it), so
 * each protocol reads its common, well-formed input with these few checks and hands anything they do not
 * recognise to its zod schema (protocols/*-input.ts), which stays the authority: it accepts or refuses
 * that input and says which field is wrong. A test (test/hooks/fast-path.test.ts) holds both readings
 * to the same answer on every documented input and on variations of them.
 */
export type JsonObject = Record<string, unknown>;

/** A JSON object (not null, not an array), as zod's object and record schemas require. */
export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every key absent or a string; those in `nullable` may also be null. */
export function optionalStrings(o: JsonObject, keys: readonly string[], nullable: readonly string[] = []): boolean {
  return keys.every((k) => o[k] === undefined || typeof o[k] === 'string') && nullable.every((k) => o[k] === undefined || o[k] === null || typeof o[k] === 'string');
}

export const optionalBoolean = (value: unknown): boolean => value === undefined || typeof value === 'boolean';

export const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
