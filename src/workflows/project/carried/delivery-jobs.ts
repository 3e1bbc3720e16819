import type { Message } from '../../../schemas/messages';
import type { MailboxRef } from '../delivery-api';
import { packUuid, unpackUuid } from './compact-text';

/** A message waiting to reach its recipients' mailboxes (carried across continue-as-new). */
export interface DeliveryJob {
  message: Message;
  to: MailboxRef[];
  outbox?: { sender: MailboxRef; deliveredTo: string[] };
}

/** A mailbox reference as carried: [name, member id (packed uuid), epoch, retired 0/1]. */
type RefRow = [string, string, number, number];

/** [message, recipients, sender (for the outbox) or 0, the outbox's deliveredTo]. */
export type JobRow = [Message, RefRow[], RefRow | 0, string[]?];

export interface DeliveryStateV2 {
  v: 2;
  jobs: JobRow[];
}

function packRef(r: MailboxRef): RefRow {
  return [r.name, packUuid(r.owner.memberId), r.owner.epoch, r.owner.retired ? 1 : 0];
}

function unpackRef([name, id, epoch, retired]: RefRow): MailboxRef {
  return { name, owner: { memberId: unpackUuid(id), epoch, retired: retired === 1 } };
}

/** A queued delivery as carried: recipients as short rows (a 200-member broadcast takes ~8 KB of them, not ~20). */
export function encodeJob(job: DeliveryJob): JobRow {
  return job.outbox ? [job.message, job.to.map(packRef), packRef(job.outbox.sender), job.outbox.deliveredTo] : [job.message, job.to.map(packRef), 0];
}

export function decodeJob([message, to, sender, deliveredTo]: JobRow): DeliveryJob {
  const job: DeliveryJob = { message, to: to.map(unpackRef) };
  if (sender !== 0) job.outbox = { sender: unpackRef(sender), deliveredTo: deliveredTo ?? [] };
  return job;
}
