import { overlapWitness } from './overlap-oracle';

/**
 * Invariant checkers for the durability suites. Pure functions over what the clients were told and
 * what the workflows report (audit trails, lists, inboxes): no Temporal import, so their own unit tests
 * feed them doctored evidence and expect them to object. Each returns the violations it found (empty
 * when the invariant holds), in words a failing test can print.
 */

export interface InvariantReport {
  name: string;
  /** How many facts were checked (grants, deliveries, claims...). */
  checked: number;
  violations: string[];
}

const lower = (s: string) => s.toLowerCase();

// --- reservations: no two overlapping exclusive leases of different holders --------------------

/** The audit entry fields the checkers need (src/schemas/reservations.ts AuditEntry). */
export interface TrailEntry {
  seq: number;
  at: string;
  action: 'grant' | 'extend' | 'release' | 'renew' | 'expire' | 'force-release';
  holder: string;
  reservationIds: string[];
  patterns: string[];
  count: number;
  /** The pattern workflow that acted for the holder. */
  via?: string;
}

/** What the grant answers said about each reservation id (the audit does not carry `exclusive`). */
export interface LeaseFacts {
  id: string;
  holder: string;
  pattern: string;
  exclusive: boolean;
  expiresAt?: string;
}

/** A path both patterns cover, or undefined when they do not overlap. */
export type OverlapFn = (a: string, b: string) => string | undefined;

/**
 * Replays an audit trail in sequence order and proves that no grant ever made two leases of different
 * holders active at once with overlapping patterns where either is exclusive. Every entry also has to
 * be complete (the trail keeps 20 ids per entry), seqs consecutive, and every granted id known from a
 * grant answer and granted once. `overlap` decides overlap independently of the implementation under
 * test (overlap-oracle.ts: brute force with picomatch), so a bug in Baton's own decision cannot hide
 * the double grant it causes.
 */
export function checkNoDoubleExclusiveGrant(trail: { total: number; entries: TrailEntry[] }, facts: Map<string, LeaseFacts>, overlap: OverlapFn = overlapWitness): InvariantReport {
  const violations: string[] = [];
  const entries = [...trail.entries].sort((a, b) => a.seq - b.seq);
  if (entries.length !== trail.total) violations.push(`audit trail incomplete: ${entries.length} entries kept of ${trail.total}; cannot prove anything about the missing ones`);
  entries.forEach((e, i) => {
    if (i > 0 && e.seq !== entries[i - 1]!.seq + 1) violations.push(`audit seq gap: ${entries[i - 1]!.seq} then ${e.seq}`);
    if (e.count !== e.reservationIds.length) violations.push(`audit entry ${e.seq} lists ${e.reservationIds.length} of ${e.count} reservations (truncated); keep calls at 20 patterns or fewer`);
  });
  const active = new Map<string, LeaseFacts>();
  const everGranted = new Set<string>();
  let checked = 0;
  for (const e of entries) {
    if (e.action === 'grant') {
      for (const id of e.reservationIds) {
        const lease = facts.get(id);
        if (!lease) {
          violations.push(`grant #${e.seq} of ${id} (${e.holder}) that no client was told about`);
          continue;
        }
        if (everGranted.has(id)) violations.push(`reservation ${id} granted twice (second time in #${e.seq})`);
        everGranted.add(id);
        if (lower(lease.holder) !== lower(e.holder)) violations.push(`grant #${e.seq}: ${id} recorded for ${e.holder} but answered to ${lease.holder}`);
        for (const other of active.values()) {
          if (lower(other.holder) === lower(lease.holder)) continue;
          if (!lease.exclusive && !other.exclusive) continue;
          checked++;
          const both = overlap(lease.pattern, other.pattern);
          if (both !== undefined) {
            violations.push(
              `double grant at #${e.seq} (${e.at}): ${lease.holder} got ${lease.exclusive ? 'exclusive' : 'shared'} "${lease.pattern}" (${id}) while ${other.holder} held ${other.exclusive ? 'exclusive' : 'shared'} "${other.pattern}" (${other.id}); both cover "${both}"`,
            );
          }
        }
        active.set(id, lease);
      }
    } else if (e.action === 'release' || e.action === 'expire' || e.action === 'force-release') {
      for (const id of e.reservationIds) {
        if (!active.delete(id)) violations.push(`#${e.seq} ${e.action} of ${id}, which was not active`);
      }
    } else {
      for (const id of e.reservationIds) if (!active.has(id)) violations.push(`#${e.seq} ${e.action} of ${id}, which was not active`);
    }
  }
  return { name: 'no two active overlapping exclusive leases of different holders', checked, violations };
}

// --- reservations: granted leases survive, and expire on time ----------------------------------

export interface GrantedLease {
  id: string;
  holder: string;
  pattern: string;
  expiresAt: string;
  /** The client released it itself (acknowledged). */
  released?: boolean;
}

/**
 * Every lease a client was granted and did not release is still listed while its time runs, and is
 * gone once it has passed; an `expire` entry, if the trail has one, is never before its expiry time.
 * `marginMs` absorbs the gap between the query and `now`.
 */
export function checkLeasesDurable(
  granted: GrantedLease[],
  listed: { id: string; holder: string; pattern: string; expiresAt: string }[],
  trail: TrailEntry[],
  now: number,
  marginMs = 2_000,
): InvariantReport {
  const violations: string[] = [];
  const byId = new Map(listed.map((r) => [r.id, r]));
  const expiredAt = new Map<string, number>();
  for (const e of trail) if (e.action === 'expire') for (const id of e.reservationIds) expiredAt.set(id, Date.parse(e.at));
  for (const g of granted) {
    const expiry = Date.parse(g.expiresAt);
    const row = byId.get(g.id);
    const when = expiredAt.get(g.id);
    if (when !== undefined && when < expiry) violations.push(`${g.id} (${g.pattern}) expired early: at ${new Date(when).toISOString()}, due ${g.expiresAt}`);
    if (g.released) {
      if (row) violations.push(`${g.id} (${g.pattern}) was released but is still listed`);
      continue;
    }
    if (expiry > now + marginMs) {
      if (!row) violations.push(`${g.id} (${g.pattern}, ${g.holder}) was granted until ${g.expiresAt} but is gone at ${new Date(now).toISOString()}`);
      else if (lower(row.holder) !== lower(g.holder) || row.pattern !== g.pattern) violations.push(`${g.id} changed: now ${row.holder} ${row.pattern}`);
      else if (Date.parse(row.expiresAt) < expiry) violations.push(`${g.id} (${g.pattern}) now expires ${row.expiresAt}, before the ${g.expiresAt} it was granted until`);
    } else if (expiry < now - marginMs && row) {
      violations.push(`${g.id} (${g.pattern}) was due to expire at ${g.expiresAt} but is still listed at ${new Date(now).toISOString()}`);
    }
  }
  return { name: 'every granted reservation is still held, or expired on time', checked: granted.length, violations };
}

// --- messages: every message sent is delivered exactly once --------------------------------

export interface SentMessage {
  messageId: string;
  /** Recipients the send answer said it delivered to. */
  deliveredTo: string[];
}

/**
 * Each acknowledged send appears exactly once in each recipient's inbox, no inbox holds a message twice,
 * and no inbox holds a message from the checked senders that no send answer produced (a duplicate from
 * a retry would show up as an unknown id).
 */
export function checkExactlyOnceDelivery(sent: SentMessage[], inboxes: Map<string, { id: string; from: string }[]>, senders: Set<string>): InvariantReport {
  const violations: string[] = [];
  const known = new Set(sent.map((s) => s.messageId));
  if (known.size !== sent.length) violations.push(`${sent.length - known.size} send answers repeat a message id of another send`);
  const counts = new Map<string, Map<string, number>>();
  for (const [member, items] of inboxes) {
    const c = new Map<string, number>();
    for (const item of items) {
      c.set(item.id, (c.get(item.id) ?? 0) + 1);
      if (senders.has(lower(item.from)) && !known.has(item.id)) violations.push(`${member} has message ${item.id} from ${item.from} that no send answered with (a duplicate or a phantom)`);
    }
    counts.set(lower(member), c);
  }
  let checked = 0;
  for (const s of sent) {
    for (const to of s.deliveredTo) {
      checked++;
      const n = counts.get(lower(to))?.get(s.messageId) ?? 0;
      if (n !== 1) violations.push(`message ${s.messageId} is in ${to}'s inbox ${n} times (expected exactly once)`);
    }
  }
  for (const [member, c] of counts) for (const [id, n] of c) if (n > 1 && !known.has(id)) violations.push(`${member}'s inbox holds ${id} ${n} times`);
  return { name: 'every message sent is delivered exactly once', checked, violations };
}

// --- claims and approvals: exactly one -----------------------------------------------------

/**
 * Of many agents claiming one thing, exactly one was told it won, the record names that one, and the
 * record lists the claim once.
 */
export function checkExactlyOneClaimant(answers: { agent: string; won: boolean }[], recorded: string[]): InvariantReport {
  const violations: string[] = [];
  const winners = answers.filter((a) => a.won).map((a) => a.agent);
  if (winners.length !== 1) violations.push(`${winners.length} agents were told they won the claim (${winners.join(', ') || 'none'}); expected exactly one`);
  if (recorded.length !== 1) violations.push(`the record holds ${recorded.length} claimants (${recorded.join(', ') || 'none'}); expected exactly one`);
  if (winners.length === 1 && recorded.length === 1 && lower(winners[0]!) !== lower(recorded[0]!)) violations.push(`${winners[0]} was told it won but the record names ${recorded[0]}`);
  return { name: 'exactly one claimant', checked: answers.length, violations };
}

/** Every approval (or other decision) given and acknowledged is recorded exactly once, and nothing else is. */
export function checkRecordedOnce(kind: string, given: string[], recorded: string[]): InvariantReport {
  const violations: string[] = [];
  const counts = new Map<string, number>();
  for (const r of recorded) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const g of given) {
    const n = counts.get(g) ?? 0;
    if (n !== 1) violations.push(`${kind} ${g} recorded ${n} times (expected once)`);
  }
  const givenSet = new Set(given);
  for (const [r, n] of counts) if (!givenSet.has(r)) violations.push(`${kind} ${r} recorded ${n} times but never given`);
  return { name: `every ${kind} given is recorded once`, checked: given.length, violations };
}

/** Every started workflow reached the expected terminal status. */
export function checkAllFinished(runs: { id: string; status: string }[], expected = 'COMPLETED'): InvariantReport {
  const violations = runs.filter((r) => r.status !== expected).map((r) => `${r.id} is ${r.status}, expected ${expected}`);
  return { name: `every pattern finishes (${expected})`, checked: runs.length, violations };
}

/** Registered members (name + token answers) are all still there. */
export function checkMembersKept(registered: string[], listed: string[]): InvariantReport {
  const have = new Set(listed.map(lower));
  const violations = registered.filter((n) => !have.has(lower(n))).map((n) => `member ${n} was registered but is gone`);
  const names = registered.map(lower);
  if (new Set(names).size !== names.length) violations.push('two registrations got the same name');
  return { name: 'every registration is kept, names unique', checked: registered.length, violations };
}

/** Fails the test with every violation, and prints what was checked otherwise. */
export function expectInvariants(reports: InvariantReport[], log: (line: string) => void = console.log): void {
  const failed = reports.filter((r) => r.violations.length > 0);
  for (const r of reports) log(`  invariant ${r.violations.length ? 'BROKEN' : 'holds'}: ${r.name} (${r.checked} checked)`);
  if (failed.length) {
    const lines = failed.flatMap((r) => [`${r.name}:`, ...r.violations.slice(0, 20).map((v) => `  - ${v}`), ...(r.violations.length > 20 ? [`  ... ${r.violations.length - 20} more`] : [])]);
    throw new Error(`Invariant violated:\n${lines.join('\n')}`);
  }
}
