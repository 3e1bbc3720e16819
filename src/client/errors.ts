import { ServiceError, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, QueryNotRegisteredError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { BatonError, isErrorCode } from '../domain/errors';

/**
 * Turns what the Temporal client throws into a BatonError with the same code and message the workflow
 * raised, so callers (CLI, MCP, scripts) see one vocabulary. Connection failures become UNAVAILABLE
 * with a hint on how to start or point at a server.
 */
export function toBatonError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  let cause: unknown = err;
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError) cause = err.cause;
  while (cause instanceof TemporalFailure && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    const code = isErrorCode(cause.type) ? cause.type : 'INTERNAL';
    return new BatonError(code, cause.message, cause.details?.[0]);
  }
  if (err instanceof WorkflowNotFoundError) return new BatonError('NOT_FOUND', err.message);
  if (err instanceof QueryNotRegisteredError) return new BatonError('NOT_FOUND', err.message);
  // The client's ServiceError says only which call failed ("Workflow Update failed"); the gRPC status
  // (e.g. "14 UNAVAILABLE: Connection dropped") is in its cause.
  const message = err instanceof ServiceError && err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err instanceof Error ? err.message : String(err);
  if (/UNAVAILABLE|ECONNREFUSED|Failed to connect|connect ECONN|transport|DEADLINE_EXCEEDED.*connect/i.test(message)) {
    return new BatonError(
      'UNAVAILABLE',
      `Cannot reach Temporal (${message.split('\n')[0]}). Start Baton with \`npm start\`, or set TEMPORAL_ADDRESS to a running server.`,
    );
  }
  return new BatonError('INTERNAL', message);
}

/** Await a Temporal call and rethrow any failure as a BatonError. */
export async function batonCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toBatonError(err);
  }
}
