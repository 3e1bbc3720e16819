import * as wf from '@temporalio/workflow';
import { utf8Length } from '../../domain/messages/limits';
import type { Message } from '../../schemas/messages';
import { batonFailure } from '../failure';
import type { DeliveryActivities, MailboxRef } from './delivery-api';

/** A message waiting to reach its recipients' mailboxes (carried across continue-as-new). */
export interface DeliveryJob {
  message: Message;
  to: MailboxRef[];
  outbox?: { sender: MailboxRef; deliveredTo: string[] };
}

export interface DeliveryState {
  jobs: DeliveryJob[];
}

/**
 * Bounds of the queue, which crosses continue-as-new in the project's carried state (2 MB payload
 * limit for all of it): a send is refused (retryably) while the queue is over them.
 */
export const DELIVERY_LIMITS = { jobs: 1000, bytes: 768 * 1024, inFlight: 8 };

const acts = wf.proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  // Delivery must happen: retried with back-off until it does (mailboxes drop repeats).
  retry: { initialInterval: '500ms', maximumInterval: '30s' },
});

/**
 * One durable write per send: the project records the message (the send update returns at once) and
 * this queue delivers it after, with one activity per message that signals every recipient's mailbox
 * (and the sender's outbox). The message is in the project's history once, whatever the number of
 * recipients, so a 64 KiB broadcast to hundreds of members stays far from Temporal's per-task and
 * per-payload limits. Exactly once: mailboxes drop a message id they have seen, so a delivery repeated
 * after a crash, a retry or continue-as-new (the queue is carried) changes nothing.
 */
export class Deliveries {
  private readonly jobs: DeliveryJob[];
  private readonly started = new Set<string>();
  private queuedBytes: number;
  private paused = false;

  constructor(
    private readonly project: string,
    private readonly maxHistoryEvents: () => number,
    carried: DeliveryState | undefined,
  ) {
    this.jobs = carried?.jobs ?? [];
    this.queuedBytes = this.jobs.reduce((n, j) => n + jobBytes(j), 0);
  }

  snapshot(): DeliveryState {
    return { jobs: this.jobs };
  }

  get pending(): number {
    return this.jobs.length;
  }

  /** Refuses (retryably) while the queue is full: for validators, so a refused send leaves no trace. */
  checkRoom(message: { body: string }): void {
    if (this.jobs.length >= DELIVERY_LIMITS.jobs || this.queuedBytes + utf8Length(message.body) > DELIVERY_LIMITS.bytes) {
      throw batonFailure('UNAVAILABLE', `Project ${this.project} has ${this.jobs.length} messages still being delivered; this clears as they arrive (usually within seconds): send again in a moment.`, { retry: 'delivery-backlog' });
    }
  }

  enqueue(job: DeliveryJob): void {
    if (job.to.length === 0 && !job.outbox) return;
    this.jobs.push(job);
    this.queuedBytes += jobBytes(job);
  }

  /**
   * Before continue-as-new: start no new delivery and wait (at most `maxMs`) for those under way, so the
   * run ends without activity completions still arriving (which would make Temporal refuse the
   * continue-as-new until they are handled). What is still queued crosses over and is delivered next run.
   */
  async settle(maxMs: number): Promise<void> {
    this.paused = true;
    await wf.condition(() => this.started.size === 0, maxMs);
  }

  /** Deliver forever, up to DELIVERY_LIMITS.inFlight messages at a time, oldest first. */
  async run(): Promise<void> {
    for (;;) {
      await wf.condition(() => !this.paused && this.jobs.some((j) => !this.started.has(j.message.id)) && this.started.size < DELIVERY_LIMITS.inFlight);
      const job = this.jobs.find((j) => !this.started.has(j.message.id))!;
      this.started.add(job.message.id);
      void this.deliver(job);
    }
  }

  private async deliver(job: DeliveryJob): Promise<void> {
    try {
      await acts.deliverMessage({ project: this.project, message: job.message, to: job.to, outbox: job.outbox, maxHistoryEvents: this.maxHistoryEvents() });
    } catch (err) {
      // Only a non-retryable failure (or cancellation) gets here; the message is dropped, said in the log.
      if (wf.isCancellation(err)) return;
      wf.log.warn('A message could not be delivered', { id: job.message.id, error: String(err) });
    }
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
    this.queuedBytes -= jobBytes(job);
    this.started.delete(job.message.id);
  }
}

function jobBytes(job: DeliveryJob): number {
  return utf8Length(job.message.body) + 200 * (job.to.length + 1);
}
