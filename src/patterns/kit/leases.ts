import * as wf from '@temporalio/workflow';
import type { LeaseView } from '../../schemas/patterns';
import type { Reservation } from '../../schemas/reservations';
import type { TransferRequest, TransferResult } from '../../schemas/transfer';
import type { Timeline } from './timeline';
import type { ProjectWrites } from './writes';

/** A lease a step took (never one its agent already held: that one stays the agent's). */
interface StepLease {
  id: string;
  agent: string;
  step: string;
  pattern: string;
  expiresAt: number;
  ttlMs: number;
  lost?: boolean;
}

/** Renewed when less than half the TTL is left (by the timer), or less than three quarters (on progress). */
const RENEW_BY_TIMER = 1 / 2;
const RENEW_ON_PROGRESS = 3 / 4;
const RETRY_FAILED_RENEWAL_MS = 60_000;

/**
 * The leases the run's open steps took, and only those (#16): kept alive while the step is open
 * (renewed by a durable timer well before expiry, and on progress), released with the next write
 * when the step ends, and watched: a lease lost anyway (expired while the worker was down, or
 * force-released by a human) is marked lost in the status and its agent is told to reserve again.
 */
export class Leases {
  private readonly held: Map<string, StepLease>;
  private retryAt?: number;

  constructor(
    private readonly run: { writes: ProjectWrites; timeline: Timeline; workflowId: string; changed(): void },
    carried?: StepLease[],
  ) {
    this.held = new Map((carried ?? []).map((l) => [l.id, l]));
  }

  /** Leases a step was granted; returns their ids. */
  add(step: string, granted: Reservation[], ttlMs: number): string[] {
    for (const r of granted) this.held.set(r.id, { id: r.id, agent: r.holder, step, pattern: r.pattern, expiresAt: Date.parse(r.expiresAt), ttlMs });
    this.run.changed();
    return granted.map((r) => r.id);
  }

  /** The step ended: its leases are released with the run's next write (lost ones are just forgotten). */
  handOver(ids: string[]): void {
    const byAgent = new Map<string, string[]>();
    for (const id of ids) {
      const lease = this.held.get(id);
      if (!lease) continue;
      this.held.delete(id);
      if (!lease.lost) byAgent.set(lease.agent, [...(byAgent.get(lease.agent) ?? []), id]);
    }
    for (const [agent, mine] of byAgent) this.run.writes.releaseLater(agent, mine);
    this.run.changed();
  }

  /** Every lease still held (the run ends): released with the last write. */
  handOverAll(): void {
    this.handOver([...this.held.keys()]);
  }

  /** The patterns of the leases `step` took for `agent` and still holds (not lost). */
  patternsOf(step: string, agent: string): string[] {
    return [...this.held.values()].filter((l) => !l.lost && l.step === step && l.agent.toLowerCase() === agent.toLowerCase()).map((l) => l.pattern);
  }

  /** When the next renewal is due (the gates wake up for it). */
  nextAt(): number | undefined {
    let next = this.retryAt;
    for (const l of this.held.values()) {
      if (l.lost) continue;
      const due = l.expiresAt - l.ttlMs * RENEW_BY_TIMER;
      if (next === undefined || due < next) next = due;
    }
    return next;
  }

  /** The durable timer's renewal: every lease with less than half its TTL left. */
  async keepAlive(): Promise<void> {
    const renew = this.due(undefined, RENEW_BY_TIMER);
    this.retryAt = undefined;
    if (!renew.length) return;
    try {
      this.applyResult(await this.run.writes.write({ renew }));
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      // The project is unreachable for now: try again shortly (the lease has half its TTL left).
      this.retryAt = Date.now() + RETRY_FAILED_RENEWAL_MS;
    }
  }

  /** Renewals (and checks) to send with an agent's sign of life. */
  onProgress(agent: string): Pick<TransferRequest, 'renew' | 'check'> {
    const renew = this.due(agent, RENEW_ON_PROGRESS);
    const renewing = new Set(renew.flatMap((r) => r.ids));
    const ids = [...this.held.values()].filter((l) => !l.lost && l.agent.toLowerCase() === agent.toLowerCase() && !renewing.has(l.id)).map((l) => l.id);
    return { renew, check: ids.length ? [{ holder: agent, ids }] : [] };
  }

  /** What a write said about the leases: new expiries, and leases no longer held. */
  applyResult(result: TransferResult): void {
    for (const r of result.renewed) {
      const lease = this.held.get(r.id);
      if (lease) lease.expiresAt = Date.parse(r.expiresAt);
    }
    const lost = result.lost.map((id) => this.held.get(id)).filter((l): l is StepLease => l !== undefined && !l.lost);
    for (const lease of lost) {
      lease.lost = true;
      this.run.timeline.log('lease-lost', `${lease.agent} lost the lease on ${lease.pattern} (${lease.id}): it expired or a human force-released it`, { step: lease.step, actor: lease.agent });
    }
    if (lost.length) this.run.changed();
    for (const [agent, leases] of groupBy(lost, (l) => l.agent)) {
      void this.run.writes.notify({
        to: [agent],
        subject: `Your step "${leases[0]!.step}" lost ${leases.length === 1 ? 'a reservation' : `${leases.length} reservations`}`,
        body: `${leases.map((l) => `  ${l.pattern}  (${l.id})`).join('\n')}\nIt expired or a human force-released it (baton audit says which). Check and reserve again before you edit:\n  baton check ${leases.map((l) => l.pattern).join(' ')}\n  baton reserve ${leases.map((l) => l.pattern).join(' ')} --reason "step ${leases[0]!.step} of ${this.run.workflowId}"`,
        importance: 'high',
        onBehalfOf: agent,
      }).catch(() => undefined);
    }
  }

  /** Leases of open steps with less than `fraction` of their TTL left, grouped into renew requests. */
  private due(agent: string | undefined, fraction: number): TransferRequest['renew'] {
    const now = Date.now();
    const due = [...this.held.values()].filter((l) => !l.lost && (agent === undefined || l.agent.toLowerCase() === agent.toLowerCase()) && l.expiresAt - now < l.ttlMs * fraction);
    // The renew operation extends from the current expiry: ask for what brings each lease to now + TTL.
    return [...groupBy(due, (l) => `${l.agent}\u0000${l.expiresAt}\u0000${l.ttlMs}`).values()].map((leases) => {
      const { agent: holder, expiresAt, ttlMs } = leases[0]!;
      return { holder, ids: leases.map((l) => l.id), ttlSeconds: Math.max(60, Math.ceil((now + ttlMs - expiresAt) / 1000)) };
    });
  }

  view(): LeaseView[] {
    return [...this.held.values()].map((l) => ({ id: l.id, agent: l.agent, step: l.step, pattern: l.pattern, expiresAt: new Date(l.expiresAt).toISOString(), state: l.lost ? 'lost' : 'held' }));
  }

  snapshot(): StepLease[] {
    return [...this.held.values()];
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
