/**
 * Recognises the failures that come from the test infrastructure rather than from the code under test:
 * the connection to the shared Temporal server dropped or was reset. Only these may be retried (see
 * retry-environment.ts); anything else fails the test at once.
 *
 * The shapes, as @temporalio/client 1.24 and @grpc/grpc-js throw them:
 * - a gRPC status error (grpc-js `callErrorFromStatus`): an Error with numeric `code`, string `details`
 *   and `metadata`, message `"14 UNAVAILABLE: <details>"`. grpc-js reports a dropped connection as
 *   UNAVAILABLE "Connection dropped", a socket reset as UNAVAILABLE "read ECONNRESET", a stream the
 *   server refused as UNAVAILABLE "Stream refused by server";
 * - the client's `ServiceError` (name "ServiceError", message such as "Workflow Update failed"), whose
 *   `cause` is that gRPC error; core-bridge's ServiceError (worker side) carries `code` itself;
 * - a Node system error from the socket: `code` "ECONNRESET" or "EPIPE" (the server closed it);
 * - the same words inside a message, when a wrapper kept only the text: Baton's client turns the above
 *   into `BatonError('UNAVAILABLE', 'Cannot reach Temporal (... 14 UNAVAILABLE: Connection dropped)')`.
 * - grpc-js's "Channel has been shut down", thrown from the client's own retry timer (grpc-retry.ts)
 *   when a connection was closed while a retry of a call was pending: another suite on the same jest
 *   worker closed its context, and the timer fires in whatever test runs next, which did nothing wrong.
 * Jest assertion failures are never infrastructure, whatever text they quote.
 */

/** gRPC status code UNAVAILABLE (grpc.status.UNAVAILABLE). */
export const GRPC_UNAVAILABLE = 14;
const SOCKET_CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE']);
/** grpc-js's message for status 14, wherever a wrapper quoted it. */
const UNAVAILABLE_TEXT = /\b14 UNAVAILABLE: ([^\n)]*)/;
const CHANNEL_SHUT_DOWN = 'Channel has been shut down';
/** How deep to follow `cause` (client ServiceError -> gRPC error is two levels; wrappers add one). */
const MAX_CAUSE_DEPTH = 5;

/** Why `err` is an infrastructure failure ("gRPC UNAVAILABLE: Connection dropped"), or undefined when it is not. */
export function recogniseInfrastructureError(err: unknown): string | undefined {
  if (isAssertionFailure(err)) return undefined;
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && isObject(current); depth++) {
    const e = current as { code?: unknown; details?: unknown; syscall?: unknown; message?: unknown; cause?: unknown };
    if (e.code === GRPC_UNAVAILABLE && typeof e.details === 'string') return `gRPC UNAVAILABLE: ${e.details || 'no details'}`;
    if (typeof e.code === 'string' && SOCKET_CLOSED_CODES.has(e.code) && typeof e.syscall === 'string') return `${e.code} (${e.syscall}): the server closed the connection`;
    if (e.message === CHANNEL_SHUT_DOWN) return 'gRPC channel shut down under a pending retry (a closed connection of an earlier test)';
    if (typeof e.message === 'string') {
      const quoted = UNAVAILABLE_TEXT.exec(e.message);
      if (quoted) return `gRPC UNAVAILABLE: ${quoted[1]!.trim() || 'no details'}`;
    }
    current = e.cause;
  }
  return undefined;
}

/** expect() failures carry a `matcherResult` (jest's JestAssertionError). */
function isAssertionFailure(err: unknown): boolean {
  return isObject(err) && 'matcherResult' in err;
}

/** Not `instanceof`: errors come from the test's VM context, whose Object is not this module's. */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
