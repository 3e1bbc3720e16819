import type { AttentionItem, AttentionKind } from '../../schemas/attention';
import type { InboxItem, NoticeTopic } from '../../schemas/messages';

/**
 * Which inbox items need the member's attention, and how an agent's hook shows them (one line and the
 * command that deals with each). Only unread items count: what the member read is known to it.
 *
 * - A notice tagged with a topic (NoticeTag) is what its topic says.
 * - A notice of a pattern workflow without a topic (the pattern kit does not tag its notices yet) is
 *   read from its words, the ones src/workflows/patterns/common writes: "step ... is yours" is a task
 *   with its handoff; a step sent back or a workflow stopped by a human ("sends it back to you",
 *   "stopped the workflow", "rejected by") is the answer to the decision the member's failure asked for.
 * - Anything else (a member's mail, other notices) when it is urgent or asks for an acknowledgement
 *   not yet given.
 */
export function attentionKind(item: InboxItem): AttentionKind | undefined {
  if (item.readAt) return undefined;
  const topic = item.notice?.topic ?? (item.system && item.via ? patternTopic(item) : undefined);
  if (topic) return KIND_OF_TOPIC[topic];
  if (item.importance === 'urgent' || (item.ackRequired && !item.ackedAt)) return 'mail';
  return undefined;
}

const KIND_OF_TOPIC: Record<NoticeTopic, AttentionKind> = {
  'lease-expiring': 'lease-expiring',
  'lease-expired': 'lease-expired',
  task: 'handoff',
  decision: 'decision',
};

const DECIDED = /sends it back to you|stopped the workflow|rejected by /;
const ASSIGNED = /: step ".+" is yours$/;

function patternTopic(item: InboxItem): NoticeTopic | undefined {
  if (DECIDED.test(item.subject) || DECIDED.test(item.body)) return 'decision';
  if (ASSIGNED.test(item.subject)) return 'task';
  return undefined;
}

/** The item as a hook shows it, or undefined when it needs no attention. */
export function attentionItem(item: InboxItem): AttentionItem | undefined {
  const kind = attentionKind(item);
  if (!kind) return undefined;
  // A member's mail: who and the subject in quotes; Baton's notices: their subject says it all.
  const summary = item.system ? item.subject : `${item.from}: "${item.subject}"`;
  const out: AttentionItem = { id: item.id, seq: item.seq, kind, summary, action: actionFor(kind, item) };
  if (item.importance === 'urgent') out.urgent = true;
  if (item.notice?.reservationIds?.length) out.reservationIds = item.notice.reservationIds;
  if (item.notice?.expiresAt) out.expiresAt = item.notice.expiresAt;
  return out;
}

function actionFor(kind: AttentionKind, item: InboxItem): string {
  const ids = item.notice?.reservationIds?.join(' ');
  if (kind === 'lease-expiring' && ids) return `baton renew ${ids} --ttl 1h (or baton release ${ids} when done); baton read ${item.id} for details`;
  if (kind === 'lease-expired') return `baton read ${item.id} (reserve again before editing those files)`;
  if (item.ackRequired && !item.ackedAt) return `baton read ${item.id}, then baton ack ${item.id}`;
  return `baton read ${item.id}`;
}

/**
 * A lease warning that no longer holds: none of its leases is still active with an expiry at or before
 * the one it warned of (each was renewed past it, released or expired; an expiry has its own notice).
 * `active` maps the holder's active reservation ids to their expiry (ms).
 */
export function isStaleLeaseWarning(item: AttentionItem, active: Map<string, number>): boolean {
  if (item.kind !== 'lease-expiring' || !item.reservationIds?.length || !item.expiresAt) return false;
  const warned = Date.parse(item.expiresAt);
  return !item.reservationIds.some((id) => {
    const expiresAt = active.get(id);
    return expiresAt !== undefined && expiresAt <= warned;
  });
}
