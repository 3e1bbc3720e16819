import { z } from 'zod';
import type { ErrorCode } from '../domain/errors';

/**
 * Group commit: the Baton server gathers concurrent requests for one project into one `batch` update
 * of the project workflow (src/client/batcher.ts). Each operation is one of the project's own updates,
 * by name, with that update's input; each gets its own result, in order.
 */
export const MAX_BATCH_OPERATIONS = 500;

export const BatchOperation = z.object({
  /** The name of a project update: reserve, release, send, register, ... */
  name: z.string().min(1).max(64),
  input: z.unknown(),
});
export type BatchOperation = z.infer<typeof BatchOperation>;

export const BatchInput = z.object({ operations: z.array(BatchOperation).min(1).max(MAX_BATCH_OPERATIONS) });
export type BatchInput = z.infer<typeof BatchInput>;

/** One operation's answer: what its own update would have returned, or the failure it would have raised. */
export type OperationResult = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string; details?: unknown };

export interface BatchResult {
  results: OperationResult[];
}

/**
 * Why a whole batch was refused by its validator (so it left no trace in history): the operations
 * that would have been refused on their own, by index. The server answers those and sends the rest
 * again (the deferred ones in a later batch).
 */
export interface BatchRefusal {
  refused: { index: number; code: ErrorCode; message: string; details?: unknown }[];
  /**
   * Operations that would be accepted but whose answers would not fit in the batch's answer (one
   * payload): not applied; the server sends them again in a batch of their own. Every operation before
   * the first deferred one (and not refused) fits.
   */
  deferred?: number[];
}
