import { jsonBytes } from './carried/json-size';

/**
 * Bounds on the size of the project workflow's answers. Each update's answer is one payload, and
 * Temporal refuses a payload above 2 MiB: the worker's whole workflow task fails with
 * PAYLOADS_TOO_LARGE, and every update in it with "Workflow Task in failed state" (measured: 50 agents
 * releasing 200 deep-path leases each at once, grouped into one `batch`). So:
 * - an answer lists at most ANSWER_LIST_BYTES of reservations (CONFLICT_LIST_BYTES of conflicts); the
 *   rest are counted (`omitted`), and the audit trail has them all;
 * - a batch's operations are admitted while the estimate of their answers stays within
 *   BATCH_ANSWER_BYTES; the others are deferred (not applied; the caller sends them again in the next
 *   batch). The first operation is always admitted: alone, its answer is within ANSWER_LIST_BYTES.
 */
export const ANSWER_LIST_BYTES = 256 * 1024;
export const BATCH_ANSWER_BYTES = 1536 * 1024;
/**
 * A refused reserve lists its conflicts up to this many bytes (a broad pattern may meet thousands of
 * leases; the first few are what a person or an agent reads), so that 200 reserves (a full batch)
 * fit in BATCH_ANSWER_BYTES. The first conflict is always listed (~4 KB at most for ASCII patterns).
 * Estimates are of the state before the batch; a reserve that conflicts with a batch-mate's grant is
 * covered by RESERVE_ANSWER_BYTES.
 */
export const CONFLICT_LIST_BYTES = 4 * 1024;

/** The least a reserve's answer is estimated at: its conflict list, and the first conflict over it. */
export const RESERVE_ANSWER_BYTES = CONFLICT_LIST_BYTES + 2 * 1024;

/** Bytes of a reservation in an answer, an upper bound without building it: its strings and ~260 bytes of keys, times and ids. */
export function reservationAnswerBytes(lease: { pattern: string; reason: string; holder: string; requestId?: string; via?: string }): number {
  return lease.pattern.length * 3 + lease.reason.length * 3 + lease.holder.length + (lease.requestId?.length ?? 0) + (lease.via?.length ?? 0) + 260;
}

/** The leading items whose JSON fits in `maxBytes` (the first one always), and how many were left out. */
export function listWithin<T>(items: T[], maxBytes = ANSWER_LIST_BYTES): { listed: T[]; omitted: number } {
  let bytes = 2;
  let n = 0;
  for (; n < items.length; n++) {
    bytes += jsonBytes(items[n]) + 1;
    if (bytes > maxBytes && n > 0) break;
  }
  return { listed: n === items.length ? items : items.slice(0, n), omitted: items.length - n };
}
