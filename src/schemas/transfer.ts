import { z } from 'zod';
import { MemberName, WorkflowActor } from './actor';
import { PatternSignal } from './alerts';
import { NotifyInput, SendRequest, type SendResult } from './messages';
import { ReserveInput, ReservationId, type Conflict, type Reservation } from './reservations';

/**
 * A pattern run's one write to its project (the project workflow's `transfer` update, from Baton's
 * worker only): what a handoff changes happens together, in this order, so the next agent's files are
 * free the moment the last agent's are released and the notice goes out only once they are reserved:
 *   1. release the finished step's leases (only those the step took);
 *   2. renew or check the open steps' leases (a lease no longer held comes back as lost);
 *   3. reserve the next step's files (only what its agent's own leases do not cover; those stay its own);
 *   4. send the handoff notice (the next step's task), unless the reservation met a conflict;
 *   5. record successful tasks, signs of life, contacts, and what the pattern saw (alerts).
 * Each part is the project's own operation (release, renew, reserve, notify, send, contactApprove,
 * reportPatternSignal), run with the same checks as when called alone.
 */
const Ids = z.array(ReservationId).max(1000);
const Ttl = z.number().int().positive();

export const TransferInput = z.object({
  /** The pattern run acting (onBehalfOf: whoever it acts for by default, e.g. its starter). */
  actor: WorkflowActor,
  /** The write's idempotency key: a retried activity gets the first answer, nothing happens twice. */
  transferId: z.string().min(1).max(300),
  release: z.array(z.object({ holder: MemberName, ids: Ids })).max(50).default([]),
  /** Extend each lease by `ttlSeconds` from its current expiry (the pattern computes it: now + TTL - expiry). */
  renew: z.array(z.object({ holder: MemberName, ids: Ids, ttlSeconds: Ttl })).max(50).default([]),
  /** Is each lease still held? Nothing changes. */
  check: z.array(z.object({ holder: MemberName, ids: Ids })).max(50).default([]),
  reserve: ReserveInput.omit({ actor: true, allowBroad: true }).extend({ holder: MemberName, requestId: z.string().min(1).max(128) }).optional(),
  notice: NotifyInput.omit({ actor: true }).extend({ onBehalfOf: MemberName.optional() }).optional(),
  /** A message from a member, sent by the run on its behalf (e.g. the welcome of the human who introduced an agent). */
  message: SendRequest.safeExtend({ from: MemberName }).optional(),
  credit: z.array(MemberName).max(50).default([]),
  touch: z.array(MemberName).max(50).default([]),
  /** Pairs that become each other's contacts (Onboarding: the new agent and its lead). */
  contacts: z.array(z.tuple([MemberName, MemberName])).max(50).default([]),
  signals: z.array(PatternSignal).max(20).default([]),
});
export type TransferInput = z.input<typeof TransferInput>;
export type TransferRequest = z.output<typeof TransferInput>;

export interface TransferResult {
  /** Ids released now (an id already gone is in `lost`). */
  released: string[];
  renewed: { id: string; expiresAt: string }[];
  /** Ids of `release`, `renew` and `check` that were no longer held (expired, force-released, released). */
  lost: string[];
  /**
   * `granted`: leases taken now; `kept`: the requested patterns the holder's own leases already cover
   * (nothing taken for them), and `keptBy` the patterns of those own leases (left as they were); `own`:
   * the patterns of every lease the holder held before that shares a path with the request.
   */
  reserve?: { status: 'granted'; granted: Reservation[]; kept: string[]; keptBy?: string[]; own?: string[] } | { status: 'conflict'; conflicts: Conflict[] };
  notice?: SendResult;
  message?: SendResult;
}
