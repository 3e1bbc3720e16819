import { z } from 'zod';
import { Actor, MemberName } from './actor';

/**
 * Anti-pattern alerts (the seed's "Common Anti-Patterns"): raised by the project workflow's alerts
 * module, shown to humans (a message, the `alerts` query, the project workflow's details in the Web UI)
 * and listed by `baton alerts`. Each alert says what to do instead ("Better").
 */
import { ALERT_KINDS } from '../domain/alerts/kinds';

export { ALERT_KINDS };
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/** Thresholds of the detectors, per project (ProjectSettings.alerts). Seconds, like idleAfterSeconds. */
export const AlertSettings = z.object({
  /** A lease held this long with no sign of life from its holder (progress, message, reserve) is silent work. */
  silentAfterSeconds: z.number().int().min(1).default(7200),
  /** More leases than this for one agent is hoarding (so is a pattern as broad as a top-level directory). */
  maxLeasesPerAgent: z.number().int().min(1).max(10_000).default(25),
  /** Refused handoffs of one agent (across patterns) before the humans are told. */
  unclearHandoffsAfter: z.number().int().min(1).max(100).default(2),
  /** How often the lease-based detectors look (only while leases exist). */
  scanEverySeconds: z.number().int().min(1).max(86_400).default(300),
  /** Event alerts (missed checkpoints, refused handoffs) stay active this long without a new event. */
  eventAlertSeconds: z.number().int().min(1).default(86_400),
});
export type AlertSettings = z.infer<typeof AlertSettings>;

/** What a pattern workflow tells the project about its agents (internal, through a worker activity). */
export const PatternSignal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('progress'), agent: MemberName }),
  z.object({ kind: z.literal('handoff-refused'), agent: MemberName, step: z.string().max(200), missing: z.array(z.string().max(40)).max(5).default([]) }),
  z.object({ kind: z.literal('checkpoint-missed'), agent: MemberName, step: z.string().max(200), silentForMs: z.number().int().min(0) }),
]);
export type PatternSignal = z.infer<typeof PatternSignal>;
export type PatternSignalInput = z.input<typeof PatternSignal>;

export const ReportSignalInput = z.object({ actor: Actor, workflowId: z.string().min(1).max(500), signal: PatternSignal });
export type ReportSignalInput = z.input<typeof ReportSignalInput>;

export interface Alert {
  /** Stable per condition: kind + agent (+ workflow for checkpoints). */
  id: string;
  kind: AlertKind;
  agent: string;
  workflowId?: string;
  raisedAt: string;
  lastSeenAt: string;
  /** How many times the condition was seen (refused handoffs, missed checkpoints, scans). */
  count: number;
  /** One line for tables and the Web UI. */
  summary: string;
  problem: string;
  better: string[];
  why: string;
  /** Set when the condition cleared. */
  resolvedAt?: string;
}

export const AlertsFilter = z.object({
  includeResolved: z.boolean().default(false),
  kind: AlertKind.optional(),
  agent: MemberName.optional(),
});
export type AlertsFilter = z.input<typeof AlertsFilter>;

export interface AlertsView {
  active: Alert[];
  /** Recently resolved alerts (bounded), when asked for. */
  resolved: Alert[];
  settings: AlertSettings;
}
