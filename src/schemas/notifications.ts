import { z } from 'zod';
import { NOTIFICATION_KINDS, SINK_KINDS } from '../domain/notifications/kinds';
import { Actor, MemberActor } from './actor';

/**
 * Notifications that reach humans where they are (a webhook, Slack, the desktop), for what needs
 * them: a decision waiting for them, an escalation, an urgent message, an alert, a lease of theirs
 * about to expire. Each human keeps their own sinks in the project workflow's notifications module;
 * the module decides who gets what (deduplicated per decision, rate-limited per human) and a worker
 * activity delivers, with retries and a dead-letter record.
 */

export { NOTIFICATION_KINDS, SINK_KINDS };
export const NotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const SinkKind = z.enum(SINK_KINDS);
export type SinkKind = z.infer<typeof SinkKind>;

/** At most this many sinks per human (each notification goes to every one of them). */
export const MAX_SINKS_PER_HUMAN = 10;

const HttpUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL, like https://hooks.slack.com/services/T000/B000/XXXX');

export const SinkId = z.string().regex(/^s-[0-9a-f]{8}$/, 'is not a sink id (like s-3f2a9c1b; `baton notify list` shows them)');

/** What a human asks for (`baton notify add webhook URL`): the server adds where links point. */
export const SinkRequest = z
  .object({
    kind: SinkKind,
    /** Where to POST (webhook: Baton's JSON; slack: an incoming-webhook URL); none for desktop. */
    url: HttpUrl.optional(),
    /** Which notifications this sink gets (default: all). */
    events: z.array(NotificationKind).min(1, 'must name at least one kind (or leave it out for all)').max(NOTIFICATION_KINDS.length).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.kind === 'desktop' && s.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a desktop sink has no URL (it runs notify-send where the worker runs)' });
    if (s.kind !== 'desktop' && !s.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `is required for a ${s.kind} sink (where to POST)` });
  });
export type SinkRequest = z.input<typeof SinkRequest>;

/** The notifications module's `addNotificationSink` update (human only). */
export const AddSinkInput = z.object({
  actor: Actor,
  sink: SinkRequest,
  /** The console's address as the human reached it: notifications link to pages under it. */
  linkBase: HttpUrl,
});
export type AddSinkInput = z.input<typeof AddSinkInput>;

export const SinkRef = z.object({ actor: Actor, id: SinkId });
export type SinkRef = z.input<typeof SinkRef>;
export const TestSinkInput = z.object({ actor: Actor, id: SinkId.optional() });
export type TestSinkInput = z.input<typeof TestSinkInput>;
export const NotificationsViewInput = z.object({ actor: MemberActor });

/** A sink as the module keeps it. */
export interface Sink {
  id: string;
  owner: string;
  kind: SinkKind;
  url?: string;
  events: NotificationKind[];
  linkBase: string;
  addedAt: string;
}

/** A sink as its owner sees it: the URL shortened (a Slack webhook URL is a secret). */
export interface SinkView {
  id: string;
  kind: SinkKind;
  target: string;
  events: NotificationKind[];
  addedAt: string;
}

// --- what happened (from pattern workflows and the project's own modules) ----------------------------

const Short = (max: number) => z.string().max(max);

/**
 * Something a human may need to hear about, as the module receives it. Pattern workflows attach one
 * to the notice they send anyway (decisions, escalations); the project's modules raise the others.
 */
export const NotificationEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('decision'),
    workflowId: Short(500),
    pattern: Short(64),
    title: Short(200),
    decisionId: Short(64),
    step: Short(200),
    question: Short(2000),
    askedBy: Short(64).optional(),
    deadline: Short(40).optional(),
  }),
  z.object({ kind: z.literal('escalation'), workflowId: Short(500), pattern: Short(64), title: Short(200), step: Short(200), text: Short(2000) }),
  z.object({ kind: z.literal('urgent-message'), messageId: Short(40), from: Short(64), subject: Short(200) }),
  z.object({ kind: z.literal('alert'), alertId: Short(600), raisedAt: Short(40), alertKind: Short(40), agent: Short(64), summary: Short(500) }),
  z.object({ kind: z.literal('lease-expiring'), reservationId: Short(64), pattern: Short(1000), expiresAt: Short(40) }),
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** One notification for one human (the same for each of their sinks). */
export interface Notification {
  id: string;
  project: string;
  /** A test from `baton notify test`, a digest of held notifications, or what happened. */
  kind: NotificationKind | 'test' | 'digest';
  to: string;
  title: string;
  text: string;
  /** The console page it links to, under the sink's linkBase (a page to look at: no action on GET). */
  path: string;
  createdAt: string;
  /** Deduplication key: one notification per decision (or message, alert, lease expiry) per human. */
  key: string;
  event?: NotificationEvent;
}

/** What the delivery activity gets: one notification, one sink. */
export interface DeliveryRequest {
  sink: { id: string; kind: SinkKind; url?: string };
  notification: Notification;
  /** The full link (the sink's linkBase + the notification's path). */
  link: string;
}

export interface DeliveryOutcome {
  at: string;
  notificationId: string;
  sinkId: string;
  owner: string;
  title: string;
  kind: Notification['kind'];
  status: 'delivered' | 'dead';
  attempts: number;
  /** Why it failed, for dead letters. */
  error?: string;
}

/** GET /notifications: the caller's sinks, the project's dead letters and recent deliveries. */
export interface NotificationsView {
  sinks: SinkView[];
  deadLetters: DeliveryOutcome[];
  recent: DeliveryOutcome[];
  /** Notifications held by the rate limit, per human, waiting to go out as one digest. */
  held: number;
}
