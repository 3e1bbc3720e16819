import * as wf from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { blockedMessage, decideContact } from '../../domain/messages/contact-policy';
import { trimArray } from '../../domain/messages/bounded';
import { mailboxWorkflowId } from '../../domain/ids';
import { ContactInput, MemberActor, NotifyInput, SYSTEM_SENDER, SendInput, type ContactRequest, type MailboxOwner, type NoticeTag, type ContactsView, type Importance, type Message, type SendResult } from '../../schemas/messages';
import { BatonAgent, BatonKind, BatonProject } from '../../search-attributes';
import { batonFailure, checked, parseOrFail } from '../failure';
import { claimSignal, deliverSignal, sentSignal } from '../mailbox/api';
import { mailboxWorkflow } from '../mailbox/mailbox';
import { hashToken } from '../../domain/agents/token-hash';
import type { CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import { MESSAGE_CACHE_LIMITS, MessageCaches, requestKey, type MessageCachesV2, type RecentMessage } from './carried/message-caches';
import { shortFingerprint } from './carried/reserve-answers';
import { Deliveries, type DeliveryJob, type DeliveryState } from './delivery';
import type { MailboxRef } from './delivery-api';
import type { AgentDirectory, MemberRecord } from './directory';
import { contactApproveUpdate, contactRequestUpdate, contactsQuery, notifyUpdate, openMailboxUpdate, sendUpdate } from './messages-api';
import type { ProjectContext, ProjectModule } from './module';

interface QueuedNotice {
  message: Message;
  to: string[];
}

/**
 * Carried across continue-as-new since the carried-state budget: the caches as byte windows
 * (carried/message-caches.ts); which mailboxes run is in the directory's rows (a flag per member).
 */
export interface MessagesStateV2 {
  v: 2;
  caches: MessageCachesV2;
  /** System notices of runs from before delivery by activity (empty in every later run). */
  notices: QueuedNotice[];
  sent: number;
  deliveries: DeliveryState;
}

export type MessagesState = MessagesStateV2 | MessagesStateV1;

/** As carried by runs before the budget. */
export interface MessagesStateV1 {
  /** Lower-case names of members whose mailbox workflow is known to run. */
  mailboxes: string[];
  /** Idempotency: "<sender>\n<key>" → the answer given. */
  sends: [string, SendResult][];
  recent: RecentMessage[];
  /** Thread → lower-case names of those who wrote in it or were addressed directly. */
  threads: [string, string[]][];
  requests: ContactRequest[];
  /** System notices from other modules (DirectoryPort.notify), delivered in the background (runs before delivery by activity). */
  notices: QueuedNotice[];
  sent: number;
  /** Messages recorded but not yet in every recipient's mailbox. */
  deliveries?: DeliveryState;
  /** Idempotency key -> fingerprint of the request it answered (a key reused for another message is refused). */
  fingerprints?: [string, string][];
}


const lower = (s: string) => s.toLowerCase();

interface Plan {
  sender: string;
  recipients: MemberRecord[];
  skipped: { name: string; reason: string }[];
  thread?: string;
}

/**
 * Messages: the project decides (who is asking, who may reach whom, was this send seen before) and
 * the members' mailbox workflows hold the mail. Delivery is a signal per recipient, deduplicated by
 * message id in the mailbox, so each recipient gets a message exactly once even when the sender
 * retries (same idempotency key → same message id) or a delivery is repeated.
 */
export class MessagesModule implements ProjectModule {
  readonly name = 'messages';
  private readonly mailboxes: Set<string>;
  /** Idempotency keys with answers and fingerprints, recent messages, threads, contact requests: byte windows. */
  private readonly caches: MessageCaches;
  private readonly notices: QueuedNotice[];
  private sent: number;
  private readonly starting = new Map<string, Promise<void>>();
  /**
   * Runs that began before delivery by activity existed (replayed histories) keep delivering with a
   * signal per recipient, in the send update itself; every later run records and returns at once.
   */
  private readonly byActivity = wf.patched('baton-deliver-by-activity-v1');
  private readonly deliveries: Deliveries;
  /** Sends in flight by idempotency key, so a concurrent retry waits for the first answer. */
  private readonly inFlight = new Map<string, Promise<SendResult>>();

  constructor(
    private readonly ctx: ProjectContext,
    private readonly directory: AgentDirectory,
    carried: MessagesState | undefined,
  ) {
    const v2 = carried && 'v' in carried ? carried : undefined;
    const v1 = carried && !('v' in carried) ? carried : undefined;
    this.caches = new MessageCaches(v2 ? v2.caches : v1);
    this.mailboxes = new Set(v1 ? v1.mailboxes : directory.withMailbox());
    // Carried from before the budget: the directory's rows carry the flag from now on.
    for (const name of v1?.mailboxes ?? []) directory.markMailbox(name, true);
    this.notices = carried?.notices ?? [];
    this.sent = carried?.sent ?? 0;
    this.deliveries = new Deliveries(ctx.project, () => ctx.settings.maxHistoryEvents, carried?.deliveries);
    // Hooks go in before any module registers handlers: an update that started this workflow is
    // dispatched as soon as its handler is set, i.e. during the directory's register().
    // Registration prepares the new member's mailbox before it answers, so the mailbox is in the Web
    // UI (and reads answer) from the start.
    directory.onRegistered = (member) => this.ensureMailbox(member.name);
    directory.onCredentialsChanged = (member) => this.tellOwner(member);
    directory.notifier = (to, message) => this.queueNotice(to, message);
  }

  register(): void {
    this.ctx.operations.define(sendUpdate, { handle: (raw) => this.send(parseOrFail(SendInput, raw, 'message')), validate: (raw) => {
        const input = parseOrFail(SendInput, raw, 'message');
        const sender = this.directory.authenticateActor(input.actor);
        if (input.idempotencyKey && this.caches.sends.has(idempotencyKey(sender, input.idempotencyKey))) return this.checkSameRequest(sender, input);
        const plan = this.plan(input, sender);
        if (this.byActivity) this.deliveries.checkRoom(this.job(this.message(input, plan, PLACEHOLDER_ID, plan.thread ?? PLACEHOLDER_THREAD), plan));
      }, answerBytes: (raw) => {
        // The receipt names each recipient reached or skipped (with its reason): a broadcast, everyone.
        const input = parseOrFail(SendInput, raw, 'message');
        return 1024 + 200 * (input.broadcast ? this.directory.list().length : input.to.length + input.cc.length);
      } });
    this.ctx.operations.define(notifyUpdate, { handle: (raw) => this.notifyFromWorkflow(parseOrFail(NotifyInput, raw, 'notice')), validate: (raw) => void this.checkNotice(parseOrFail(NotifyInput, raw, 'notice')) });
    this.ctx.operations.define(openMailboxUpdate, { handle: async ({ actor }) => {
        const name = this.directory.authenticateActor(parseOrFail(MemberActor, actor, 'actor'));
        await this.ensureMailbox(name);
        return { workflowId: mailboxWorkflowId(this.ctx.project, name) };
      }, validate: ({ actor }) => void this.directory.authenticateActor(parseOrFail(MemberActor, actor, 'actor')) });
    this.ctx.operations.define(contactRequestUpdate, { handle: (raw) => this.requestContact(parseOrFail(ContactInput, raw, 'contact request')), validate: (raw) => void this.checkContactRequest(parseOrFail(ContactInput, raw, 'contact request')) });
    this.ctx.operations.define(contactApproveUpdate, { handle: (raw) => this.approveContact(parseOrFail(ContactInput, raw, 'contact approval')), validate: (raw) => void this.checkApproval(parseOrFail(ContactInput, raw, 'contact approval')) });
    wf.setHandler(contactsQuery, ({ actor }) => checked(() => this.contactsOf(this.directory.authenticateActor(parseOrFail(MemberActor, actor, 'actor')))));

    void this.pumpNotices();
    if (this.byActivity) void this.deliveries.run();
  }

  snapshot(): MessagesState {
    return { v: 2, caches: this.caches.encode(), notices: this.notices, sent: this.sent, deliveries: this.deliveries.snapshot() };
  }

  /** Carried bytes: the caches (and counters) and the delivery queue (exact for the queue; the rest measured). */
  carriedBytes(): CarriedSizes {
    const delivery = this.deliveries.bytes;
    return { messages: jsonBytes({ v: 2, caches: this.caches.encode(), notices: this.notices, sent: this.sent, deliveries: 0 }) - 1, delivery };
  }

  /** Before continue-as-new: let the deliveries under way finish (see Deliveries.settle). */
  async beforeContinueAsNew(): Promise<void> {
    if (this.byActivity) await this.deliveries.settle(30_000);
  }

  describe() {
    return { mailboxes: this.mailboxes.size, sent: this.sent, threads: this.caches.threads.size, pendingNotices: this.notices.length, pendingDeliveries: this.deliveries.pending, contactRequests: this.caches.requests.size };
  }

  // --- sending -------------------------------------------------------------------------------------

  /**
   * Everything that can refuse a send, without changing state (validators run it too): recipients
   * exist and are active, and each one's contact policy admits the sender.
   */
  private plan(input: SendInput & { to: string[]; cc: string[]; broadcast: boolean }, sender: string): Plan {
    const original = input.replyTo ? this.caches.recent.get(input.replyTo) : undefined;
    const thread = input.thread ?? original?.thread;
    const senderThreads = this.threadsOf(sender);
    if (input.broadcast) {
      const recipients: MemberRecord[] = [];
      const skipped: Plan['skipped'] = [];
      for (const m of this.directory.list()) {
        if (lower(m.name) === lower(sender)) continue;
        const decision = this.decide(sender, m, original, senderThreads);
        if (decision.allowed) recipients.push(m);
        else skipped.push({ name: m.name, reason: decision.reason });
      }
      return { sender, recipients, skipped, thread };
    }
    const recipients: MemberRecord[] = [];
    const seen = new Set<string>();
    for (const name of [...input.to, ...input.cc]) {
      if (seen.has(lower(name))) continue;
      seen.add(lower(name));
      const m = this.directory.get(name);
      if (m.retired) throw batonFailure('INVALID_STATE', `${m.name} is retired and reads no mail; \`baton agents\` lists who is active.`);
      const decision = this.decide(sender, m, original, senderThreads);
      if (!decision.allowed) throw batonFailure('FORBIDDEN', blockedMessage(sender, decision, m.name, m.contactPolicy), { recipient: m.name, policy: m.contactPolicy });
      recipients.push(m);
    }
    return { sender, recipients, skipped: [], thread };
  }

  private decide(sender: string, recipient: MemberRecord, original: RecentMessage | undefined, senderThreads: string[][]) {
    const s = this.directory.get(sender);
    const isHuman = this.directory.isHuman(s.name);
    const trusted = this.directory.isTrusted(s);
    // Thread and reservation facts only matter to `auto`; a broadcast to many members skips them.
    const asksAuto = recipient.contactPolicy === 'auto' && !isHuman && !trusted;
    const lr = lower(recipient.name);
    return decideContact({
      sender: { name: s.name, isHuman, trusted },
      recipient: { name: recipient.name, policy: recipient.contactPolicy, contacts: recipient.contacts },
      answersRecipient: original !== undefined && lower(original.from) === lr && (original.broadcast || original.to.includes(lower(sender))),
      shareThread: asksAuto && senderThreads.some((participants) => participants.includes(lr)),
      holdOverlapping: asksAuto && this.ctx.reservations.holdOverlapping(s.name, recipient.name),
    });
  }

  /** Participant lists of the recent threads the sender took part in (computed once per send). */
  private threadsOf(sender: string): string[][] {
    const ls = lower(sender);
    return [...this.caches.threads.values()].filter((participants) => participants.includes(ls));
  }

  private async send(input: SendInput & { to: string[]; cc: string[]; broadcast: boolean; subject: string; body: string; importance: Importance; ackRequired: boolean }): Promise<SendResult> {
    const sender = this.directory.authenticateActor(input.actor);
    const key = input.idempotencyKey ? idempotencyKey(sender, input.idempotencyKey) : undefined;
    if (key) {
      // No await unless there is something to wait for: a yield here would let a concurrent retry
      // with the same key slip past before this send registers itself as in flight.
      const done = this.caches.sends.get(key)?.result;
      if (done) {
        this.checkSameRequest(sender, input);
        return { ...done, duplicate: true };
      }
      const pending = this.inFlight.get(key);
      if (pending) return { ...(await pending), duplicate: true };
    }
    const plan = this.plan(input, sender);
    // Sends of one batch were all validated against the same queue: the room is checked again here.
    if (this.byActivity) this.deliveries.checkRoom(this.job(this.message(input, plan, PLACEHOLDER_ID, plan.thread ?? PLACEHOLDER_THREAD), plan));
    this.directory.touch(sender);
    const id = newId('m');
    const message = this.message(input, plan, id, plan.thread ?? newId('t'));
    this.index(message, plan.recipients.map((m) => m.name));
    const deliveredTo = plan.recipients.map((m) => m.name);
    this.ctx.notifications.onMessage(message, deliveredTo);
    if (this.byActivity) {
      // Recorded: the answer goes back now; the delivery follows (src/workflows/project/delivery.ts).
      this.deliveries.enqueue(this.job(message, plan));
      const result: SendResult = { messageId: id, thread: message.thread, sentAt: message.sentAt, deliveredTo, skipped: plan.skipped, duplicate: false };
      if (key) this.remember(key, result, fingerprint(input));
      return result;
    }
    // Deliveries and the outbox record go out together: one workflow task issues every signal.
    const outbox = this.ensureMailbox(sender).then(() => this.signalMailbox(sender, sentSignal, { message, deliveredTo }));
    const delivery = Promise.all([this.deliverAll(message, deliveredTo), outbox]).then(() => {
      const result: SendResult = { messageId: id, thread: message.thread, sentAt: message.sentAt, deliveredTo, skipped: plan.skipped, duplicate: false };
      if (key) this.caches.rememberSend(key, result);
      return result;
    });
    if (key) this.inFlight.set(key, delivery);
    try {
      return await delivery;
    } finally {
      if (key) this.inFlight.delete(key);
    }
  }

  /** A member's message as recorded (and, with placeholder id and thread, as validators measure it). */
  private message(input: SendInput & { to: string[]; cc: string[]; broadcast: boolean; subject: string; body: string; importance: Importance; ackRequired: boolean }, plan: Plan, id: string, thread: string): Message {
    return {
      id,
      thread,
      from: plan.sender,
      to: input.broadcast ? [] : input.to.map((n) => this.directory.get(n).name),
      cc: input.cc.map((n) => this.directory.get(n).name),
      broadcast: input.broadcast,
      subject: input.subject,
      body: input.body,
      importance: input.importance,
      ackRequired: input.ackRequired,
      sentAt: new Date(Date.now()).toISOString(),
      ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      system: false,
    };
  }

  /** The delivery of a member's message: its recipients, and the sender's outbox. */
  private job(message: Message, plan: Plan): DeliveryJob {
    return { message, to: plan.recipients.map(ref), outbox: { sender: ref(this.directory.get(plan.sender)), deliveredTo: plan.recipients.map((m) => m.name) } };
  }

  /** Remember who took part, for `auto` (shared thread) and replies; broadcasts add only the sender. */
  private index(message: Message, recipients: string[]): void {
    this.sent++;
    const direct = message.broadcast ? [] : recipients.map(lower);
    this.caches.recent.set(message.id, { id: message.id, from: message.from, to: direct, broadcast: message.broadcast, thread: message.thread } satisfies RecentMessage);
    // Writing only to oneself joins no conversation (else it would be a way around `auto`).
    if (!message.system && !message.broadcast && direct.every((n) => n === lower(message.from))) return;
    const participants = [...(this.caches.threads.get(message.thread) ?? [])];
    for (const name of [lower(message.from), ...direct]) if (!participants.includes(name)) participants.push(name);
    trimArray(participants, MESSAGE_CACHE_LIMITS.participantsPerThread);
    this.caches.threads.set(message.thread, participants);
  }

  // --- delivery ------------------------------------------------------------------------------------

  /** Deliver to every recipient's mailbox; answers the names it reached (canonical spelling). */
  private async deliverAll(message: Message, names: string[]): Promise<string[]> {
    await Promise.all(names.map((n) => this.deliverTo(n, message)));
    return names;
  }

  private async deliverTo(name: string, message: Message): Promise<void> {
    await this.ensureMailbox(name);
    try {
      await this.signalMailbox(name, deliverSignal, message);
    } catch {
      // The mailbox ended (e.g. terminated by hand): start it again and deliver; the mailbox drops
      // a message id it has already seen, so repeating is safe.
      this.knowMailbox(name, false);
      await this.ensureMailbox(name);
      await this.signalMailbox(name, deliverSignal, message);
    }
  }

  private async signalMailbox<A extends unknown[]>(name: string, signal: wf.SignalDefinition<A>, ...args: A): Promise<void> {
    await wf.getExternalWorkflowHandle(mailboxWorkflowId(this.ctx.project, name)).signal(signal, ...args);
  }

  /** Start a member's mailbox workflow unless it runs; concurrent callers share one start. */
  private ensureMailbox(name: string): Promise<void> {
    const key = lower(name);
    if (this.mailboxes.has(key)) return Promise.resolve();
    let starting = this.starting.get(key);
    if (!starting) {
      starting = this.startMailbox(this.directory.get(name)).finally(() => this.starting.delete(key));
      this.starting.set(key, starting);
    }
    return starting;
  }

  private async startMailbox(member: MemberRecord): Promise<void> {
    const workflowId = mailboxWorkflowId(this.ctx.project, member.name);
    try {
      await wf.startChild(mailboxWorkflow, {
        workflowId,
        args: [{ project: this.ctx.project, member: member.name, owner: ownerOf(member), maxHistoryEvents: this.ctx.settings.maxHistoryEvents, generation: 0 }],
        // The mailbox outlives this run of the project workflow (continue-as-new closes the run).
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: BatonProject, value: this.ctx.project },
          { key: BatonKind, value: 'mailbox' },
          { key: BatonAgent, value: member.name },
        ],
        staticSummary: `Mailbox of ${member.name} (${member.kind}) in project ${this.ctx.project}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw batonFailure('UNAVAILABLE', `Could not start the mailbox of ${member.name}: ${(err as Error).message}`);
      // Already running (the project was replaced and the name registered again): tell it who owns
      // it now; another registration starts with an empty mailbox.
      await this.signalMailbox(member.name, claimSignal, ownerOf(member));
    }
    this.knowMailbox(member.name, true);
  }

  /** Which mailboxes run: kept here and carried in the directory's rows. */
  private knowMailbox(name: string, known: boolean): void {
    if (known) this.mailboxes.add(lower(name));
    else this.mailboxes.delete(lower(name));
    this.directory.markMailbox(name, known);
  }

  /** A rotated token or a retirement: the member's mailbox checks the new epoch from now on. */
  private async tellOwner(member: MemberRecord): Promise<void> {
    if (!this.mailboxes.has(lower(member.name))) return;
    try {
      await this.signalMailbox(member.name, claimSignal, ownerOf(member));
    } catch {
      // The mailbox ended (terminated by hand): the next use starts it again with the current owner.
      this.knowMailbox(member.name, false);
    }
  }

  // --- system notices ------------------------------------------------------------------------------

  private checkNotice(input: NotifyInput & { to: string[] | 'humans' | 'all' }): string[] {
    if (input.actor.kind !== 'workflow') {
      throw batonFailure('FORBIDDEN', 'System notices come from Baton\'s workflows; members send with `baton send` or `baton broadcast`.');
    }
    this.directory.authenticateActor(input.actor);
    if (input.to === 'humans') return this.directory.list('human').map((m) => m.name);
    if (input.to === 'all') return this.directory.list().map((m) => m.name);
    const names: string[] = [];
    for (const n of input.to) {
      const m = this.directory.get(n);
      if (!m.retired && !names.includes(m.name)) names.push(m.name);
    }
    return names;
  }

  private async notifyFromWorkflow(input: NotifyInput & { to: string[] | 'humans' | 'all'; subject: string; body: string; importance: Importance; ackRequired: boolean }): Promise<SendResult> {
    const names = this.checkNotice(input);
    const via = input.actor.kind === 'workflow' ? input.actor.workflowId : undefined;
    const key = input.idempotencyKey ? idempotencyKey(`workflow:${via}`, input.idempotencyKey) : undefined;
    if (key) {
      // No await unless there is something to wait for: a yield here would let a concurrent retry
      // with the same key slip past before this send registers itself as in flight.
      const done = this.caches.sends.get(key)?.result;
      if (done) return { ...done, duplicate: true };
      const pending = this.inFlight.get(key);
      if (pending) return { ...(await pending), duplicate: true };
    }
    // A notice to everyone is a broadcast: it makes nobody share a thread (see `index`).
    const message = this.systemMessage(names, { ...input, broadcast: input.to === 'all' }, via);
    this.index(message, names);
    this.ctx.notifications.onMessage(message, names, input.event);
    if (this.byActivity) {
      this.deliveries.enqueue({ message, to: names.map((n) => ref(this.directory.get(n))) });
      const result: SendResult = { messageId: message.id, thread: message.thread, sentAt: message.sentAt, deliveredTo: names, skipped: [], duplicate: false };
      if (key) this.caches.rememberSend(key, result);
      return result;
    }
    const delivery = this.deliverAll(message, names).then((deliveredTo) => {
      const result: SendResult = { messageId: message.id, thread: message.thread, sentAt: message.sentAt, deliveredTo, skipped: [], duplicate: false };
      if (key) this.caches.rememberSend(key, result);
      return result;
    });
    if (key) this.inFlight.set(key, delivery);
    try {
      return await delivery;
    } finally {
      if (key) this.inFlight.delete(key);
    }
  }

  private systemMessage(to: string[], n: { subject: string; body: string; importance?: Importance; ackRequired?: boolean; thread?: string; broadcast?: boolean; notice?: NoticeTag }, via?: string): Message {
    const id = newId('m');
    return {
      id,
      thread: n.thread ?? newId('t'),
      from: SYSTEM_SENDER,
      to: n.broadcast ? [] : to,
      cc: [],
      broadcast: n.broadcast ?? false,
      subject: n.subject,
      body: n.body,
      importance: n.importance ?? 'normal',
      ackRequired: n.ackRequired ?? false,
      sentAt: new Date(Date.now()).toISOString(),
      system: true,
      ...(via ? { via } : {}),
      ...(n.notice ? { notice: n.notice } : {}),
    };
  }

  /**
   * DirectoryPort.notify is synchronous (modules call it from their handlers): queue the notice in
   * carried state and deliver it in the background; a notice still queued at continue-as-new is
   * delivered by the next run (same message id, so at most once per recipient).
   */
  private queueNotice(to: string[], n: { subject: string; body: string; importance?: Importance; notice?: NoticeTag }): void {
    const names = to.filter((name) => this.directory.exists(name) && !this.directory.get(name).retired).map((name) => this.directory.get(name).name);
    if (names.length === 0) return;
    const message = this.systemMessage(names, n);
    if (this.byActivity) this.deliveries.enqueue({ message, to: names.map((name) => ref(this.directory.get(name))) });
    else this.notices.push({ message, to: names });
  }

  private async pumpNotices(): Promise<void> {
    for (;;) {
      await wf.condition(() => this.notices.length > 0);
      const notice = this.notices[0]!;
      try {
        await this.deliverAll(notice.message, notice.to);
      } catch (err) {
        wf.log.warn('Dropping a system notice that could not be delivered', { id: notice.message.id, error: String(err) });
      }
      this.notices.shift();
    }
  }

  /** A notice to members: queued for delivery (or, in runs from before, delivered right away). */
  private async deliverNotice(message: Message, to: MemberRecord[]): Promise<void> {
    if (this.byActivity) this.deliveries.enqueue({ message, to: to.map(ref) });
    else await this.deliverAll(message, to.map((m) => m.name));
  }

  /** An idempotency key answers the same request only: another message under it is refused. */
  private checkSameRequest(sender: string, input: SendInput): void {
    const known = input.idempotencyKey ? this.caches.sends.get(idempotencyKey(sender, input.idempotencyKey))?.fingerprint : undefined;
    if (known !== undefined && known !== fingerprint(input)) {
      throw batonFailure('CONFLICT', `idempotencyKey: "${input.idempotencyKey}" was already used by ${sender} for another message; use a new key for a new message (a retry must send the same message).`, { idempotencyKey: input.idempotencyKey });
    }
  }

  private remember(key: string, result: SendResult, requestFingerprint?: string): void {
    this.caches.rememberSend(key, result, requestFingerprint);
  }

  // --- contacts ------------------------------------------------------------------------------------

  private checkContactRequest(input: ContactInput): { from: string; to: MemberRecord } {
    const from = this.directory.authenticateActor(input.actor);
    const to = this.directory.get(input.name);
    if (lower(to.name) === lower(from)) throw batonFailure('INVALID_INPUT', 'name: you are always in contact with yourself.');
    if (to.retired) throw batonFailure('INVALID_STATE', `${to.name} is retired.`);
    if (to.contacts.some((c) => lower(c) === lower(from))) throw batonFailure('ALREADY_EXISTS', `${from} is already a contact of ${to.name}; just send.`);
    return { from, to };
  }

  private async requestContact(input: ContactInput): Promise<ContactRequest> {
    const { from, to } = this.checkContactRequest(input);
    this.directory.touch(from);
    const request: ContactRequest = { from, to: to.name, at: new Date(Date.now()).toISOString(), ...(input.note ? { note: input.note } : {}) };
    this.caches.requests.set(requestKey(from, to.name), request);
    const notice = this.systemMessage([to.name], {
      subject: `Contact request from ${from}`,
      body: `${from} asks to message you${input.note ? `:\n\n> ${input.note}\n` : '.'}\n\nApprove with \`baton contact approve ${from}\` (you become each other's contacts), or ignore this.`,
    });
    await this.deliverNotice(notice, [to]);
    return request;
  }

  private checkApproval(input: ContactInput): { by: string; who: MemberRecord } {
    const by = this.directory.authenticateActor(input.actor);
    const who = this.directory.get(input.name);
    if (lower(who.name) === lower(by)) throw batonFailure('INVALID_INPUT', 'name: you are always in contact with yourself.');
    // Contacts are carried in the directory's rows: they must fit in its budget.
    const asked = this.caches.requests.has(requestKey(who.name, by));
    const adding = this.directory.contactCost(by, who.name) + (asked ? this.directory.contactCost(who.name, by) : 0);
    if (adding > 0) this.directory.checkRoom(adding, `add ${who.name} as a contact of ${by}`);
    return { by, who };
  }

  private async approveContact(input: ContactInput): Promise<ContactsView> {
    const { by, who } = this.checkApproval(input);
    this.directory.touch(by);
    this.directory.addContact(by, who.name);
    const asked = this.caches.requests.has(requestKey(who.name, by));
    // Whoever asked to talk to `by` will want the answer: contacts become mutual on an approved request.
    if (asked) this.directory.addContact(who.name, by);
    this.caches.requests.delete(requestKey(who.name, by));
    if (!who.retired) {
      await this.deliverNotice(this.systemMessage([who.name], { subject: `${by} accepted you as a contact`, body: `You may now message ${by} (\`baton send ${by} ...\`).` }), [who]);
    }
    return this.contactsOf(by);
  }

  private contactsOf(name: string): ContactsView {
    const m = this.directory.get(name);
    return {
      name: m.name,
      policy: m.contactPolicy,
      contacts: m.contacts,
      incoming: [...this.caches.requests.values()].filter((r) => lower(r.to) === lower(m.name)),
      outgoing: [...this.caches.requests.values()].filter((r) => lower(r.from) === lower(m.name)),
    };
  }
}

/** A member's mailbox as a delivery addresses it. */
function ref(member: MemberRecord): MailboxRef {
  return { name: member.name, owner: ownerOf(member) };
}

/** What makes two sends the same request (for idempotency keys): everything but who and when. */
function fingerprint(input: SendInput): string {
  const { to, cc, broadcast, subject, body, importance, ackRequired, thread, replyTo } = input;
  return shortFingerprint(hashToken(JSON.stringify([to ?? [], cc ?? [], broadcast ?? false, subject, body, importance ?? 'normal', ackRequired ?? false, thread ?? null, replyTo ?? null])));
}

/** Ids of the length `newId` makes, for measuring a message before it is recorded. */
const PLACEHOLDER_ID = 'm-000000000000';
const PLACEHOLDER_THREAD = 't-000000000000';

/** Who owns a member's mailbox: this registration, at its current epoch. */
function ownerOf(member: MemberRecord): MailboxOwner {
  return { memberId: member.id ?? `legacy-${member.name.toLowerCase()}`, epoch: member.epoch ?? 0, retired: member.retired };
}

function idempotencyKey(sender: string, key: string): string {
  return `${lower(sender)}\n${key}`;
}

/** "m-3f2a9c1b7e4d": short enough to type, random from the SDK (replay-safe). */
function newId(prefix: 'm' | 't'): string {
  return `${prefix}-${wf.uuid4().replace(/-/g, '').slice(0, 12)}`;
}
