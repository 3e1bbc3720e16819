import { z } from 'zod';
import { Actor, MemberActor, MemberName } from './actor';
import { NotificationEvent } from './notifications';
import { MAX_BODY_BYTES, MAX_IDEMPOTENCY_KEY_CHARS, MAX_NOTICE_RECIPIENTS, MAX_RECIPIENTS, MAX_OPEN_WAITS, MAX_SUBJECT_CHARS, MAX_WAIT_SECONDS, utf8Length } from '../domain/messages/limits';

/**
 * Messages between members of a project. One schema per message, shared by the project workflow's
 * and the mailbox's validators, the client and the CLI, so an error reads the same everywhere.
 */
export const Importance = z.enum(['low', 'normal', 'high', 'urgent']);
export type Importance = z.infer<typeof Importance>;

export const Subject = z
  .string()
  .trim()
  .min(1, 'must not be empty; say what the message is about')
  .max(MAX_SUBJECT_CHARS, `must be at most ${MAX_SUBJECT_CHARS} characters`);

export const Body = z
  .string()
  .refine((s) => utf8Length(s) <= MAX_BODY_BYTES, {
    message: `must be at most ${MAX_BODY_BYTES / 1024} KiB (UTF-8); put large content in a file in the repo and reference it`,
  });

export const MessageId = z.string().regex(/^m-[0-9a-f]{12}$/, 'is not a message id (like m-3f2a9c1b7e4d; `baton inbox` lists them)');
export const ThreadId = z.string().regex(/^t-[0-9a-f]{12}$/, 'is not a thread id (like t-3f2a9c1b7e4d; `baton inbox` shows them)');
export const IdempotencyKey = z.string().min(1, 'must not be empty').max(MAX_IDEMPOTENCY_KEY_CHARS, `must be at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);

export { MemberActor };

const Recipients = z.array(MemberName).max(MAX_RECIPIENTS, `must name at most ${MAX_RECIPIENTS} members (use broadcast for everyone)`);

/**
 * The project workflow's `send` update. `broadcast` goes to every active member except the sender;
 * otherwise `to` (and `cc`) name the recipients. `replyTo` answers a message (same thread).
 */
export const SendRequest = z
  .object({
    to: Recipients.default([]),
    cc: Recipients.default([]),
    broadcast: z.boolean().default(false),
    subject: Subject,
    body: Body,
    importance: Importance.default('normal'),
    ackRequired: z.boolean().default(false),
    thread: ThreadId.optional(),
    replyTo: MessageId.optional(),
    /** The same key from the same sender gets the same answer and delivers once (retries are safe). */
    idempotencyKey: IdempotencyKey.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.broadcast && (v.to.length > 0 || v.cc.length > 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be empty for a broadcast (it goes to everyone)' });
    if (!v.broadcast && v.to.length === 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must name at least one recipient (`baton agents` lists them)' });
  });
export type SendRequest = z.input<typeof SendRequest>;
export const SendInput = SendRequest.safeExtend({ actor: Actor });
export type SendInput = z.input<typeof SendInput>;

/**
 * What a notice from Baton is about, for programs that sort notices rather than read them (the agent
 * hooks' attention digest, src/domain/messages/attention.ts):
 * - lease-expiring / lease-expired: the reservation book's warnings to a holder (`reservationIds`);
 * - task: a step of a pattern assigned to the member (with the previous step's handoff, if any);
 * - decision: a human's decision the member asked for (approve or reject of its step).
 * Notices without a topic are sorted by importance like any mail.
 */
export const NoticeTopic = z.enum(['lease-expiring', 'lease-expired', 'task', 'decision']);
export type NoticeTopic = z.infer<typeof NoticeTopic>;
export const NoticeTag = z.object({
  topic: NoticeTopic,
  /** The leases concerned (lease notices). */
  reservationIds: z.array(z.string().max(64)).max(1000).optional(),
  /**
   * lease-expiring: the latest expiry the warning is about (ISO). A lease renewed past it (or released)
   * since makes the warning stale, and the attention digest leaves it out.
   */
  expiresAt: z.string().optional(),
});
export type NoticeTag = z.infer<typeof NoticeTag>;

/** The internal notice path (pattern workflows, other modules): from "baton", no contact policy. */
export const NotifyInput = z.object({
  actor: Actor,
  to: z.union([z.array(MemberName).min(1, 'must name at least one member').max(MAX_NOTICE_RECIPIENTS, `must name at most ${MAX_NOTICE_RECIPIENTS} members (use 'all')`), z.literal('humans'), z.literal('all')]),
  subject: Subject,
  body: Body,
  importance: Importance.default('normal'),
  ackRequired: z.boolean().default(false),
  thread: ThreadId.optional(),
  idempotencyKey: IdempotencyKey.optional(),
  notice: NoticeTag.optional(),
  /** What the notice is about, for the humans' notification sinks (a decision, an escalation). */
  event: NotificationEvent.optional(),
});
export type NotifyInput = z.input<typeof NotifyInput>;

/** A message as delivered and stored. `from` is a member name, or "baton" for system notices. */
export const Message = z.object({
  id: MessageId,
  thread: ThreadId,
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  broadcast: z.boolean(),
  subject: z.string(),
  body: z.string(),
  importance: Importance,
  ackRequired: z.boolean(),
  sentAt: z.string(),
  replyTo: MessageId.optional(),
  system: z.boolean(),
  /** For system notices: the workflow that sent it. */
  via: z.string().optional(),
  /** For system notices: what it is about, for programs (see NoticeTag). */
  notice: NoticeTag.optional(),
});
export type Message = z.infer<typeof Message>;

export const SYSTEM_SENDER = 'baton';

export const InboxItem = Message.extend({
  /** Position in this mailbox (increasing); `inbox --wait` waits for a larger one. */
  seq: z.number().int(),
  readAt: z.string().optional(),
  ackedAt: z.string().optional(),
  /** The body was dropped to keep the mailbox bounded (the message is old). */
  bodyDropped: z.boolean().optional(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const Ack = z.object({ member: z.string(), at: z.string() });
export type Ack = z.infer<typeof Ack>;

export const OutboxItem = Message.extend({
  deliveredTo: z.array(z.string()),
  acks: z.array(Ack),
  bodyDropped: z.boolean().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const SendResult = z.object({
  messageId: MessageId,
  thread: ThreadId,
  sentAt: z.string(),
  deliveredTo: z.array(z.string()),
  /** Broadcasts skip members whose contact policy refuses the sender. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  /** True when this answer repeats an earlier send with the same idempotency key. */
  duplicate: z.boolean(),
});
export type SendResult = z.infer<typeof SendResult>;

export const InboxFilter = z.object({
  unread: z.boolean().default(false),
  urgent: z.boolean().default(false),
  thread: ThreadId.optional(),
  /** ISO time or epoch ms: only messages sent at or after it. */
  since: z
    .union([z.number().int().min(0), z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time like 2026-01-31T12:00:00Z')])
    .optional(),
  limit: z.number().int().min(1).max(500, 'must be at most 500').default(50),
});
export type InboxFilter = z.input<typeof InboxFilter>;

export const InboxPage = z.object({
  items: z.array(InboxItem),
  unread: z.number().int(),
  total: z.number().int(),
  /** The highest seq in the mailbox, for `wait({ afterSeq })`. */
  lastSeq: z.number().int(),
});
export type InboxPage = z.infer<typeof InboxPage>;

export { MAX_OPEN_WAITS, MAX_WAIT_SECONDS };

export const WaitInput = z.object({
  actor: MemberActor,
  /**
   * Names this wait so its caller can end it early (the `cancelWait` signal: a CLI interrupted, an HTTP
   * client gone, an MCP call cancelled). The typed client makes one up when it is left out.
   */
  waitId: z.string().trim().min(1).max(64).optional(),
  filter: InboxFilter.prefault({}),
  /** Wait for mail after this seq; without it, unread mail already there answers at once. */
  afterSeq: z.number().int().min(0).optional(),
  timeoutSeconds: z.number().min(0).max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS} seconds (wait again for longer)`),
});
export type WaitInput = z.input<typeof WaitInput>;

export const WaitResult = z.object({
  items: z.array(InboxItem),
  timedOut: z.boolean(),
  /** The mailbox is about to continue-as-new and released the wait early: wait again. */
  interrupted: z.boolean(),
  lastSeq: z.number().int(),
  /**
   * A newer wait of the same member took this one's place (at most MAX_OPEN_WAITS are open): another
   * process of the member is waiting now, so this one should stop rather than wait again.
   */
  superseded: z.boolean().optional(),
  /** Its caller went away (interrupted, disconnected, cancelled) and the mailbox released it. */
  cancelled: z.boolean().optional(),
});
export type WaitResult = z.infer<typeof WaitResult>;

export const MessageOp = z.object({ actor: MemberActor, messageId: MessageId });
export type MessageOp = z.input<typeof MessageOp>;

export const ThreadView = z.object({
  thread: ThreadId,
  subject: z.string(),
  messages: z.array(Message.extend({ direction: z.enum(['in', 'out']), readAt: z.string().optional(), ackedAt: z.string().optional(), acks: z.array(Ack).optional() })),
});
export type ThreadView = z.infer<typeof ThreadView>;

export const ContactInput = z.object({ actor: Actor, name: MemberName, note: z.string().trim().max(500, 'must be at most 500 characters').optional() });
export type ContactInput = z.input<typeof ContactInput>;

export const ContactRequest = z.object({ from: z.string(), to: z.string(), at: z.string(), note: z.string().optional() });
export type ContactRequest = z.infer<typeof ContactRequest>;

export const ContactsView = z.object({
  name: z.string(),
  policy: z.string(),
  contacts: z.array(z.string()),
  /** Requests others made to contact this member, not yet approved. */
  incoming: z.array(ContactRequest),
  /** Requests this member made, not yet approved. */
  outgoing: z.array(ContactRequest),
});
export type ContactsView = z.infer<typeof ContactsView>;

/**
 * Whose mailbox it is: one registration of a name (`memberId`) at a credential epoch. The project
 * workflow tells the mailbox when either changes (the `claim` signal); reads and writes by a member
 * whose epoch differs, or after retirement, are refused.
 */
export const MailboxOwner = z.object({ memberId: z.string().min(1).max(100), epoch: z.number().int().min(0), retired: z.boolean() });
export type MailboxOwner = z.infer<typeof MailboxOwner>;

/** What the project starts a mailbox with (and the mailbox carries across continue-as-new). */
export interface MailboxInput {
  project: string;
  member: string;
  /** The owner at start (absent in mailboxes started before owners existed: they carried a tokenHash). */
  owner?: MailboxOwner;
  /** Legacy: mailboxes started before the Baton server existed identified their owner by token hash. */
  tokenHash?: string;
  maxHistoryEvents: number;
  generation: number;
  carried?: unknown;
}

export interface MailboxDescription {
  project: string;
  member: string;
  generation: number;
  historyLength: number;
  inbox: { total: number; unread: number; urgentUnread: number; awaitingMyAck: number };
  outbox: { total: number; awaitingAcks: number };
  /** Waits open now, and how many ended because a newer wait superseded them or their caller went away. */
  waits: { open: number; superseded: number; cancelled: number };
  /** The attention cursor: inbox items up to this seq were offered to the member's hooks. */
  attentionSeq: number;
  recent: { seq: number; id: string; thread: string; from: string; subject: string; importance: Importance; sentAt: string; read: boolean; acked: boolean }[];
}
