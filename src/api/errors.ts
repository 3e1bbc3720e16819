import type { FastifyError, FastifyReply } from 'fastify';
import { BatonError, type ErrorCode } from '../domain/errors';
import { toBatonError } from '../client/errors';

/**
 * HTTP status of each Baton error code. The body is always `{ error: { code, message, details? } }`
 * with the same code and message the CLI prints and MCP returns, so a client branches on `code`.
 */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  INTERNAL: 500,
  /** Temporal refused the update as over a limit even after the retries: the caller may try again. */
  BUSY: 429,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(error: BatonError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
}

/** What a request that fails becomes: Baton's errors as they are, Fastify's and Temporal's in Baton's words. */
export function toHttpError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  const fe = err as FastifyError;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new BatonError('INVALID_INPUT', `The request body is larger than the server accepts (${fe.message.replace(/^.*?:\s*/, '')}); send less (e.g. fewer patterns per call, or a body under 64 KiB).`);
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new BatonError('INVALID_INPUT', 'Send JSON (Content-Type: application/json).');
  if (fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe?.statusCode === 400 && /JSON/i.test(fe.message))) {
    return new BatonError('INVALID_INPUT', `The request body is not valid JSON (${fe.message}).`);
  }
  if (fe?.statusCode === 404) return new BatonError('NOT_FOUND', fe.message);
  return toBatonError(err);
}

export function sendError(reply: FastifyReply, error: BatonError): FastifyReply {
  return reply.code(HTTP_STATUS[error.code]).send(errorBody(error));
}
