import { randomUUID } from 'node:crypto';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { isStaleLeaseWarning } from '../domain/messages/attention';
import { TakeAttentionInput, type AttentionView } from '../schemas/attention';
import { mailboxWorkflowId } from '../domain/ids';
import { BatonError } from '../domain/errors';
import { parseInput } from '../domain/validation';
import { MAX_SUBJECT_CHARS } from '../domain/messages/limits';
import type { Actor } from '../schemas/actor';
import {
  ContactInput,

  InboxFilter,
  MAX_WAIT_SECONDS,
  MemberActor,
  MessageId,
  MessageOp,
  NotifyInput,
  SYSTEM_SENDER,
  SendInput,
  ThreadId,
  WaitInput,
  type ContactRequest,
  type ContactsView,
  type Importance,
  type InboxItem,
  type InboxPage,
  type MailboxDescription,
  type OutboxItem,
  type SendResult,
  type ThreadView,
  type WaitResult,
} from '../schemas/messages';
import type { Checked } from '../workflows/failure';
import { ackUpdate, attentionQuery, cancelWaitSignal, describeQuery as mailboxDescribeQuery, inboxQuery, messageQuery, outboxQuery, readUpdate, takeAttentionUpdate, threadQuery, waitUpdate } from '../workflows/mailbox/api';
import { reservationsQuery } from '../workflows/project/reservations-api';
import { contactApproveUpdate, contactRequestUpdate, contactsQuery, notifyUpdate, openMailboxUpdate, sendUpdate } from '../workflows/project/messages-api';
import { batonCall } from './errors';
import type { ProjectChannel } from './project';

export interface SendRequest {
  to: string[];
  cc?: string[];
  subject: string;
  body: string;
  importance?: Importance;
  ackRequired?: boolean;
  thread?: string;
  idempotencyKey?: string;
}

export type BroadcastRequest = Omit<SendRequest, 'to' | 'cc'>;

export interface ReplyRequest {
  body: string;
  /** Default: "Re: <original subject>". */
  subject?: string;
  /** Reply to the sender and every other recipient (not only the sender). */
  all?: boolean;
  importance?: Importance;
  ackRequired?: boolean;
  idempotencyKey?: string;
}

export interface WaitRequest {
  filter?: InboxFilter;
  /** Wait for mail after this seq (from a previous page's lastSeq); without it unread mail answers at once. */
  afterSeq?: number;
  /** How long to wait; longer than 300 s is done as several waits. */
  timeoutSeconds: number;
  /**
   * The caller is gone (an HTTP client disconnected, an MCP call cancelled): the mailbox is told to end
   * the wait at once (cancelWait), and the answer says `cancelled`.
   */
  signal?: AbortSignal;
}

/**
 * Messages of one project: sends go through the project workflow (membership, contact policies,
 * idempotency); reads go straight to the member's mailbox workflow (which checks the actor is its owner).
 */
export class MessagesClient {
  constructor(private readonly channel: ProjectChannel) {}

  /** Send to members (to, cc). FORBIDDEN when a recipient's contact policy refuses the sender. */
  async send(actor: Actor, request: SendRequest): Promise<SendResult> {
    return this.channel.update(sendUpdate, parseInput(SendInput, { ...request, actor }, 'message'));
  }

  /** Send to every active member except the sender; members whose policy refuses are listed in `skipped`. */
  async broadcast(actor: Actor, request: BroadcastRequest): Promise<SendResult> {
    return this.channel.update(sendUpdate, parseInput(SendInput, { ...request, actor, broadcast: true }, 'message'));
  }

  /** Answer a message of the actor's mailbox, in its thread. */
  async reply(actor: MemberActor, messageId: string, request: ReplyRequest): Promise<SendResult> {
    const me = parseInput(MemberActor, actor, 'actor');
    const original = await this.message(me, parseInput(MessageId, messageId, 'messageId'));
    if (original.from === SYSTEM_SENDER) throw new BatonError('INVALID_INPUT', `messageId: ${messageId} is a notice from Baton; there is nobody to reply to.`);
    const mine = original.from.toLowerCase() === me.name.toLowerCase();
    const others = [...original.to, ...original.cc].filter((n) => n.toLowerCase() !== me.name.toLowerCase());
    let to = mine ? others : [original.from];
    if (request.all && !mine) to = [original.from, ...others];
    if (to.length === 0) throw new BatonError('INVALID_INPUT', `messageId: ${messageId} was a broadcast of yours; send to someone or broadcast again.`);
    const subject = request.subject ?? (/^re:/i.test(original.subject) ? original.subject : `Re: ${original.subject}`).slice(0, MAX_SUBJECT_CHARS);
    return this.channel.update(
      sendUpdate,
      parseInput(SendInput, { actor: me, to, subject, body: request.body, importance: request.importance, ackRequired: request.ackRequired, thread: original.thread, replyTo: original.id, idempotencyKey: request.idempotencyKey }, 'reply'),
    );
  }

  /**
   * A system notice from "baton" to members, all humans or everyone, ignoring contact policies. For
   * pattern workflows' activities: the actor must be the internal `workflow` actor.
   */
  async notify(input: NotifyInput): Promise<SendResult> {
    return this.channel.update(notifyUpdate, parseInput(NotifyInput, input, 'notice'));
  }

  async inbox(actor: MemberActor, filter: InboxFilter = {}): Promise<InboxPage> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxQuery(me, inboxQuery, { actor: me, filter: parseInput(InboxFilter, filter, 'inbox filter') });
  }

  /**
   * Push: answers as soon as matching mail is there, or with `timedOut` after the timeout. The mailbox
   * caps one wait at 300 s and releases waits early before it continues-as-new; this waits again.
   */
  async wait(actor: MemberActor, request: WaitRequest): Promise<WaitResult> {
    const me = parseInput(MemberActor, actor, 'actor');
    const deadline = Date.now() + request.timeoutSeconds * 1000;
    const base = randomUUID();
    for (let n = 0; ; n++) {
      const left = Math.max(0, Math.min(MAX_WAIT_SECONDS, (deadline - Date.now()) / 1000));
      const waitId = `${base}-${n}`;
      const input = parseInput(WaitInput, { actor: me, waitId, filter: request.filter ?? {}, afterSeq: request.afterSeq, timeoutSeconds: Math.round(left * 1000) / 1000 }, 'wait');
      const result = await this.untilCancelled(me, waitId, this.mailboxUpdate(me, waitUpdate, input), request.signal);
      if (result.cancelled || result.superseded) return { ...result, interrupted: false };
      if (result.items.length > 0 || Date.now() >= deadline) return { ...result, interrupted: false };
      if (!result.interrupted && !result.timedOut) return result;
    }
  }

  /**
   * The wait's answer; if `signal` aborts first, the mailbox is told to end the wait (it may not have
   * begun yet: the mailbox remembers cancels that overtook their wait) and its `cancelled` answer follows.
   */
  private async untilCancelled(me: MemberActor, waitId: string, wait: Promise<WaitResult>, signal: AbortSignal | undefined): Promise<WaitResult> {
    if (!signal) return wait;
    const cancel = () => {
      this.mailbox(me.name)
        .signal(cancelWaitSignal, { waitId })
        .catch(() => undefined); // the mailbox is gone or unreachable: the wait ends at its timeout
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    try {
      return await wait;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /**
   * What the member's hooks have not shown yet, each item once (src/schemas/attention.ts): a read-only
   * query first (nothing new is the common answer and costs no history), then, when there is something,
   * an update that takes it, so two callers never both get an item. A lease warning that no longer
   * holds (renewed or released since) is taken but left out.
   */
  async attention(actor: MemberActor): Promise<AttentionView> {
    const me = parseInput(MemberActor, actor, 'actor');
    const pending = await this.mailboxQuery(me, attentionQuery, { actor: me });
    if (pending.items.length === 0 && pending.more === 0) return pending;
    const taken = await this.mailboxUpdate(me, takeAttentionUpdate, parseInput(TakeAttentionInput, { actor: me, upToSeq: pending.upToSeq }, 'attention'));
    if (!taken.items.some((i) => i.kind === 'lease-expiring')) return taken;
    const active = new Map<string, number>();
    let after: string | undefined;
    do {
      const mine = await this.channel.checkedQuery(reservationsQuery, { holder: me.name, limit: 10_000, ...(after === undefined ? {} : { after }) });
      for (const r of mine.reservations) active.set(r.id, Date.parse(r.expiresAt));
      after = mine.next;
    } while (after !== undefined);
    return { ...taken, items: taken.items.filter((i) => !isStaleLeaseWarning(i, active)) };
  }

  /** Show one message and mark it read. */
  async read(actor: MemberActor, messageId: string): Promise<InboxItem> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxUpdate(me, readUpdate, parseInput(MessageOp, { actor: me, messageId }, 'message'));
  }

  /** Acknowledge (and mark read); the sender sees the ack in its outbox. */
  async ack(actor: MemberActor, messageId: string): Promise<InboxItem> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxUpdate(me, ackUpdate, parseInput(MessageOp, { actor: me, messageId }, 'message'));
  }

  /** One message of the inbox or outbox, without marking it read. */
  async message(actor: MemberActor, messageId: string): Promise<InboxItem | OutboxItem> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxQuery(me, messageQuery, parseInput(MessageOp, { actor: me, messageId }, 'message'));
  }

  /** Messages the actor sent, newest first, with who got them and who acknowledged. */
  async outbox(actor: MemberActor, options: { limit?: number } = {}): Promise<OutboxItem[]> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxQuery(me, outboxQuery, { actor: me, limit: options.limit ?? 50 });
  }

  /** A thread as the actor saw it (received and sent), oldest first. */
  async thread(actor: MemberActor, thread: string): Promise<ThreadView> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.mailboxQuery(me, threadQuery, { actor: me, thread: parseInput(ThreadId, thread, 'thread') });
  }

  /** Readable summary of a member's mailbox (what the Web UI's `describe` query shows). */
  async describeMailbox(name: string): Promise<MailboxDescription> {
    return batonCall(() => this.channel.client.workflow.getHandle(mailboxWorkflowId(this.channel.project, name)).query(mailboxDescribeQuery));
  }

  async requestContact(actor: Actor, name: string, note?: string): Promise<ContactRequest> {
    return this.channel.update(contactRequestUpdate, parseInput(ContactInput, { actor, name, note }, 'contact request'));
  }

  /** Accept messages from `name` (mutual when `name` had asked). */
  async approveContact(actor: Actor, name: string): Promise<ContactsView> {
    return this.channel.update(contactApproveUpdate, parseInput(ContactInput, { actor, name }, 'contact approval'));
  }

  async contacts(actor: MemberActor): Promise<ContactsView> {
    const me = parseInput(MemberActor, actor, 'actor');
    return this.channel.checkedQuery(contactsQuery, { actor: me });
  }

  // --- the member's mailbox workflow ---------------------------------------------------------------

  private mailbox(name: string) {
    return this.channel.client.workflow.getHandle(mailboxWorkflowId(this.channel.project, name));
  }

  private async mailboxQuery<T, A>(me: MemberActor, def: QueryDefinition<Checked<T>, [A]>, arg: A): Promise<T> {
    const answer = await this.withMailbox(me, () => this.mailbox(me.name).query(def, arg));
    if (!answer.ok) throw new BatonError(answer.code, answer.message, answer.details);
    return answer.value;
  }

  private mailboxUpdate<T, A>(me: MemberActor, def: UpdateDefinition<T, [A]>, arg: A): Promise<T> {
    return this.withMailbox(me, () => this.mailbox(me.name).executeUpdate(def, { args: [arg] }));
  }

  /**
   * Mailboxes start at registration; a member registered before mailboxes existed (or a project
   * started over) gets one on first use: the project starts it after checking the token.
   */
  private async withMailbox<T>(me: MemberActor, call: () => Promise<T>): Promise<T> {
    return batonCall(async () => {
      try {
        return await call();
      } catch (err) {
        if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        await this.channel.update(openMailboxUpdate, { actor: me });
        return await call();
      }
    });
  }
}


