import { ApplicationFailure } from '@temporalio/workflow';
import { BatonError, type ErrorCode } from '../domain/errors';
import { describeZodError } from '../domain/validation';
import type { z } from 'zod';

/**
 * Update handlers and validators must fail with ApplicationFailure: any other exception fails the
 * workflow task and wedges the workflow until a code fix. The failure type carries Baton's error code so
 * the client turns it back into the same BatonError.
 */
export function batonFailure(code: ErrorCode, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof BatonError) return batonFailure(err.code, err.message, err.details);
  return batonFailure('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** For update validators and handlers: parse with zod or throw an INVALID_INPUT ApplicationFailure. */
export function parseOrFail<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw batonFailure('INVALID_INPUT', describeZodError(result.error, what));
  return result.data;
}

/** Run domain code that throws BatonError and rethrow as ApplicationFailure. */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toFailure(err);
  }
}

/**
 * Queries cannot carry a typed failure to the client (the server reports any query failure as a bare
 * INVALID_ARGUMENT), so queries that can refuse (a wrong token, an unknown id) answer with this
 * envelope; `ProjectChannel.checkedQuery` turns it back into the BatonError.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; details?: unknown };

export function checked<T>(fn: () => T): Checked<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    const failure = toFailure(err);
    const details = failure.details?.[0];
    return { ok: false, code: (failure.type as ErrorCode) ?? 'INTERNAL', message: failure.message, ...(details === undefined ? {} : { details }) };
  }
}
