import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { trimArray, trimMap } from '../../domain/messages/bounded';
import { compose } from '../../domain/notifications/compose';
import { consolePaths } from '../../domain/notifications/console-paths';
import { maskUrl } from '../../domain/notifications/payloads';
import { DEFAULT_RATE_LIMIT, hasRoom, inWindow, roomAt } from '../../domain/notifications/rate-limit';
import { MemberActor } from '../../schemas/actor';
import type { Importance } from '../../schemas/messages';
import {
  AddSinkInput,
  MAX_SINKS_PER_HUMAN,
  NOTIFICATION_KINDS,
  SinkRef,
  TestSinkInput,
  type DeliveryOutcome,
  type Notification,
  type NotificationEvent,
  type NotificationKind,
  type NotificationsView,
  type Sink,
  type SinkView,
} from '../../schemas/notifications';
import { batonFailure, checked, parseOrFail } from '../failure';
import { formatBytes, type CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import type { AgentDirectory } from './directory';
import type { ProjectContext, ProjectModule } from './module';
import { addSinkUpdate, notificationsQuery, removeSinkUpdate, testSinkUpdate, type NotificationActivities } from './notifications-api';

/** One notification on its way to one sink (carried across continue-as-new until it is done). */
interface Job {
  notification: Notification;
  sinkId: string;
}

export interface NotificationsState {
  sinks: Sink[];
  /** [lower-case human, dedup key, workflow ms]: what each human was already told. */
  seen: [string, string, number][];
  /** [lower-case human, send times (workflow ms) inside the rate window]. */
  sent: [string, number[]][];
  /** Over the rate limit: waiting for room, then sent as one digest per human. */
  held: Notification[];
  jobs: Job[];
  recent: DeliveryOutcome[];
  dead: DeliveryOutcome[];
}

/**
 * Bounds of the carried state by count. Deliveries in flight are never dropped, so they also bound the
 * jobs' bytes: 4 (8 in runs from before the byte bounds) of the largest (~7 KiB) fit NOTIFICATION_BYTES.
 */
export const NOTIFICATION_COUNTS = { seen: 2000, recent: 50, dead: 50, held: 200, jobs: 500, inFlight: 4, inFlightBefore: 8 };
const LIMITS = NOTIFICATION_COUNTS;
/**
 * Bounds by bytes (JSON, as carried), within CARRIED_BUDGET.notifications (96 KiB): a decision's
 * notification carries its question (up to 2,000 characters), so counts alone would let 500 waiting
 * jobs and 200 held ones reach megabytes, past Temporal's 2 MiB limit on the continue-as-new input.
 * Sinks are refused past theirs; the oldest of the others are dropped (a dropped job is a dead letter
 * the console shows; a forgotten dedup key at worst notifies a human twice about one decision).
 */
export const NOTIFICATION_BYTES = { sinks: 10 * 1024, seen: 24 * 1024, jobs: 24 * 1024, held: 12 * 1024, outcomes: 6 * 1024 };
/** A lease is announced this long before it expires (a quarter of its TTL when that is shorter). */
const LEASE_WARNING_MS = 10 * 60_000;

const acts = wf.proxyActivities<NotificationActivities>({
  startToCloseTimeout: '15s',
  // A sink that is down for a while gets its notification once it is back; one that keeps failing
  // (or answers 4xx: not retried) ends in the dead letters, which the console shows.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5 },
});

const lower = (s: string) => s.toLowerCase();

/**
 * Humans' notification sinks and the decisions about who is told what. Events arrive from the other
 * modules through the NotificationsPort (a message recorded with an event or as urgent, an alert
 * raised) and from the module's own look at the leases (one of a human's leases about to expire).
 * For each human with a sink for that kind: once per decision (dedup key), within a rate limit (held
 * notifications go out later as one digest), to every matching sink by a worker activity with
 * retries; a delivery that still fails is a dead letter the console shows.
 *
 * Replay of runs from before this module: with no sinks, it never schedules a timer or an activity,
 * so those histories replay unchanged.
 */
export class NotificationsModule implements ProjectModule {
  readonly name = 'notifications';
  private sinks: Sink[];
  private readonly seen: Map<string, number>;
  private readonly sent: Map<string, number[]>;
  private held: Notification[];
  private readonly jobs: Job[];
  private readonly started = new Set<Job>();
  private readonly recent: DeliveryOutcome[];
  private readonly dead: DeliveryOutcome[];
  /** Bytes of each carried item, measured once (items are never changed once made). */
  private readonly sizes = new WeakMap<object, number>();
  /**
   * Byte bounds (NOTIFICATION_BYTES) apply from this version on: they can drop jobs sooner, and so
   * schedule fewer deliveries than runs from before did (patched).
   */
  private readonly byteBounded = wf.patched('baton-notification-bytes-v1');

  constructor(
    private readonly ctx: ProjectContext,
    private readonly directory: AgentDirectory,
    carried: NotificationsState | undefined,
  ) {
    this.sinks = carried?.sinks ?? [];
    this.seen = new Map((carried?.seen ?? []).map(([h, k, at]) => [`${h}\n${k}`, at]));
    this.sent = new Map(carried?.sent ?? []);
    this.held = carried?.held ?? [];
    this.jobs = carried?.jobs ?? [];
    this.recent = carried?.recent ?? [];
    this.dead = carried?.dead ?? [];
  }

  register(): void {
    this.ctx.operations.define(addSinkUpdate, {
      validate: (raw) => void this.checkAdd(parseOrFail(AddSinkInput, raw, 'notification sink')),
      handle: (raw) => this.add(parseOrFail(AddSinkInput, raw, 'notification sink')),
    });
    this.ctx.operations.define(removeSinkUpdate, {
      validate: (raw) => void this.ownSink(parseOrFail(SinkRef, raw, 'sink')),
      handle: (raw) => this.remove(parseOrFail(SinkRef, raw, 'sink')),
    });
    this.ctx.operations.define(testSinkUpdate, {
      validate: (raw) => void this.sinksToTest(parseOrFail(TestSinkInput, raw, 'test request')),
      handle: (raw) => this.test(parseOrFail(TestSinkInput, raw, 'test request')),
    });
    wf.setHandler(notificationsQuery, (raw) => checked(() => this.view(this.directory.authenticateActor(parseOrFail(MemberActor, raw?.actor, 'actor')))));
    void this.pump();
  }

  snapshot(): NotificationsState {
    return {
      sinks: this.sinks,
      seen: [...this.seen].map(([k, at]) => {
        const [h, key] = k.split('\n') as [string, string];
        return [h, key, at];
      }),
      sent: [...this.sent],
      held: this.held,
      jobs: this.jobs,
      recent: this.recent,
      dead: this.dead,
    };
  }

  /** Exact bytes of the snapshot as JSON (describe and the continue-as-new check read it). */
  carriedBytes(): CarriedSizes {
    return { notifications: jsonBytes(this.snapshot()) };
  }

  describe() {
    return { sinks: this.sinks.length, pending: this.jobs.length, held: this.held.length, deadLetters: this.dead.length };
  }

  // --- the port other modules call -----------------------------------------------------------------

  /**
   * A message was recorded. A pattern's notice may carry an event (a decision, an escalation): it
   * notifies the human recipients as that kind. Any other urgent message to a human is an
   * urgent-message notification (not to its own sender).
   */
  onMessage(message: { id: string; from: string; subject: string; importance: Importance }, recipients: string[], event?: NotificationEvent): void {
    if (this.sinks.length === 0) return;
    if (event) return this.dispatch(event, recipients);
    if (message.importance !== 'urgent') return;
    this.dispatch(
      { kind: 'urgent-message', messageId: message.id, from: message.from, subject: message.subject.slice(0, 200) },
      recipients.filter((r) => lower(r) !== lower(message.from)),
    );
  }

  /** Something the named humans should hear about (an alert). */
  raise(event: NotificationEvent, to: string[]): void {
    if (this.sinks.length === 0) return;
    this.dispatch(event, to);
  }

  // --- wake-ups: digests of held notifications, leases about to expire ----------------------------

  nextWakeAt(): number | undefined {
    if (this.sinks.length === 0) return undefined;
    const now = Date.now();
    const times: number[] = [];
    for (const h of new Set(this.held.map((n) => lower(n.to)))) times.push(roomAt(this.sent.get(h) ?? [], now, DEFAULT_RATE_LIMIT));
    for (const lease of this.leasesToWarn(now)) times.push(lease.warnAt);
    return times.length ? Math.min(...times) : undefined;
  }

  onWake(now: number): void {
    for (const lease of this.leasesToWarn(now)) {
      if (lease.warnAt <= now) this.dispatch({ kind: 'lease-expiring', reservationId: lease.id, pattern: lease.pattern.slice(0, 1000), expiresAt: new Date(lease.expiresAt).toISOString() }, [lease.holder]);
    }
    this.releaseHeld(now);
  }

  /** Leases of humans who want lease warnings, not yet warned about at this expiry time. */
  private leasesToWarn(now: number): { id: string; holder: string; pattern: string; expiresAt: number; warnAt: number }[] {
    const wanting = new Set(this.sinks.filter((s) => s.events.includes('lease-expiring')).map((s) => lower(s.owner)));
    if (wanting.size === 0) return [];
    const out = [];
    for (const l of this.ctx.reservations.activeLeases(now)) {
      if (!wanting.has(lower(l.holder)) || l.id === undefined || l.expiresAt === undefined) continue;
      const expiresAt = new Date(l.expiresAt).toISOString();
      if (this.seen.has(`${lower(l.holder)}\nlease:${l.id}:${expiresAt}`)) continue;
      out.push({ id: l.id, holder: l.holder, pattern: l.pattern, expiresAt: l.expiresAt, warnAt: l.expiresAt - Math.min(LEASE_WARNING_MS, (l.expiresAt - l.createdAt) / 4) });
    }
    return out;
  }

  // --- deciding who is told --------------------------------------------------------------------------

  private dispatch(event: NotificationEvent, recipients: string[]): void {
    const now = Date.now();
    const composed = compose(this.ctx.project, event);
    const humans = new Map(this.directory.list('human').map((m) => [lower(m.name), m.name]));
    for (const name of new Set(recipients.map(lower))) {
      const human = humans.get(name);
      if (!human || !this.sinks.some((s) => lower(s.owner) === name && s.events.includes(event.kind))) continue;
      const seenKey = `${name}\n${composed.key}`;
      if (this.seen.has(seenKey)) continue;
      this.seen.set(seenKey, now);
      this.trimSeen();
      const notification: Notification = { id: newId('n'), project: this.ctx.project, kind: event.kind, to: human, title: composed.title, text: composed.text, path: composed.path, createdAt: iso(now), key: composed.key, event };
      this.send(notification, event.kind, now);
    }
  }

  /** Within the rate limit it goes out now; over it, it waits for the digest. */
  private send(notification: Notification, kind: NotificationKind, now: number): void {
    const h = lower(notification.to);
    const sent = inWindow(this.sent.get(h) ?? [], now, DEFAULT_RATE_LIMIT);
    if (!hasRoom(sent, now, DEFAULT_RATE_LIMIT)) {
      this.held.push(notification);
      trimArray(this.held, LIMITS.held);
      if (this.byteBounded) while (this.held.length > 1 && this.bytesOf(this.held) > NOTIFICATION_BYTES.held) this.held.shift();
      this.ctx.wake();
      return;
    }
    sent.push(now);
    this.sent.set(h, sent);
    for (const sink of this.sinks) if (lower(sink.owner) === h && sink.events.includes(kind)) this.enqueue({ notification, sinkId: sink.id });
  }

  /** Held notifications of each human with room again: one as it is, several as one digest. */
  private releaseHeld(now: number): void {
    const byHuman = new Map<string, Notification[]>();
    for (const n of this.held) byHuman.set(lower(n.to), [...(byHuman.get(lower(n.to)) ?? []), n]);
    for (const [h, held] of byHuman) {
      if (!hasRoom(this.sent.get(h) ?? [], now, DEFAULT_RATE_LIMIT)) continue;
      this.held = this.held.filter((n) => lower(n.to) !== h);
      const sent = inWindow(this.sent.get(h) ?? [], now, DEFAULT_RATE_LIMIT);
      sent.push(now);
      this.sent.set(h, sent);
      const kinds = new Set(held.map((n) => n.kind));
      const one = held.length === 1 ? held[0]! : undefined;
      const notification: Notification = one ?? {
        id: newId('n'),
        project: this.ctx.project,
        kind: 'digest',
        to: held[0]!.to,
        title: `${held.length} notifications in project ${this.ctx.project}`,
        text: held.map((n) => `- ${n.title}`).join('\n'),
        path: consolePaths.needsYou(),
        createdAt: iso(now),
        key: `digest:${newId('d')}`,
      };
      for (const sink of this.sinks) {
        if (lower(sink.owner) === h && [...kinds].some((k) => k === 'test' || k === 'digest' || sink.events.includes(k))) this.enqueue({ notification, sinkId: sink.id });
      }
    }
  }

  // --- sinks -----------------------------------------------------------------------------------------

  private checkAdd(input: AddSinkInput & { actor: AddSinkInput['actor'] }): string {
    const owner = this.directory.requireHuman(input.actor, 'add a notification sink');
    const mine = this.sinks.filter((s) => lower(s.owner) === lower(owner));
    const same = mine.find((s) => s.kind === input.sink.kind && s.url === input.sink.url);
    if (same) throw batonFailure('ALREADY_EXISTS', `You already have this ${same.kind} sink (${same.id}); \`baton notify remove ${same.id}\` first to change what it gets.`, { id: same.id });
    if (mine.length >= MAX_SINKS_PER_HUMAN) throw batonFailure('INVALID_STATE', `You have ${mine.length} sinks, the most one human may have; remove one first (\`baton notify list\`).`);
    // The new sink's row: its URL, events and console link, plus an id, owner and time of fixed size.
    const adding = jsonBytes({ id: 's-00000000', owner, kind: input.sink.kind, url: input.sink.url, events: input.sink.events ?? [...NOTIFICATION_KINDS], linkBase: input.linkBase, addedAt: iso(0) }) + 1;
    const used = jsonBytes(this.sinks);
    if (this.byteBounded && used + adding > NOTIFICATION_BYTES.sinks) {
      throw batonFailure(
        'INVALID_STATE',
        `Project ${this.ctx.project} has no room for another notification sink: its ${this.sinks.length} sinks take ${formatBytes(used)} of the ${formatBytes(NOTIFICATION_BYTES.sinks)} it can carry, and this one needs ${formatBytes(adding)}. Remove sinks no one uses (\`baton notify list\`, \`baton notify remove ID\`), or use a shorter URL.`,
        { limit: 'sink-bytes', used, adding, max: NOTIFICATION_BYTES.sinks },
      );
    }
    return owner;
  }

  private add(input: ReturnType<typeof AddSinkInput.parse>): SinkView {
    const owner = this.checkAdd(input);
    this.directory.touch(owner);
    const sink: Sink = {
      id: `s-${wf.uuid4().replace(/-/g, '').slice(0, 8)}`,
      owner,
      kind: input.sink.kind,
      ...(input.sink.url ? { url: input.sink.url } : {}),
      events: input.sink.events ?? [...NOTIFICATION_KINDS],
      linkBase: input.linkBase.replace(/\/+$/, ''),
      addedAt: iso(Date.now()),
    };
    this.sinks.push(sink);
    // Lease warnings of this human may now need a wake-up.
    this.ctx.wake();
    return sinkView(sink);
  }

  private ownSink(input: { actor: ReturnType<typeof SinkRef.parse>['actor']; id: string }): Sink {
    const owner = this.directory.requireHuman(input.actor, 'manage notification sinks');
    const sink = this.sinks.find((s) => s.id === input.id && lower(s.owner) === lower(owner));
    if (!sink) throw batonFailure('NOT_FOUND', `You have no sink ${input.id}; \`baton notify list\` shows yours.`);
    return sink;
  }

  private remove(input: ReturnType<typeof SinkRef.parse>): SinkView {
    const sink = this.ownSink(input);
    this.sinks = this.sinks.filter((s) => s !== sink);
    return sinkView(sink);
  }

  private sinksToTest(input: ReturnType<typeof TestSinkInput.parse>): Sink[] {
    if (input.id) return [this.ownSink({ actor: input.actor, id: input.id })];
    const owner = this.directory.requireHuman(input.actor, 'test notification sinks');
    const mine = this.sinks.filter((s) => lower(s.owner) === lower(owner));
    if (mine.length === 0) throw batonFailure('NOT_FOUND', 'You have no notification sinks; add one with `baton notify add webhook URL` (or slack URL, or desktop).');
    return mine;
  }

  /** A test reaches the sink whatever the rate limit: it is asked for by hand, and says so. */
  private test(input: ReturnType<typeof TestSinkInput.parse>): { queued: number } {
    const sinks = this.sinksToTest(input);
    const now = Date.now();
    const owner = sinks[0]!.owner;
    const notification: Notification = {
      id: newId('n'),
      project: this.ctx.project,
      kind: 'test',
      to: owner,
      title: `Test notification for ${owner}`,
      text: `This sink receives Baton's notifications for project ${this.ctx.project}.`,
      path: consolePaths.needsYou(),
      createdAt: iso(now),
      key: `test:${now}`,
    };
    for (const sink of sinks) this.enqueue({ notification, sinkId: sink.id });
    return { queued: sinks.length };
  }

  private view(name: string): NotificationsView {
    const human = this.directory.isHuman(name);
    return {
      sinks: this.sinks.filter((s) => lower(s.owner) === lower(name)).map(sinkView),
      deadLetters: human ? [...this.dead].reverse() : [],
      recent: human ? [...this.recent].reverse() : [],
      held: human ? this.held.length : 0,
    };
  }

  // --- bounds ----------------------------------------------------------------------------------------

  /** Bytes of `items` as a JSON array, each item measured once. */
  private bytesOf(items: object[]): number {
    let sum = items.length > 1 ? items.length - 1 : 0;
    for (const item of items) {
      let size = this.sizes.get(item);
      if (size === undefined) this.sizes.set(item, (size = jsonBytes(item)));
      sum += size;
    }
    return sum + 2;
  }

  /** Oldest dedup keys go first, past LIMITS.seen or NOTIFICATION_BYTES.seen. */
  private trimSeen(): void {
    trimMap(this.seen, LIMITS.seen);
    if (!this.byteBounded) return;
    // [human, key, ms]: the two strings, 13 digits, brackets, quotes and commas.
    let bytes = 2;
    for (const key of this.seen.keys()) bytes += jsonBytes(key) + 16;
    for (const key of this.seen.keys()) {
      if (bytes <= NOTIFICATION_BYTES.seen || this.seen.size <= 1) break;
      bytes -= jsonBytes(key) + 16;
      this.seen.delete(key);
    }
  }

  // --- delivery ----------------------------------------------------------------------------------------

  private enqueue(job: Job): void {
    this.jobs.push(job);
    // Bounded: a sink that is down for long cannot grow the carried state without end.
    while (this.jobs.length > LIMITS.jobs || (this.byteBounded && this.jobs.length > 1 && this.bytesOf(this.jobs) > NOTIFICATION_BYTES.jobs)) {
      const dropped = this.jobs.find((j) => !this.started.has(j));
      if (!dropped) break;
      this.jobs.splice(this.jobs.indexOf(dropped), 1);
      this.record(dropped, 'dead', 0, 'dropped: too many notifications waiting for delivery');
    }
  }

  /** Deliver forever, up to LIMITS.inFlight at a time, oldest first. */
  private async pump(): Promise<void> {
    for (;;) {
      const inFlight = this.byteBounded ? LIMITS.inFlight : LIMITS.inFlightBefore;
      await wf.condition(() => this.jobs.some((j) => !this.started.has(j)) && this.started.size < inFlight);
      const job = this.jobs.find((j) => !this.started.has(j))!;
      this.started.add(job);
      void this.deliver(job);
    }
  }

  private async deliver(job: Job): Promise<void> {
    const sink = this.sinks.find((s) => s.id === job.sinkId);
    try {
      if (!sink) {
        this.record(job, 'dead', 0, 'the sink was removed before delivery');
      } else {
        const { attempt } = await acts.deliverNotification({ sink: { id: sink.id, kind: sink.kind, ...(sink.url ? { url: sink.url } : {}) }, notification: job.notification, link: `${sink.linkBase}${job.notification.path}` });
        this.record(job, 'delivered', attempt);
      }
    } catch (err) {
      if (wf.isCancellation(err)) return;
      const { message, attempts } = failureOf(err);
      this.record(job, 'dead', attempts, message);
    } finally {
      const i = this.jobs.indexOf(job);
      if (i >= 0) this.jobs.splice(i, 1);
      this.started.delete(job);
    }
  }

  private record(job: Job, status: DeliveryOutcome['status'], attempts: number, error?: string): void {
    const n = job.notification;
    const outcome: DeliveryOutcome = { at: iso(Date.now()), notificationId: n.id, sinkId: job.sinkId, owner: n.to, title: n.title, kind: n.kind, status, attempts, ...(error ? { error: error.slice(0, 500) } : {}) };
    this.recent.push(outcome);
    trimArray(this.recent, LIMITS.recent);
    if (status === 'dead') {
      this.dead.push(outcome);
      trimArray(this.dead, LIMITS.dead);
    }
    if (this.byteBounded) {
      while (this.recent.length > 1 && this.bytesOf(this.recent) > NOTIFICATION_BYTES.outcomes / 2) this.recent.shift();
      while (this.dead.length > 1 && this.bytesOf(this.dead) > NOTIFICATION_BYTES.outcomes / 2) this.dead.shift();
    }
  }
}

function sinkView(s: Sink): SinkView {
  return { id: s.id, kind: s.kind, target: s.url ? maskUrl(s.url) : 'notify-send on the worker\'s machine', events: s.events, addedAt: s.addedAt };
}

/** The delivery activity's last failure and how many attempts it made (it says so in its details). */
function failureOf(err: unknown): { message: string; attempts: number } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as { attempt?: number } | undefined) : undefined;
  return { message: cause instanceof Error ? cause.message : String(cause), attempts: details?.attempt ?? 0 };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** "n-3f2a9c1b7e4d": random from the SDK (replay-safe). */
function newId(prefix: string): string {
  return `${prefix}-${wf.uuid4().replace(/-/g, '').slice(0, 12)}`;
}
