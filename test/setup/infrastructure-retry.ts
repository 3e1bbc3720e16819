import { recogniseInfrastructureError } from './infrastructure-errors';

/** Marks the entries this retry writes into a test's retryReasons (the reporter counts them). */
export const RETRY_REASON_PREFIX = '[infrastructure retry]';

/**
 * Wraps a test body so that it runs once more, and only once, when its first run fails with a
 * recognised infrastructure error (see infrastructure-errors.ts). Any other failure, and any failure of
 * the second run, is thrown as it is. `onRetry` hears about every retry before it starts.
 */
export function retryOnInfrastructureError<This, R>(
  body: (this: This) => R | Promise<R>,
  onRetry: (reason: string, error: unknown) => void,
  recognise: (err: unknown) => string | undefined = recogniseInfrastructureError,
): (this: This) => Promise<R> {
  return async function (this: This) {
    try {
      return await body.call(this);
    } catch (err) {
      const reason = recognise(err);
      if (!reason) throw err;
      onRetry(reason, err);
      return await body.call(this);
    }
  };
}

/** The retryReasons entry for one retry: its first line says why, the rest is the first failure. */
export function retryReason(reason: string, error: unknown): Error {
  const entry = new Error(`${RETRY_REASON_PREFIX} ${reason}`);
  const first = error instanceof Error ? (error.stack ?? error.message) : String(error);
  entry.stack = `Error: ${RETRY_REASON_PREFIX} ${reason}\n  first failure: ${first.replace(/\n/g, '\n  ')}`;
  return entry;
}
