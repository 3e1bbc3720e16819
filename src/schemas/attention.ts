import { z } from 'zod';
import { MemberActor } from './actor';

/**
 * What a member has not been shown yet (`GET /v1/projects/:p/attention`, what the agent hooks print
 * after a tool call and at a stop). Each item is offered once: the member's mailbox keeps a cursor of
 * what it offered (src/workflows/mailbox/mailbox.ts), so two hooks running at once never show the same
 * item twice and a restarted agent does not see old items again.
 *
 * Kinds (src/domain/messages/attention.ts decides them):
 * - mail: unread mail that is urgent or asks for an acknowledgement;
 * - handoff: a pattern step assigned to the member (with the previous step's handoff, if any);
 * - decision: a human's answer to a decision the member asked for (its failed step sent back, or stopped);
 * - lease-expiring, lease-expired: Baton's warnings about the member's own leases.
 */
export const AttentionKind = z.enum(['mail', 'handoff', 'decision', 'lease-expiring', 'lease-expired']);
export type AttentionKind = z.infer<typeof AttentionKind>;

export const AttentionItem = z.object({
  /** The message behind it (`baton read <id>`). */
  id: z.string(),
  /** Its position in the mailbox. */
  seq: z.number().int(),
  kind: AttentionKind,
  /** One line: who and what, e.g. `AmberFalcon: "Auth API ready"`. */
  summary: z.string(),
  /** The command that deals with it, e.g. `baton read m-12` or `baton renew r-7 --ttl 1h`. */
  action: z.string().optional(),
  urgent: z.boolean().optional(),
  /** The leases a lease item is about, and (lease-expiring) the latest expiry it warned of. */
  reservationIds: z.array(z.string()).optional(),
  expiresAt: z.string().optional(),
});
export type AttentionItem = z.infer<typeof AttentionItem>;

/** At most this many items per answer; the rest are counted in `more` (and marked shown). */
export const MAX_ATTENTION_ITEMS = 20;

export const AttentionView = z.object({
  items: z.array(AttentionItem),
  /** Items left out of `items` (past MAX_ATTENTION_ITEMS); `baton inbox --unread` lists them. */
  more: z.number().int(),
  /** The mailbox's last seq when this was computed: what a `take` may mark shown. */
  upToSeq: z.number().int(),
});
export type AttentionView = z.infer<typeof AttentionView>;

/** The mailbox's update that marks items up to `upToSeq` shown and answers those not shown before. */
export const TakeAttentionInput = z.object({ actor: MemberActor, upToSeq: z.number().int().min(0) });
export type TakeAttentionInput = z.input<typeof TakeAttentionInput>;
