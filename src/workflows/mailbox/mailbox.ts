import * as wf from '@temporalio/workflow';
import { trimArray } from '../../domain/messages/bounded';
import { utf8Length } from '../../domain/messages/limits';
import { mailboxWorkflowId } from '../../domain/ids';
import { attentionItem } from '../../domain/messages/attention';
import { MAX_ATTENTION_ITEMS, TakeAttentionInput, type AttentionView } from '../../schemas/attention';
import { z } from 'zod';
import {
  Ack,
  InboxFilter,
  MAX_OPEN_WAITS,
  MailboxOwner,
  MemberActor,
  Message,
  MessageId,
  MessageOp,
  SYSTEM_SENDER,
  WaitInput,
  type InboxItem,
  type InboxPage,
  type MailboxDescription,
  type MailboxInput,
  type OutboxItem,
  type ThreadView,
  type WaitResult,
} from '../../schemas/messages';
import { BatonAgent, BatonKind, BatonProject } from '../../search-attributes';
import { batonFailure, checked, parseOrFail } from '../failure';
import {
  ackUpdate,
  ackedSignal,
  attentionQuery,
  cancelWaitSignal,
  claimSignal,
  deliverSignal,
  describeQuery,
  inboxQuery,
  messageQuery,
  outboxQuery,
  readUpdate,
  sentSignal,
  takeAttentionUpdate,
  threadQuery,
  waitUpdate,
} from './api';

/** Carried across continue-as-new; bounded (see the limits below). */
export interface MailboxState {
  /** Whose mailbox (absent in state carried from before owners existed: `tokenHash` instead). */
  owner?: MailboxOwner;
  tokenHash?: string;
  nextSeq: number;
  inbox: InboxItem[];
  outbox: OutboxItem[];
  /** Ids of messages delivered lately, so a repeated delivery is dropped even after its item is. */
  seen: string[];
  /** Inbox items up to this seq were offered to the member's hooks (absent: none yet). */
  attentionSeq?: number;
}

/**
 * Bounds: the state crosses continue-as-new as one payload (Temporal refuses more than 2 MB), so the
 * mailbox keeps the newest items, and past a byte budget old items keep their header but drop their
 * body (read ones first).
 */
export const MAILBOX_LIMITS = { inboxItems: 1000, outboxItems: 500, seenIds: 3000, bodyBudgetBytes: 768 * 1024 };

/** How many ids of waits cancelled before they began are kept (a cancel may overtake its wait). */
const CANCELLED_KEPT = 64;

/** A wait in progress; `ended` once something other than mail or its timeout ended it. */
interface OpenWait {
  id: string;
  ended?: 'superseded' | 'cancelled';
}

const DeliverPayload = Message;
const SentPayload = z.object({ message: Message, deliveredTo: z.array(z.string()) });
const AckedPayload = z.object({ messageId: MessageId, ack: Ack });
/** The project's word on who owns the mailbox; legacy histories sent a token hash instead. */
const ClaimPayload = z.union([MailboxOwner, z.object({ tokenHash: z.string().regex(/^[0-9a-f]{64}$/) })]);
/**
 * What update handlers read of their argument. Validators check the whole input (actor included);
 * handlers run right after them, and also on replay of histories recorded before actors replaced
 * tokens, so they only need the message id.
 */
const HandledOp = z.object({ messageId: MessageId });
const ActorOnly = z.object({ actor: MemberActor });
const CancelWaitPayload = z.object({ waitId: z.string().min(1).max(64) });

function signalOf<S extends z.ZodType>(schema: S, raw: unknown, name: string, handle: (payload: z.output<S>) => void): void {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    wf.log.warn(`Dropped a malformed ${name} signal`, { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) });
    return;
  }
  handle(parsed.data);
}

/**
 * One workflow per member: its inbox and outbox, read/ack state and the push wait. Started by the
 * project workflow when the member registers (abandoned by it, so it outlives project runs).
 */
export async function mailboxWorkflow(input: MailboxInput): Promise<void> {
  const box = new Mailbox(input);
  box.register();
  if (wf.workflowInfo().typedSearchAttributes.get(BatonAgent) !== input.member) {
    wf.upsertSearchAttributes([
      { key: BatonProject, value: input.project },
      { key: BatonKind, value: 'mailbox' },
      { key: BatonAgent, value: input.member },
    ]);
  }
  const historyTooLong = () => wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength >= input.maxHistoryEvents;
  await wf.condition(historyTooLong);
  // Blocked `wait`s would hold continue-as-new back for minutes: release them (the client waits again).
  box.draining = true;
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof mailboxWorkflow>({ ...input, generation: input.generation + 1, carried: box.snapshot() });
}

class Mailbox {
  draining = false;
  private readonly state: MailboxState;
  private readonly seen: Set<string>;
  /** Waits in progress, oldest first. */
  private readonly waits: OpenWait[] = [];
  /** Ids of waits whose cancel came before the wait itself. */
  private readonly cancelledEarly: string[] = [];
  private readonly waitCounts = { superseded: 0, cancelled: 0 };

  constructor(private readonly input: MailboxInput) {
    const carried = input.carried as MailboxState | undefined;
    this.state = carried ?? { nextSeq: 1, inbox: [], outbox: [], seen: [] };
    if (!carried) {
      if (input.owner) this.state.owner = input.owner;
      else if (input.tokenHash) this.state.tokenHash = input.tokenHash;
    }
    this.seen = new Set(this.state.seen);
  }

  register(): void {
    // Signals have no validator and cannot answer an error: a malformed one (sent by hand through the
    // Temporal client) is dropped, since a handler that throws would fail every workflow task after it.
    wf.setHandler(deliverSignal, (raw) => signalOf(DeliverPayload, raw, 'deliver', (message) => this.deliver(message)));
    wf.setHandler(sentSignal, (raw) => signalOf(SentPayload, raw, 'sent', ({ message, deliveredTo }) => this.recordSent(message, deliveredTo)));
    wf.setHandler(ackedSignal, (raw) => signalOf(AckedPayload, raw, 'acked', ({ messageId, ack }) => this.recordAck(messageId, ack)));
    wf.setHandler(claimSignal, (raw) => signalOf(ClaimPayload, raw, 'claim', (owner) => this.claim(owner)));
    wf.setHandler(cancelWaitSignal, (raw) => signalOf(CancelWaitPayload, raw, 'cancelWait', ({ waitId }) => this.cancelWait(waitId)));

    wf.setHandler(describeQuery, () => this.describe());
    wf.setHandler(inboxQuery, ({ actor, filter }) =>
      checked(() => {
        this.authenticate(actor);
        return this.page(parseOrFail(InboxFilter, filter ?? {}, 'inbox filter'));
      }),
    );
    wf.setHandler(outboxQuery, ({ actor, limit }) =>
      checked(() => {
        this.authenticate(actor);
        const n = Math.min(500, Math.max(1, Math.floor(Number(limit ?? 50)) || 50));
        return this.state.outbox.slice(-n).reverse();
      }),
    );
    wf.setHandler(threadQuery, ({ actor, thread }) =>
      checked(() => {
        this.authenticate(actor);
        return this.threadView(thread);
      }),
    );
    wf.setHandler(messageQuery, (op) =>
      checked(() => {
        const { actor, messageId } = parseOrFail(MessageOp, op, 'message');
        this.authenticate(actor);
        const found = this.state.inbox.find((m) => m.id === messageId) ?? this.state.outbox.find((m) => m.id === messageId);
        if (!found) throw this.notFound(messageId);
        return found;
      }),
    );

    wf.setHandler(readUpdate, (op) => this.markRead(this.item(parseOrFail(HandledOp, op, 'message').messageId)), { validator: (op) => void this.checkOp(op) });
    wf.setHandler(ackUpdate, (op) => this.acknowledge(this.item(parseOrFail(HandledOp, op, 'message').messageId)), { validator: (op) => void this.checkOp(op) });
    // No cap refuses a wait: past MAX_OPEN_WAITS the oldest is answered `superseded` (see wait()).
    wf.setHandler(waitUpdate, (raw) => this.wait(parseOrFail(WaitInput.omit({ actor: true }), raw, 'wait')), {
      validator: (raw) => void this.authenticate(parseOrFail(WaitInput, raw, 'wait').actor),
    });
    wf.setHandler(attentionQuery, ({ actor }) =>
      checked(() => {
        this.authenticate(actor);
        return this.attention(this.state.nextSeq - 1);
      }),
    );
    wf.setHandler(takeAttentionUpdate, (raw) => this.takeAttention(parseOrFail(TakeAttentionInput, raw, 'attention').upToSeq), {
      validator: (raw) => void this.authenticate(parseOrFail(TakeAttentionInput, raw, 'attention').actor),
    });
  }

  snapshot(): MailboxState {
    this.state.seen = [...this.seen].slice(-MAILBOX_LIMITS.seenIds);
    return this.state;
  }

  // --- delivery (signals from the project workflow and other mailboxes) ---------------------------

  private deliver(message: Message): void {
    if (this.seen.has(message.id)) return;
    this.remember(message.id);
    this.state.inbox.push({ ...message, seq: this.state.nextSeq++ });
    trimArray(this.state.inbox, MAILBOX_LIMITS.inboxItems);
    this.keepWithinBudget();
  }

  private recordSent(message: Message, deliveredTo: string[]): void {
    if (this.state.outbox.some((m) => m.id === message.id)) return;
    this.state.outbox.push({ ...message, deliveredTo, acks: [] });
    trimArray(this.state.outbox, MAILBOX_LIMITS.outboxItems);
    this.keepWithinBudget();
  }

  private recordAck(messageId: string, ack: Ack): void {
    const item = this.state.outbox.find((m) => m.id === messageId);
    if (!item || item.acks.some((a) => a.member.toLowerCase() === ack.member.toLowerCase())) return;
    item.acks.push(ack);
  }

  /**
   * The project says who owns this mailbox now. The same registration at a new epoch (a rotated
   * token) or retired keeps its mail; another registration of the name (the project was replaced)
   * must not read the previous holder's mail, so the mailbox starts empty.
   */
  private claim(owner: MailboxOwner | { tokenHash: string }): void {
    if ('tokenHash' in owner) {
      if (owner.tokenHash === this.state.tokenHash) return;
      this.state.tokenHash = owner.tokenHash;
      this.state.inbox = [];
      this.state.outbox = [];
      return;
    }
    const same = this.state.owner?.memberId === owner.memberId;
    this.state.owner = owner;
    delete this.state.tokenHash;
    if (same) return;
    this.state.inbox = [];
    this.state.outbox = [];
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > MAILBOX_LIMITS.seenIds) {
      const oldest = this.seen.values().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }

  /** Drop bodies of the oldest items (read ones first) until all bodies fit the byte budget. */
  private keepWithinBudget(): void {
    const all: (InboxItem | OutboxItem)[] = [...this.state.inbox, ...this.state.outbox];
    let total = all.reduce((n, m) => n + utf8Length(m.body), 0);
    if (total <= MAILBOX_LIMITS.bodyBudgetBytes) return;
    const byAge = [...all].sort((a, b) => Number(!isSettled(a)) - Number(!isSettled(b)) || a.sentAt.localeCompare(b.sentAt));
    for (const m of byAge) {
      if (total <= MAILBOX_LIMITS.bodyBudgetBytes) break;
      if (m.bodyDropped) continue;
      total -= utf8Length(m.body);
      m.body = '';
      m.bodyDropped = true;
    }
  }

  // --- the member's operations --------------------------------------------------------------------

  /**
   * Only the owner reads and acts on a mailbox. The Baton server verified the member's token; this
   * checks the name, retirement and the epoch the server saw (a stale one: the token was rotated).
   */
  private authenticate(raw: unknown): void {
    const { actor } = parseOrFail(ActorOnly, { actor: raw }, 'actor');
    if (actor.name.toLowerCase() !== this.input.member.toLowerCase()) {
      throw batonFailure('FORBIDDEN', `This is ${this.input.member}'s mailbox; ${actor.name} reads only their own.`);
    }
    const owner = this.state.owner;
    if (owner?.retired) throw batonFailure('UNAUTHORIZED', `${this.input.member} is retired; register again to get a new identity.`, { reason: 'retired' });
    if (owner && actor.epoch !== undefined && actor.epoch !== owner.epoch) {
      throw batonFailure('UNAUTHORIZED', `The token used for ${this.input.member} was replaced; use the newest one.`, { reason: 'stale-credential' });
    }
  }

  private notFound(id: string) {
    return batonFailure('NOT_FOUND', `No message ${id} in ${this.input.member}'s mailbox; \`baton inbox\` lists them (old messages are dropped after ${MAILBOX_LIMITS.inboxItems}).`);
  }

  private checkOp(raw: unknown): InboxItem {
    const { actor, messageId } = parseOrFail(MessageOp, raw, 'message');
    this.authenticate(actor);
    return this.item(messageId);
  }

  private item(messageId: string): InboxItem {
    const item = this.state.inbox.find((m) => m.id === messageId);
    if (!item) throw this.notFound(messageId);
    return item;
  }

  private markRead(item: InboxItem): InboxItem {
    item.readAt ??= new Date(Date.now()).toISOString();
    return item;
  }

  private async acknowledge(item: InboxItem): Promise<InboxItem> {
    this.markRead(item);
    if (item.ackedAt) return item;
    item.ackedAt = new Date(Date.now()).toISOString();
    if (item.from !== SYSTEM_SENDER) {
      try {
        await wf.getExternalWorkflowHandle(mailboxWorkflowId(this.input.project, item.from)).signal(ackedSignal, { messageId: item.id, ack: { member: this.input.member, at: item.ackedAt } });
      } catch {
        // The sender's mailbox is gone (its project was reset); the ack stays recorded here.
      }
    }
    return item;
  }

  private matching(filter: InboxFilter): InboxItem[] {
    const f = InboxFilter.parse(filter);
    const since = f.since === undefined ? undefined : typeof f.since === 'number' ? f.since : Date.parse(f.since);
    return this.state.inbox.filter(
      (m) =>
        (!f.unread || !m.readAt) &&
        (!f.urgent || m.importance === 'urgent') &&
        (!f.thread || m.thread === f.thread) &&
        (since === undefined || Date.parse(m.sentAt) >= since),
    );
  }

  private page(filter: InboxFilter): InboxPage {
    const limit = InboxFilter.parse(filter).limit;
    return {
      items: this.matching(filter).slice(-limit).reverse(),
      unread: this.state.inbox.filter((m) => !m.readAt).length,
      total: this.state.inbox.length,
      lastSeq: this.state.nextSeq - 1,
    };
  }

  /**
   * Push: answers when matching mail is there, at the timeout, or early when the mailbox drains, the
   * caller went away (cancelWait) or a newer wait superseded it. At most MAX_OPEN_WAITS are open: a
   * further wait is admitted and the oldest answered `superseded`, so waits of callers that died
   * without a word (kill -9, a lost connection the server never saw close) never lock the member out.
   */
  private async wait(input: { filter: InboxFilter; afterSeq?: number; timeoutSeconds: number; waitId?: string }): Promise<WaitResult> {
    const limit = InboxFilter.parse(input.filter).limit;
    // Without a cursor, mail already unread answers at once; with one, only mail after it does.
    const after = input.afterSeq;
    const ready = () => this.matching(input.filter).filter((m) => (after === undefined ? !m.readAt : m.seq > after));
    const wait: OpenWait = { id: input.waitId ?? `seq-${this.state.nextSeq}-${this.waits.length}` };
    if (input.waitId !== undefined && this.cancelledEarly.includes(input.waitId)) wait.ended = 'cancelled';
    this.waits.push(wait);
    const open = this.waits.filter((w) => !w.ended);
    if (open.length > MAX_OPEN_WAITS) {
      open[0]!.ended = 'superseded';
      this.waitCounts.superseded++;
    }
    try {
      const arrived = await wf.condition(() => ready().length > 0 || this.draining || wait.ended !== undefined, Math.max(1, input.timeoutSeconds * 1000));
      const items = ready().slice(-limit).reverse();
      const result: WaitResult = { items, timedOut: !arrived, interrupted: items.length === 0 && this.draining && !wait.ended, lastSeq: this.state.nextSeq - 1 };
      if (wait.ended === 'superseded') result.superseded = true;
      if (wait.ended === 'cancelled') result.cancelled = true;
      return result;
    } finally {
      this.waits.splice(this.waits.indexOf(wait), 1);
    }
  }

  private cancelWait(waitId: string): void {
    const wait = this.waits.find((w) => w.id === waitId && !w.ended);
    if (wait) {
      wait.ended = 'cancelled';
      this.waitCounts.cancelled++;
      return;
    }
    if (this.waits.some((w) => w.id === waitId)) return;
    this.cancelledEarly.push(waitId);
    if (this.cancelledEarly.length > CANCELLED_KEPT) this.cancelledEarly.shift();
  }

  // --- attention (what the member's hooks show once) -----------------------------------------------

  /** Items after the attention cursor up to `upToSeq` that need attention, newest last. */
  private attention(upToSeq: number): AttentionView {
    const cursor = this.state.attentionSeq ?? 0;
    const all = this.state.inbox.filter((m) => m.seq > cursor && m.seq <= upToSeq).flatMap((m) => attentionItem(m) ?? []);
    const items = all.slice(-MAX_ATTENTION_ITEMS);
    return { items, more: all.length - items.length, upToSeq };
  }

  /** Answers what was not offered before, up to `upToSeq`, and moves the cursor there: each item once. */
  private takeAttention(upToSeq: number): AttentionView {
    const bounded = Math.min(upToSeq, this.state.nextSeq - 1);
    const view = this.attention(bounded);
    this.state.attentionSeq = Math.max(this.state.attentionSeq ?? 0, bounded);
    return view;
  }

  private threadView(thread: string): ThreadView {
    const inbound = this.state.inbox.filter((m) => m.thread === thread).map((m) => ({ ...m, direction: 'in' as const }));
    const outbound = this.state.outbox.filter((m) => m.thread === thread).map((m) => ({ ...m, direction: 'out' as const }));
    const messages = [...inbound, ...outbound].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id));
    if (messages.length === 0) throw batonFailure('NOT_FOUND', `No thread ${thread} in ${this.input.member}'s mailbox; \`baton inbox\` shows thread ids.`);
    return {
      thread,
      subject: messages[0]!.subject,
      messages: messages.map(({ seq: _seq, deliveredTo: _d, bodyDropped: _b, ...m }: Record<string, unknown>) => m) as ThreadView['messages'],
    };
  }

  private describe(): MailboxDescription {
    const { inbox, outbox } = this.state;
    return {
      project: this.input.project,
      member: this.input.member,
      generation: this.input.generation,
      historyLength: wf.workflowInfo().historyLength,
      inbox: {
        total: inbox.length,
        unread: inbox.filter((m) => !m.readAt).length,
        urgentUnread: inbox.filter((m) => !m.readAt && m.importance === 'urgent').length,
        awaitingMyAck: inbox.filter((m) => m.ackRequired && !m.ackedAt).length,
      },
      outbox: { total: outbox.length, awaitingAcks: outbox.filter((m) => m.ackRequired && m.acks.length < m.deliveredTo.length).length },
      waits: { open: this.waits.filter((w) => !w.ended).length, ...this.waitCounts },
      attentionSeq: this.state.attentionSeq ?? 0,
      recent: inbox
        .slice(-20)
        .reverse()
        .map((m) => ({ seq: m.seq, id: m.id, thread: m.thread, from: m.from, subject: m.subject, importance: m.importance, sentAt: m.sentAt, read: Boolean(m.readAt), acked: Boolean(m.ackedAt) })),
    };
  }
}

/** Read and (if asked) acknowledged: the first to lose its body when the mailbox is over budget. */
function isSettled(m: InboxItem | OutboxItem): boolean {
  return 'seq' in m ? Boolean(m.readAt) && (!m.ackRequired || Boolean(m.ackedAt)) : true;
}
