import { isGrpcServiceError, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, QueryNotRegisteredError } from '@temporalio/client';
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
  const grpc = grpcCause(err);
  const busy = grpc && busyError(grpc);
  if (busy) return busy;
  // The SDK's own message ("Workflow Update failed") says nothing; the server's reason is in the cause.
  const outer = err instanceof Error ? err.message : String(err);
  // Keep the status in the words ("14 UNAVAILABLE: ..."): people and the tests' retry recogniser read it.
  const message = grpc && !outer.includes(grpc.reason) ? `${outer}: ${grpc.full}` : outer;
  if (grpc?.code === UNAVAILABLE || /UNAVAILABLE|ECONNREFUSED|Failed to connect|connect ECONN|transport|DEADLINE_EXCEEDED.*connect/i.test(message)) {
    return new BatonError(
      'UNAVAILABLE',
      `Cannot reach Temporal (${message.split('\n')[0]}). Start Baton with \`npm start\`, or set TEMPORAL_ADDRESS to a running server.`,
    );
  }
  return new BatonError('INTERNAL', message);
}

interface GrpcCause {
  code: number;
  /** What the server said, without grpc-js's "8 RESOURCE_EXHAUSTED: " prefix. */
  reason: string;
  /** Everything the error carries, to recognise a refusal by. */
  text: string;
  /** grpc-js's own message, status included ("14 UNAVAILABLE: Connection dropped"). */
  full: string;
}

/** The gRPC status codes read here, fixed by the gRPC spec (the SDK's grpc-js is not a dependency of Baton's). */
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

/**
 * The gRPC status under an SDK error. The client wraps what the server said in a ServiceError and
 * keeps the status in `cause`, a level or two down; for update-with-start it throws the status itself,
 * rewritten to the failed operation's code and message (its `details` keep the generic
 * "Update-with-Start could not be executed.").
 */
function grpcCause(err: unknown): GrpcCause | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (isGrpcServiceError(e)) {
      const reason = e.message.replace(/^\d+ [A-Z_]+: /, '');
      return { code: e.code, reason, text: `${reason}\n${e.details}`, full: e.message };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Refusals a loaded server gives before the workflow accepted anything: over the limit of in-flight
 * updates per workflow (10 at Temporal's default dynamic config, e.g. on Temporal Cloud), another
 * RESOURCE_EXHAUSTED limit, or an update the server aborted when it dropped the workflow's cached
 * state ("workflow update was aborted": the server returns it only for updates it had not accepted,
 * as a retryable UNAVAILABLE), or one whose workflow task the server failed before it was accepted
 * ("... due to unexpected workflow task failure", FAILED_PRECONDITION: measured on the cluster when a
 * continue-as-new meets updates that arrived meanwhile, which the server fails as UnhandledCommand).
 * Nothing ran, so the call can be sent again (under the same update id, so even an update that did run
 * is answered, not repeated); ProjectChannel does, and says BUSY when it gives up.
 */
const ABORTED = /workflow update was aborted|update registry was cleared|update due to unexpected workflow task failure/i;
const IN_FLIGHT_LIMIT = /concurrent in-flight updates|in-flight updates has been reached/i;

function busyError(grpc: GrpcCause): BatonError | undefined {
  const details = { grpcCode: grpc.code, serverMessage: grpc.reason };
  if (IN_FLIGHT_LIMIT.test(grpc.text)) {
    return new BatonError(
      'BUSY',
      `Temporal refused the update: the workflow is at its in-flight update limit (${grpc.reason}). Nothing was changed; ` +
        'try again in a moment, or raise history.maxInFlightUpdates in the cluster\'s dynamic config.',
      details,
    );
  }
  if (ABORTED.test(grpc.text)) {
    return new BatonError('BUSY', `Temporal aborted the update before the workflow accepted it (${grpc.reason}), as a loaded server does. Nothing was changed; try again in a moment.`, details);
  }
  if (grpc.code === RESOURCE_EXHAUSTED) {
    return new BatonError('BUSY', `Temporal refused the call as over one of its limits (${grpc.reason}). Nothing was changed; try again in a moment.`, details);
  }
  return undefined;
}

/** Await a Temporal call and rethrow any failure as a BatonError. */
export async function batonCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toBatonError(err);
  }
}
