/**
 * Baton's error vocabulary, shared by workflows (as ApplicationFailure types), the client (as
 * BatonError), the CLI (as exit codes) and the MCP server (as tool errors), so one mistake reads the
 * same everywhere. No Temporal import: workflows wrap these in ApplicationFailure themselves.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'CONFLICT',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'ALREADY_EXISTS',
  'INVALID_STATE',
  'TIMEOUT',
  'UNAVAILABLE',
  /** Temporal refused or aborted the call for load before anything was done (safe to send again). */
  'BUSY',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** CLI exit codes, documented in the README; scripts branch on them. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  INTERNAL: 1,
  INVALID_INPUT: 2,
  CONFLICT: 3,
  NOT_FOUND: 4,
  UNAUTHORIZED: 5,
  FORBIDDEN: 5,
  ALREADY_EXISTS: 6,
  INVALID_STATE: 6,
  TIMEOUT: 7,
  UNAVAILABLE: 8,
  BUSY: 9,
};

export class BatonError extends Error {
  override readonly name = 'BatonError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
