import { BatonError } from '../errors';
import { parseGlob, type GlobAlternative, type ParsedGlob, type PatternForm } from './glob';

export const MAX_PATTERN_LENGTH = 1000;
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
export const DEFAULT_TTL_SECONDS = 3600;

const HINT = 'reserve just the files you are about to edit (e.g. src/api/users.ts or src/api/users/*.ts)';

export interface PatternPolicyOptions {
  /** A human's explicit override of the hoarding guard (`--allow-broad`). */
  allowBroad?: boolean;
}

function reject(pattern: string, why: string): BatonError {
  return new BatonError('INVALID_INPUT', `Pattern "${pattern}" ${why}`, { pattern });
}

/**
 * The hoarding guard and path hygiene for a reservation pattern. Rejects (with a message saying what to
 * do) empty patterns, absolute paths, backslashes, control characters, `.`/`..`/empty segments, and
 * patterns that name no file or directory at all (`**`, `*`, `**\/*`, `*\/**`, `?*`, also as one
 * alternative of a brace group), which would lock the whole repository. Returns the parsed pattern.
 */
export function checkPattern(pattern: string, options: PatternPolicyOptions = {}): ParsedGlob {
  if (pattern.trim() === '') throw reject(pattern, `is empty; ${HINT}.`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw reject(pattern.slice(0, 40) + '...', `is longer than ${MAX_PATTERN_LENGTH} characters; ${HINT}.`);
  if (pattern !== pattern.trim()) throw reject(pattern, 'has leading or trailing spaces; remove them.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw reject(pattern.replace(/[\u0000-\u001f\u007f]/g, '?'), 'contains control characters; use a plain repo-relative path.');
  if (pattern.includes('\\')) throw reject(pattern, 'contains "\\"; use "/" between directories, and note that escapes are not supported.');
  if (/^[A-Za-z]:/.test(pattern) || pattern.startsWith('~')) throw reject(pattern, 'is an absolute path; use a path relative to the repository root.');
  const parsed = parseGlob(pattern);
  for (const alt of parsed.alternatives) checkAlternative(pattern, parsed.form, alt, options);
  return parsed;
}

function checkAlternative(pattern: string, form: PatternForm, alt: GlobAlternative, options: PatternPolicyOptions): void {
  const where = alt.source === pattern ? '' : ` (alternative "${alt.source}")`;
  if (alt.source.startsWith('/')) throw reject(pattern, `is an absolute path${where}; use a path relative to the repository root.`);
  if (alt.source === '') throw reject(pattern, `has an empty alternative${where}; ${HINT}.`);
  // A plain path may end with one `/`, which marks a directory (glob.ts); anywhere else it is an empty name.
  const names = (form === 'directory' && alt.source.endsWith('/') ? alt.source.slice(0, -1) : alt.source).split('/');
  if (names.includes('..')) throw reject(pattern, `contains a ".." segment${where}; reservations are for files inside the repository.`);
  if (names.includes('.')) throw reject(pattern, `contains a "." segment${where}; write the path without "./".`);
  if (form === 'glob' && alt.source.endsWith('/')) {
    throw reject(pattern, `ends with "/"${where}; only a plain path may (it then names a directory). A glob names exactly what it matches: to cover everything under the directories it matches, end it with "/**".`);
  }
  if (names.includes('')) throw reject(pattern, `has an empty segment ("//")${where}; write one "/" between names.`);
  if (!options.allowBroad && coversWholeRepository(alt)) {
    throw reject(pattern, `would reserve the whole repository${where}; ${HINT}. A human may override with --allow-broad.`);
  }
}

/**
 * True when no segment names anything (only `**`, `*`, `?` and classes): such a pattern matches a file
 * in every top-level directory or every top-level file, which is hoarding, not a reservation.
 */
export function coversWholeRepository(alt: GlobAlternative): boolean {
  return alt.segments.every((s) => s.kind === 'globstar' || s.tokens.every((t) => t.kind === 'star' || t.set.length !== 1 || t.set[0]![0] !== t.set[0]![1]));
}

/**
 * Path hygiene for a concrete repo-relative path given to `check`. Like a reservation pattern it may end
 * with one `/` to name a directory (`config.d/`).
 */
export function checkPath(path: string): void {
  const reject = (why: string) => new BatonError('INVALID_INPUT', `Path "${path}" ${why}`, { path });
  if (path.trim() === '') throw reject('is empty; give a repo-relative file path.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw reject('contains control characters.');
  if (path.includes('\\')) throw reject('contains "\\"; use "/" between directories.');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) throw reject('is absolute; use a path relative to the repository root.');
  const names = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  if (names.includes('..') || names.includes('.') || names.includes('')) throw reject('has an empty, "." or ".." segment; use a normalized repo-relative path.');
}

export interface ClampedTtl {
  seconds: number;
  /** Set when the requested TTL was outside 60 s .. 1 year and was clamped. */
  clampedFrom?: number;
}

/** TTLs are clamped (not rejected) to 60 s .. 1 year; the answer says so. */
export function clampTtl(requested: number): ClampedTtl {
  const seconds = Math.min(MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, requested));
  return seconds === requested ? { seconds } : { seconds, clampedFrom: requested };
}
