import * as wf from '@temporalio/workflow';
import { batonFailure } from '../failure';
import { CARRIED_BUDGET, formatBytes } from './carried/budget';
import { decodeJob, encodeJob, type DeliveryJob, type DeliveryStateV2 } from './carried/delivery-jobs';
import { arrayBytes, jsonBytes } from './carried/json-size';
import type { DeliveryActivities } from './delivery-api';

export type { DeliveryJob } from './carried/delivery-jobs';

/** Carried across continue-as-new: compact rows since the carried-state budget (carried/delivery-jobs.ts), whole jobs before. */
export type DeliveryState = DeliveryStateV2 | { jobs: DeliveryJob[] };

/**
 * Bounds of the queue, which crosses continue-as-new in the project's carried state: `bytes` is its
 * share of the budget (carried/budget.ts; a 64 KiB broadcast to 200 members takes ~80 KB of it). A send
 * is refused (retryably) while the queue has no room for it; a system notice past it is dropped (said
 * in the worker's log): a notice must not make the project unable to continue-as-new.
 */
export const DELIVERY_LIMITS = { jobs: 1000, bytes: CARRIED_BUDGET.delivery, inFlight: 8 };

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
  /** Carried bytes of each queued job (its row), and their sum: the queue's exact carried size is `bytes`. */
  private readonly sizes = new Map<DeliveryJob, number>();
  private queuedBytes = 0;
  private paused = false;

  constructor(
    private readonly project: string,
    private readonly maxHistoryEvents: () => number,
    carried: DeliveryState | undefined,
  ) {
    this.jobs = carried && 'v' in carried ? carried.jobs.map(decodeJob) : (carried?.jobs ?? []);
    for (const job of this.jobs) this.measure(job);
  }

  snapshot(): DeliveryState {
    return { v: 2, jobs: this.jobs.map(encodeJob) };
  }

  /** Exact bytes of `snapshot()` as JSON. */
  get bytes(): number {
    return jsonBytes({ v: 2, jobs: 0 }) - 1 + arrayBytes(this.jobs.length, this.queuedBytes);
  }

  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Refuses (retryably) while the queue has no room for `job` (for validators, so a refused send leaves
   * no trace, and for the send handler, as sends of one batch were validated against the same queue);
   * a job that could never fit is INVALID_INPUT.
   */
  checkRoom(job: DeliveryJob): void {
    const bytes = jsonBytes(encodeJob(job)) + 1;
    if (bytes > DELIVERY_LIMITS.bytes) {
      throw batonFailure('INVALID_INPUT', `This message takes ${formatBytes(bytes)} once encoded for delivery (its body, escaped as JSON, and its recipients), more than the ${formatBytes(DELIVERY_LIMITS.bytes)} a project queues; send a shorter body (put large content in a file in the repo) or fewer recipients at once.`);
    }
    if (this.jobs.length >= DELIVERY_LIMITS.jobs || this.bytes + bytes > DELIVERY_LIMITS.bytes) {
      throw batonFailure('UNAVAILABLE', `Project ${this.project} has ${this.jobs.length} messages (${formatBytes(this.bytes)}) still being delivered; this clears as they arrive (usually within seconds): send again in a moment.`, { retry: 'delivery-backlog' });
    }
  }

  /** Queues a job; false (and nothing queued) when it does not fit (system notices: dropped, said in the log). */
  enqueue(job: DeliveryJob): boolean {
    if (job.to.length === 0 && !job.outbox) return true;
    const bytes = jsonBytes(encodeJob(job)) + 1;
    if (this.jobs.length > 0 && this.bytes + bytes > DELIVERY_LIMITS.bytes) {
      wf.log.warn('Delivery queue full: a system notice is dropped', { id: job.message.id, subject: job.message.subject, queued: this.jobs.length, bytes: this.bytes });
      return false;
    }
    this.jobs.push(job);
    this.measure(job);
    return true;
  }

  private measure(job: DeliveryJob): void {
    const bytes = jsonBytes(encodeJob(job));
    this.sizes.set(job, bytes);
    this.queuedBytes += bytes;
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
    this.queuedBytes -= this.sizes.get(job) ?? 0;
    this.sizes.delete(job);
    this.started.delete(job.message.id);
  }
}
