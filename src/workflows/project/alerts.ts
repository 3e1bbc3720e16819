import * as wf from '@temporalio/workflow';
import { alertId, detectHoarding, detectSilentWork, noSyncPointFinding, unclearHandoffFinding, type Finding, type Thresholds } from '../../domain/alerts/rules';
import type { z } from 'zod';
import { AlertsFilter, ReportSignalInput, type Alert, type AlertSettings, type AlertsView } from '../../schemas/alerts';
import { batonFailure, checked, parseOrFail } from '../failure';
import { alertsQuery, reportSignalUpdate } from './alerts-api';
import { ALERT_LIMITS, alertBytes, decodeAlerts, encodeAlerts, type AlertRowsV2 } from './carried/alert-rows';
import type { CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import type { AgentDirectory } from './directory';
import type { ProjectContext, ProjectModule } from './module';

/**
 * Carried across continue-as-new: alerts as rows since the carried-state budget (carried/alert-rows.ts,
 * `v: 2`), whole objects before.
 */
export type AlertsState = (AlertRowsV2 & { v: 2; refused: AlertsStateV1['refused']; progress: AlertsStateV1['progress']; lastScan: number }) | AlertsStateV1;

export interface AlertsStateV1 {
  active: Alert[];
  resolved: Alert[];
  /** [agent (lower case), refused handoffs since the last alert ended, last missing fields] */
  refused: [string, number, string[]][];
  /** [agent (lower case), workflow time of the last progress reported to a pattern] */
  progress: [string, number][];
  lastScan: number;
}

type SignalReport = z.output<typeof ReportSignalInput>;

const RESOLVED_KEPT = 50;
const ACTIVE_MAX = 500;
/**
 * A new alert past ALERT_LIMITS.activeBytes is not raised (said in the log) until others resolve, rather
 * than pushing out one that would come back at the next scan and notify again.
 */
const { activeBytes: ACTIVE_BYTES, resolvedBytes: RESOLVED_BYTES, progress: PROGRESS_TRACKED, refused: REFUSED_TRACKED } = ALERT_LIMITS;
/** Lease-based alerts are re-derived by every scan; event alerts live until they expire. */
const LEASE_KINDS = new Set<Alert['kind']>(['silent-work', 'reservation-hoarding']);

/**
 * Anti-pattern alerts. The project workflow sees every lease, so it detects silent work and hoarding
 * itself (a scan every `scanEverySeconds`, only while leases exist); pattern workflows see progress,
 * refused handoffs and missed checkpoints and report them here (an internal update through a worker
 * activity). Rules live in src/domain/alerts/rules.ts. A new alert is a message to the humans and to
 * the agent, the `alerts` query (`baton alerts`), and the project workflow's details in the Web UI.
 */
export class AlertsModule implements ProjectModule {
  readonly name = 'alerts';
  private active = new Map<string, Alert>();
  private resolved: Alert[] = [];
  private readonly refused = new Map<string, { count: number; missing: string[] }>();
  private readonly progress = new Map<string, number>();
  private lastScan: number;
  /**
   * Histories recorded before this module existed have no wake-ups of its own: it stays inert when
   * they replay (and in runs that began before it was deployed).
   */
  private readonly enabled = wf.patched('baton-alerts-module-v1');

  constructor(
    private readonly ctx: ProjectContext,
    private readonly directory: AgentDirectory,
    carried: AlertsState | undefined,
  ) {
    const alerts = carried && 'v' in carried ? decodeAlerts(carried) : carried;
    for (const a of alerts?.active ?? []) this.active.set(a.id, a);
    this.resolved = alerts?.resolved ?? [];
    for (const [agent, count, missing] of carried?.refused ?? []) this.refused.set(agent, { count, missing });
    for (const [agent, at] of carried?.progress ?? []) this.progress.set(agent, at);
    this.lastScan = carried?.lastScan ?? Date.now();
  }

  private get settings(): AlertSettings {
    return this.ctx.settings.alerts;
  }

  private get thresholds(): Thresholds {
    return { silentAfterMs: this.settings.silentAfterSeconds * 1000, maxLeasesPerAgent: this.settings.maxLeasesPerAgent, unclearHandoffsAfter: this.settings.unclearHandoffsAfter };
  }

  register(): void {
    wf.setHandler(alertsQuery, (raw) => checked(() => this.view(parseOrFail(AlertsFilter, raw ?? {}, 'alert filter'))));
    this.ctx.operations.define(reportSignalUpdate, { handle: (raw) => this.onSignal(this.checkSignal(raw)), validate: (raw) => void this.checkSignal(raw) });
    if (this.active.size) this.showDetails();
  }

  snapshot(): AlertsState {
    return {
      v: 2,
      ...encodeAlerts([...this.active.values()], this.resolved),
      refused: [...this.refused].map(([agent, r]) => [agent, r.count, r.missing]),
      progress: [...this.progress],
      lastScan: this.lastScan,
    };
  }

  /** Carried bytes (measured: the section is small and bounded, see ACTIVE_BYTES). */
  carriedBytes(): CarriedSizes {
    return { alerts: jsonBytes(this.snapshot()) };
  }

  describe() {
    const kinds: Record<string, number> = {};
    for (const a of this.active.values()) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
    return { active: this.active.size, kinds };
  }

  /** Scan while leases exist (they are what goes silent or gets hoarded), and expire event alerts. */
  nextWakeAt(): number | undefined {
    if (!this.enabled) return undefined;
    const times: number[] = [];
    if (this.ctx.reservations.leaseCount() > 0 || [...this.active.values()].some((a) => LEASE_KINDS.has(a.kind))) {
      times.push(this.lastScan + this.settings.scanEverySeconds * 1000);
    }
    for (const a of this.active.values()) if (!LEASE_KINDS.has(a.kind)) times.push(Date.parse(a.lastSeenAt) + this.settings.eventAlertSeconds * 1000);
    return times.length ? Math.min(...times) : undefined;
  }

  onWake(now: number): void {
    if (now >= this.lastScan + this.settings.scanEverySeconds * 1000) this.scan(now);
    for (const a of [...this.active.values()]) {
      if (!LEASE_KINDS.has(a.kind) && now >= Date.parse(a.lastSeenAt) + this.settings.eventAlertSeconds * 1000) this.resolve(a, now);
    }
  }

  // --- detection -------------------------------------------------------------------------------

  private scan(now: number): void {
    this.lastScan = now;
    const leases = this.ctx.reservations.activeLeases(now);
    const signs = new Map<string, number>(this.progress);
    const members = new Map(this.directory.list().map((m) => [m.name.toLowerCase(), m]));
    for (const [name, m] of members) signs.set(name, Math.max(signs.get(name) ?? 0, m.lastActiveAt));
    // Progress no newer than the member's own activity (or of someone no longer a member) tells nothing
    // more: it is not carried further.
    for (const [agent, at] of this.progress) if ((members.get(agent)?.lastActiveAt ?? Infinity) >= at) this.progress.delete(agent);
    const findings = [...detectSilentWork(leases, signs, now, this.thresholds), ...detectHoarding(leases, this.thresholds)];
    const seen = new Set<string>();
    for (const f of findings) seen.add(this.raise(f, now).id);
    for (const a of [...this.active.values()]) if (LEASE_KINDS.has(a.kind) && !seen.has(a.id)) this.resolve(a, now);
  }

  private checkSignal(raw: unknown): SignalReport {
    const input = parseOrFail(ReportSignalInput, raw, 'pattern signal');
    if (input.actor.kind !== 'workflow') throw batonFailure('FORBIDDEN', 'Pattern signals come from pattern workflows only.');
    return input;
  }

  private onSignal(input: SignalReport): { alert: string | null } {
    const now = Date.now();
    const { signal } = input;
    const agent = signal.agent.toLowerCase();
    if (signal.kind === 'progress') {
      this.progress.delete(agent);
      this.progress.set(agent, now);
      trimOldest(this.progress, PROGRESS_TRACKED);
      const silent = this.active.get(alertId('silent-work', signal.agent));
      if (silent) this.resolve(silent, now);
      return { alert: null };
    }
    if (signal.kind === 'handoff-refused') {
      const r = this.refused.get(agent) ?? { count: 0, missing: [] };
      r.count += 1;
      r.missing = signal.missing;
      this.refused.delete(agent);
      this.refused.set(agent, r);
      trimOldest(this.refused, REFUSED_TRACKED);
      const finding = unclearHandoffFinding(signal.agent, r.count, r.missing, this.thresholds);
      if (!finding) return { alert: null };
      const alert = this.raise(finding, now);
      this.ctx.wake();
      return { alert: alert.id };
    }
    const alert = this.raise(noSyncPointFinding(signal.agent, input.workflowId, signal.step, signal.silentForMs), now);
    // Its expiry is a new wake-up time for the main loop.
    this.ctx.wake();
    return { alert: alert.id };
  }

  // --- state and notices -------------------------------------------------------------------------

  private raise(f: Finding, now: number): Alert {
    const id = alertId(f.kind, f.agent, f.workflowId);
    const existing = this.active.get(id);
    if (existing) {
      existing.lastSeenAt = new Date(now).toISOString();
      existing.count += 1;
      existing.summary = f.summary;
      existing.problem = f.problem;
      return existing;
    }
    const alert: Alert = { id, ...f, raisedAt: new Date(now).toISOString(), lastSeenAt: new Date(now).toISOString(), count: 1 };
    const activeBytes = [...this.active.values()].reduce((n, a) => n + alertBytes(a), 0);
    if (activeBytes + alertBytes(alert) > ACTIVE_BYTES) {
      wf.log.warn('Alert not raised: the project carries as many active alerts as it can', { kind: f.kind, agent: f.agent, active: this.active.size });
      return alert;
    }
    if (this.active.size >= ACTIVE_MAX) this.resolve(this.active.values().next().value!, now);
    this.active.set(id, alert);
    const humans = this.directory.list('human').map((m) => m.name);
    const body = [alert.problem, '', 'Better:', ...alert.better.map((b) => `  - ${b}`), '', `Why: ${alert.why}`, '', `All alerts: baton alerts --project ${this.ctx.project}`].join('\n');
    if (humans.length) this.ctx.directory.notify(humans, { subject: `[alert] ${f.kind}: ${f.summary}`.slice(0, 200), body, importance: 'high' });
    this.ctx.notifications.raise({ kind: 'alert', alertId: id.slice(0, 600), raisedAt: alert.raisedAt, alertKind: f.kind, agent: f.agent, summary: f.summary.slice(0, 500) }, humans);
    if (this.directory.exists(f.agent) && !humans.some((h) => h.toLowerCase() === f.agent.toLowerCase())) {
      this.ctx.directory.notify([f.agent], { subject: `[alert] ${f.kind}: please adjust`.slice(0, 200), body, importance: 'high' });
    }
    this.showDetails();
    return alert;
  }

  private resolve(alert: Alert, now: number): void {
    this.active.delete(alert.id);
    alert.resolvedAt = new Date(now).toISOString();
    this.resolved.push(alert);
    if (this.resolved.length > RESOLVED_KEPT) this.resolved.splice(0, this.resolved.length - RESOLVED_KEPT);
    let resolvedBytes = this.resolved.reduce((n, a) => n + alertBytes(a), 0);
    while (this.resolved.length > 1 && resolvedBytes > RESOLVED_BYTES) resolvedBytes -= alertBytes(this.resolved.shift()!);
    // A new unclear-handoffs alert needs the threshold again.
    if (alert.kind === 'unclear-handoffs') this.refused.delete(alert.agent.toLowerCase());
    this.showDetails();
  }

  /** The project workflow's details in the Web UI name the active alerts. */
  private showDetails(): void {
    const lines = [`Project ${this.ctx.project}`];
    if (this.active.size === 0) lines.push('No active anti-pattern alerts.');
    else lines.push(`**${this.active.size} active alert(s)** (baton alerts):`, ...[...this.active.values()].slice(0, 10).map((a) => `- ${a.kind}: ${a.summary}`));
    wf.setCurrentDetails(lines.join('\n\n'));
  }

  private view(filter: { includeResolved: boolean; kind?: Alert['kind']; agent?: string }): AlertsView {
    const keep = (a: Alert) => (!filter.kind || a.kind === filter.kind) && (!filter.agent || a.agent.toLowerCase() === filter.agent.toLowerCase());
    return {
      active: [...this.active.values()].filter(keep),
      resolved: filter.includeResolved ? this.resolved.filter(keep) : [],
      settings: this.settings,
    };
  }
}

/** Keep the newest `max` entries of an insertion-ordered map. */
function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
