import type { Alert } from '../../../schemas/alerts';
import { jsonBytes } from './json-size';

/**
 * An alert as carried since the budget: [id, kind, agent, workflowId or 0, raisedAt ms, lastSeenAt ms,
 * count, summary, problem, `better` as references into `s`, `why` as a reference, resolvedAt ms?].
 * `better` and `why` are the same words for every alert of a kind (src/domain/alerts/rules.ts): they
 * are written once per section.
 */
export type AlertRow = (string | number | number[])[];

export interface AlertRowsV2 {
  s: string[];
  active: AlertRow[];
  resolved: AlertRow[];
}

/**
 * Bounds of the alerts carried (within CARRIED_BUDGET.alerts, 40 KiB, with the shared words and the
 * per-agent counters): active and resolved alerts by bytes (alertBytes), per-agent counters by count
 * (last progress ~35 bytes each, refused handoffs up to ~250).
 */
export const ALERT_LIMITS = { activeBytes: 18 * 1024, resolvedBytes: 4 * 1024, progress: 120, refused: 24 };

/** Bytes of an alert's row without the shared words (what the active and resolved limits count). */
export function alertBytes(a: Alert): number {
  return jsonBytes([a.id, a.kind, a.agent, a.workflowId ?? 0, 0, 0, a.count, a.summary, a.problem, [], 0]) + 2 * 13 + a.better.length * 3 + (a.resolvedAt ? 14 : 0);
}

export function encodeAlerts(active: Alert[], resolved: Alert[]): AlertRowsV2 {
  const s: string[] = [];
  const index = new Map<string, number>();
  const ref = (text: string) => {
    let i = index.get(text);
    if (i === undefined) index.set(text, (i = s.push(text) - 1));
    return i;
  };
  const row = (a: Alert): AlertRow => {
    const r: AlertRow = [a.id, a.kind, a.agent, a.workflowId ?? 0, Date.parse(a.raisedAt), Date.parse(a.lastSeenAt), a.count, a.summary, a.problem, a.better.map(ref), ref(a.why)];
    if (a.resolvedAt !== undefined) r.push(Date.parse(a.resolvedAt));
    return r;
  };
  return { s, active: active.map(row), resolved: resolved.map(row) };
}

export function decodeAlerts(state: AlertRowsV2): { active: Alert[]; resolved: Alert[] } {
  const iso = (ms: number) => new Date(ms).toISOString();
  const alert = (r: AlertRow): Alert => {
    const [id, kind, agent, workflowId, raisedAt, lastSeenAt, count, summary, problem, better, why, resolvedAt] = r as [string, Alert['kind'], string, string | 0, number, number, number, string, string, number[], number, number?];
    const a: Alert = { id, kind, agent, raisedAt: iso(raisedAt), lastSeenAt: iso(lastSeenAt), count, summary, problem, better: better.map((i) => state.s[i]!), why: state.s[why]! };
    if (workflowId !== 0) a.workflowId = workflowId;
    if (resolvedAt !== undefined) a.resolvedAt = iso(resolvedAt);
    return a;
  };
  return { active: state.active.map(alert), resolved: state.resolved.map(alert) };
}
