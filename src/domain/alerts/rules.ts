import { patternForm } from '../reservations/glob';

/**
 * The seed's "Common Anti-Patterns" as pure detection rules. The project workflow's alerts module feeds
 * them what it sees (leases, signs of life, reports from pattern workflows) and shows what they return;
 * tests call them directly. Each finding says what the problem is, what to do instead ("Better") and why.
 */
export type AlertKind = 'silent-work' | 'reservation-hoarding' | 'no-sync-points' | 'unclear-handoffs';

export interface Finding {
  kind: AlertKind;
  agent: string;
  workflowId?: string;
  summary: string;
  problem: string;
  better: string[];
  why: string;
}

export interface LeaseFact {
  holder: string;
  pattern: string;
  createdAt: number;
  /** The reservation id and when it expires (workflow ms), for warnings before it does. */
  id?: string;
  expiresAt?: number;
}

export interface Thresholds {
  silentAfterMs: number;
  maxLeasesPerAgent: number;
  unclearHandoffsAfter: number;
}

export const alertId = (kind: AlertKind, agent: string, workflowId?: string): string => `${kind}:${agent.toLowerCase()}${workflowId ? `:${workflowId}` : ''}`;

const fmt = (ms: number): string => {
  const m = Math.round(ms / 60_000);
  if (m >= 120) return `${Math.round(m / 60)}h`;
  if (m >= 1) return `${m}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
};

/**
 * Silent work: an agent holds leases and has shown no sign of life (a progress report, a message, a new
 * reservation) for `silentAfterMs`. `lastSignOfLife` maps lower-cased names to workflow times.
 */
export function detectSilentWork(leases: LeaseFact[], lastSignOfLife: Map<string, number>, now: number, t: Thresholds): Finding[] {
  const byHolder = groupByHolder(leases);
  const out: Finding[] = [];
  for (const [holder, theirs] of byHolder) {
    const newestLease = Math.max(...theirs.map((l) => l.createdAt));
    const since = Math.max(newestLease, lastSignOfLife.get(holder.toLowerCase()) ?? 0);
    const silentFor = now - since;
    if (silentFor < t.silentAfterMs) continue;
    const files = theirs.map((l) => l.pattern);
    out.push({
      kind: 'silent-work',
      agent: holder,
      summary: `${holder} holds ${files.length} reservation(s) and has been silent for ${fmt(silentFor)}`,
      problem: `${holder} reserved ${preview(files)} and has reported nothing for ${fmt(silentFor)}; the team cannot tell whether the work is moving, and may be surprised by it.`,
      better: ['Broadcast intentions before starting', 'Update on progress (baton progress ... or a message to the team)', 'Share blockers as soon as they appear', 'Release files promptly when done or paused'],
      why: 'Team awareness prevents conflicts and enables coordination.',
    });
  }
  return out;
}

/**
 * True when a pattern locks a whole top-level directory or more (`src/**`, `*.ts` at the root, `{a,b}/**`,
 * and plain `src` or `src/`): "reserve just in case". Narrower ones (src/api/**, src/api) are ordinary
 * reservations.
 */
export function isBroadPattern(pattern: string): boolean {
  const form = patternForm(pattern);
  if (form === 'file') return false;
  if (form === 'directory') {
    // A directory (by its form, the same reading the reservation book uses: glob.ts) covers everything
    // under it, so plain `src` locks what `src/**` locks and is as broad; only a top-level one can be
    // (`src/api` is `src/api/**`, an ordinary reservation). An extensionless top-level file (Makefile)
    // is read as a directory here as it is there; a wrong guess costs an advisory notice, nothing more.
    return !pattern.replace(/\/$/, '').includes('/');
  }
  return pattern.split(/[{},]/).some((alt) => {
    const segments = alt.split('/').filter(Boolean);
    const firstWild = segments.findIndex((s) => /[*?[]/.test(s));
    if (firstWild === -1 || firstWild > 1) return false;
    // `**` anywhere after it, or the wildcard is the last segment: every file of a top-level directory.
    return firstWild === segments.length - 1 || segments.slice(firstWild).some((s) => s.includes('**'));
  });
}

/** Reservation hoarding: too many leases for one agent, or leases as broad as a top-level directory. */
export function detectHoarding(leases: LeaseFact[], t: Thresholds): Finding[] {
  const out: Finding[] = [];
  for (const [holder, theirs] of groupByHolder(leases)) {
    const broad = theirs.map((l) => l.pattern).filter(isBroadPattern);
    const tooMany = theirs.length > t.maxLeasesPerAgent;
    if (!tooMany && broad.length === 0) continue;
    const what = [tooMany ? `${theirs.length} reservations (more than ${t.maxLeasesPerAgent})` : '', broad.length ? `broad patterns ${preview(broad)}` : ''].filter(Boolean).join(' and ');
    out.push({
      kind: 'reservation-hoarding',
      agent: holder,
      summary: `${holder} holds ${what}`,
      problem: `${holder} holds ${what}, "just to be safe"; others who need those files are blocked.`,
      better: ['Reserve just the files you are about to edit (e.g. src/api/users.ts)', 'Reserve all related files together, just before editing', 'Release immediately when done; do not hold files during breaks', 'Use shared leases for reading only'],
      why: 'Over-reservation blocks others unnecessarily.',
    });
  }
  return out;
}

/** No sync points: an agent in parallel work let a checkpoint pass without checking in. */
export function noSyncPointFinding(agent: string, workflowId: string, step: string, silentForMs: number): Finding {
  return {
    kind: 'no-sync-points',
    agent,
    workflowId,
    summary: `${agent} missed a sync checkpoint in ${workflowId} (silent for ${fmt(silentForMs)})`,
    problem: `${agent} works in parallel ("${step}") without checking in: no progress for ${fmt(silentForMs)}, past the planned checkpoint.`,
    better: ['Plan sync points (every 2 hours)', 'Share progress updates at each checkpoint (baton progress ...)', 'Verify interfaces align with the other agents', 'Adjust the plan if needed'],
    why: 'Parallel work that never syncs drifts apart and breaks at integration.',
  };
}

/** Unclear handoffs: the agent's handoffs were refused `count` times (reported once the threshold is reached). */
export function unclearHandoffFinding(agent: string, count: number, lastMissing: string[], t: Thresholds): Finding | undefined {
  if (count < t.unclearHandoffsAfter) return undefined;
  return {
    kind: 'unclear-handoffs',
    agent,
    summary: `${agent}'s handoffs were refused ${count} times${lastMissing.length ? ` (last missing: ${lastMissing.join(', ')})` : ''}`,
    problem: `${agent} finishes steps without telling the next agent what to do: ${count} handoffs refused as empty or vague.`,
    better: ['Clear handoff messages: what was done, where (files), how to test it', 'Include all the context the next agent needs', 'Confirm receipt with the next agent', 'Ask questions early'],
    why: 'Clear handoffs prevent confusion and delays.',
  };
}

function groupByHolder(leases: LeaseFact[]): Map<string, LeaseFact[]> {
  const out = new Map<string, LeaseFact[]>();
  for (const l of leases) out.set(l.holder, [...(out.get(l.holder) ?? []), l]);
  return out;
}

function preview(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
