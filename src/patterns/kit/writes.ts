import * as wf from '@temporalio/workflow';
import type { Importance, SendResult } from '../../schemas/messages';
import type { NotificationEvent } from '../../schemas/notifications';
import type { TransferRequest, TransferResult } from '../../schemas/transfer';
import type { KitActivities } from './activities-api';
import type { Journal } from './journal';
import type { Timeline } from './timeline';

/**
 * Writes to the project: short, so they run as local activities (in the worker that runs the
 * workflow, without a round trip through the server's task queue: a handoff is this one write), retried
 * while the worker or the server restarts.
 */
const acts = wf.proxyLocalActivities<KitActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

export interface WritesState {
  release: [string, string[]][];
  credit: string[];
  touch: string[];
}

export type WriteParts = Partial<Omit<TransferRequest, 'actor' | 'transferId'>>;

export interface Notice {
  to: string[] | 'humans' | 'all';
  subject: string;
  body: string;
  importance?: Importance;
  /** Whom the workflow acts for (default: the run's starter). */
  onBehalfOf?: string;
  /** What it is about, for the humans' notification sinks (a decision, an escalation): src/workflows/project/notifications.ts. */
  event?: NotificationEvent;
}

/**
 * The run's writes to its project, each one `transfer` (src/workflows/project/transfer.ts). What a
 * finished step leaves to do (release its leases, credit its agent, note a sign of life) waits here
 * and goes with the next write, which at a handoff is the next step's reservation and task: one write
 * per handoff. Owns the pending parts; every write takes them along, or puts them back if it fails.
 */
export class ProjectWrites {
  private readonly release = new Map<string, { holder: string; ids: string[] }>();
  private credit: string[];
  private touch: string[];
  private count = 0;

  constructor(
    private readonly run: { project: string; workflowId: string; thread: string; onBehalfOf(): string; journal: Journal; timeline: Timeline; approvers?: string[] },
    carried?: WritesState,
  ) {
    for (const [holder, ids] of carried?.release ?? []) this.release.set(holder.toLowerCase(), { holder, ids });
    this.credit = carried?.credit ?? [];
    this.touch = carried?.touch ?? [];
  }

  releaseLater(holder: string, ids: string[]): void {
    if (!ids.length) return;
    const known = this.release.get(holder.toLowerCase());
    if (known) known.ids.push(...ids);
    else this.release.set(holder.toLowerCase(), { holder, ids: [...ids] });
  }

  creditLater(name: string): void {
    this.credit.push(name);
  }

  touchLater(name: string): void {
    if (!this.touch.some((t) => t.toLowerCase() === name.toLowerCase())) this.touch.push(name);
  }

  get pending(): boolean {
    return this.release.size > 0 || this.credit.length > 0 || this.touch.length > 0;
  }

  /** One write: these parts plus everything pending. */
  async write(parts: WriteParts = {}): Promise<TransferResult> {
    const release = [...this.release.values()];
    const credit = this.credit;
    const touch = this.touch;
    this.release.clear();
    this.credit = [];
    this.touch = [];
    const { workflowId, runId } = wf.workflowInfo();
    try {
      return await this.run.journal.track(
        acts.transfer({
          project: this.run.project,
          actor: { kind: 'workflow', workflowId, onBehalfOf: this.run.onBehalfOf() },
          // Unique per write and the same for every retry of its activity.
          transferId: `${runId}/${++this.count}`,
          release: [...release, ...(parts.release ?? [])],
          renew: parts.renew ?? [],
          check: parts.check ?? [],
          reserve: parts.reserve,
          notice: parts.notice,
          message: parts.message,
          credit: [...credit, ...(parts.credit ?? [])],
          touch: [...touch, ...(parts.touch ?? [])],
          contacts: parts.contacts ?? [],
          signals: parts.signals ?? [],
        }),
      );
    } catch (err) {
      for (const r of release) this.releaseLater(r.holder, r.ids);
      this.credit.push(...credit);
      for (const t of touch) this.touchLater(t);
      throw err;
    }
  }

  /** The notice part of a write, addressed in this run's thread. */
  notice(n: Notice): NonNullable<WriteParts['notice']> {
    const to = n.to === 'humans' && this.run.approvers?.length ? this.run.approvers : n.to;
    return { to, subject: n.subject.length > 200 ? n.subject.slice(0, 197) + '...' : n.subject, body: n.body, importance: n.importance ?? 'normal', thread: this.run.thread, onBehalfOf: n.onBehalfOf, ackRequired: false, ...(n.event ? { event: n.event } : {}) };
  }

  /**
   * A notice (with whatever is pending). One that cannot be delivered is recorded on the timeline
   * rather than stopping the pattern: the status and the Web UI still show the wait.
   */
  async notify(n: Notice): Promise<SendResult | undefined> {
    try {
      return (await this.write({ notice: this.notice(n) })).notice;
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      this.run.timeline.log('refused', `could not send "${n.subject}" to ${Array.isArray(n.to) ? n.to.join(', ') : n.to}: ${(err as Error).message}`);
      return undefined;
    }
  }

  snapshot(): WritesState {
    return { release: [...this.release.values()].map((r) => [r.holder, r.ids]), credit: this.credit, touch: this.touch };
  }
}
