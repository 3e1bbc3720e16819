import * as wf from '@temporalio/workflow';
import type { LeaseFact } from '../../domain/alerts/rules';
import { explainOverlap, type OverlapExplanation } from '../../domain/reservations/explain';
import { literalGlob, patternKey, type ParsedGlob } from '../../domain/reservations/glob';
import { PatternIndex } from '../../domain/reservations/index';
import { covers } from '../../domain/reservations/coverage';
import { overlaps } from '../../domain/reservations/overlap';
import { hashToken } from '../../domain/agents/token-hash';
import { expiredNotice, expiringNotice, warningLeadMs } from '../../domain/reservations/notices';
import { checkPath, checkPattern, clampTtl } from '../../domain/reservations/policy';
import type { Actor } from '../../schemas/actor';
import {
  AuditInput,
  CheckInput,
  ForceReleaseInput,
  ListReservationsInput,
  ReleaseInput,
  RenewInput,
  ReserveInput,
  type AuditAction,
  type AuditTrail,
  type CheckResult,
  type Conflict,
  type ForceReleaseResult,
  type ReleaseResult,
  type RenewResult,
  type Reservation,
  type ReservationList,
  type ReserveResult,
} from '../../schemas/reservations';
import { takePage } from '../../domain/page';
import { batonFailure, checked, guarded, parseOrFail } from '../failure';
import { filesFreedSignal } from '../../patterns/kit/api';
import { ANSWER_LIST_BYTES, CONFLICT_LIST_BYTES, RESERVE_ANSWER_BYTES, listWithin, reservationAnswerBytes } from './answer-size';
import { AuditWindow, type AuditRecord, type AuditRow } from './carried/audit-window';
import { CARRIED_BUDGET, formatBytes, type CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import { LeaseTable, decodeLeases, type LeaseRecord, type LeaseSectionV2, type LeaseTupleV1 } from './carried/lease-table';
import { ReserveAnswers, shortFingerprint, type AnswerRow, type AnswerTupleV1, type ReserveAnswer } from './carried/reserve-answers';
import type { ProjectContext, ProjectModule, ReservationsPort } from './module';
import {
  checkReservationsQuery,
  forceReleaseUpdate,
  releaseUpdate,
  renewUpdate,
  reservationAuditQuery,
  reservationsQuery,
  reserveUpdate,
} from './reservations-api';

type Lease = LeaseRecord;

/**
 * Carried across continue-as-new (carried/budget.ts): version 2 since the carried-state budget, the
 * leases in their compact table (carried/lease-table.ts), the audit window and the reserve answers
 * as rows. Version 1 is what runs from before carried (restored as well).
 */
export type ReservationsState =
  | {
      v: 2;
      leases: LeaseSectionV2;
      audit: AuditRow[];
      auditTotal: number;
      answers: AnswerRow[];
    }
  | {
      v: 1;
      strings: string[];
      leases: LeaseTupleV1[];
      audit: AuditRecord[];
      auditTotal: number;
      requests: AnswerTupleV1[];
    };

export { AUDIT_KEPT } from './carried/audit-window';
const AUDIT_PATTERNS_KEPT = 20;
/** A count limit besides the byte budget (CARRIED_BUDGET.leases): agents must release first. */
export const MAX_ACTIVE_RESERVATIONS = 20_000;
/** At most this many leases have pattern runs waiting on them (the rest are found by the runs' retries). */
const MAX_WAITED_LEASES = 2_000;
/** A lease notice lists this many leases at most (the rest by count): a notice travels in the carried delivery queue. */
const NOTICE_LEASES_LISTED = 20;
/** A notice's tag names at most this many lease ids (NoticeTag.reservationIds). */
const NOTICE_IDS_TAGGED = 1000;

const key = (name: string) => name.toLowerCase();

/** The patterns of one request, each once; `src/api/` and `src/api` count as one (patternKey), the first spelling kept. */
function distinctPatterns(patterns: string[]): string[] {
  const seen = new Map<string, string>();
  for (const p of patterns) if (!seen.has(patternKey(p))) seen.set(patternKey(p), p);
  return [...seen.values()];
}

/**
 * The reservation book: advisory leases on paths and globs, decided one at a time in the project
 * workflow so two agents can never both hold overlapping exclusive patterns. Conflicts are found through
 * a literal-prefix index and decided by the exact overlap test; leases expire on the workflow's durable
 * timer (nextWakeAt/onWake) and are also ignored by every read once their time has passed.
 */
export class ReservationBook implements ProjectModule, ReservationsPort {
  readonly name = 'reservations';
  private readonly leases = new Map<string, Lease>();
  private readonly parsed = new Map<string, ParsedGlob>();
  private readonly byHolder = new Map<string, Set<string>>();
  /**
   * The ids of each holder's leases by pattern as spelled (`<holder key>\n<patternKey>`, oldest first):
   * ownLease without a scan of the holder's leases (a 200-pattern reserve against 20,000 of them took
   * seconds, past the workflow task's deadline).
   */
  private readonly ownByPattern = new Map<string, string[]>();
  private readonly index = new PatternIndex();
  /** The leases as they will be carried, with their exact size (the admission check reads it). */
  private readonly table = new LeaseTable(Date.now());
  private audit = new AuditWindow();
  private auditTotal = 0;
  private answers = new ReserveAnswers();
  /** The next time a lease expires or its holder is to be warned (cache of nextWakeAt; recomputed when dirty). */
  private earliest: number | undefined;
  private earliestDirty = false;
  /**
   * Holders hear about their leases (a warning before expiry, a notice at expiry; reserving, renewing and
   * releasing count as signs of life). Runs from before this keep their timers and commands (patched).
   */
  private readonly tellsHolders = wf.patched('baton-lease-notices-v1');
  /**
   * Pattern runs whose reserve was refused for a lease (lease id → run workflow ids): told when the lease
   * ends, so a waiting step starts at once rather than at its next retry (30 s at first, up to 5 min).
   * Not carried across continue-as-new: a run that misses the word retries as before. Runs from before
   * send no signals (patched).
   */
  private readonly waiters = new Map<string, Set<string>>();
  private readonly wakesWaiters = wf.patched('baton-wake-waiting-runs-v1');
  /**
   * The leases of one reserve get ids with one random prefix (newIds), which the carried table writes
   * once per group; runs from before keep drawing each id on its own (patched).
   */
  private readonly groupedIds = wf.patched('baton-grouped-lease-ids-v1');

  constructor(
    private readonly ctx: ProjectContext,
    carried: ReservationsState | undefined,
  ) {
    if (carried) this.restore(carried);
  }

  register(): void {
    this.ctx.operations.define(reserveUpdate, { handle: (raw) => this.reserve(raw), validate: (raw) => {
        const input = parseOrFail(ReserveInput, raw, 'reserve request');
        const holder = this.authorize(input.actor, input.allowBroad);
        this.checkSameRequest(holder, input);
        guarded(() => input.patterns.forEach((p) => checkPattern(p, { allowBroad: input.allowBroad })));
        // A retry of a remembered request adds nothing; anything else must fit (refused here: no trace).
        if (!this.answerFor(holder, input.requestId, Date.now())) this.checkRoom(holder, input, Date.now());
      }, answerBytes: (raw) => {
        // Granted: one reservation per pattern. Refused: the conflicts, listed up to ANSWER_LIST_BYTES.
        const input = parseOrFail(ReserveInput, raw, 'reserve request');
        const granted = input.patterns.reduce((n, pattern) => n + reservationAnswerBytes({ pattern, reason: input.reason, holder: 'x'.repeat(64), requestId: input.requestId }), 200);
        return Math.max(granted, RESERVE_ANSWER_BYTES);
      } });
    this.ctx.operations.define(releaseUpdate, { handle: (raw) => this.release(raw), validate: (raw) => {
        const input = parseOrFail(ReleaseInput, raw, 'release request');
        this.ownIds(this.authorize(input.actor), input.ids ?? [], 'release', false);
      }, answerBytes: (raw) => this.listedBytes(this.toRelease(parseOrFail(ReleaseInput, raw, 'release request'))) });
    this.ctx.operations.define(renewUpdate, { handle: (raw) => this.renew(raw), validate: (raw) => {
        const input = parseOrFail(RenewInput, raw, 'renew request');
        this.ownIds(this.authorize(input.actor), input.ids ?? [], 'renew', true);
      }, answerBytes: (raw) => {
        const input = parseOrFail(RenewInput, raw, 'renew request');
        const holder = this.authorize(input.actor);
        return this.listedBytes(input.ids ? this.ownIds(holder, input.ids, 'renew', true) : this.leasesOf(holder));
      } });
    this.ctx.operations.define(forceReleaseUpdate, { handle: (raw) => this.forceRelease(raw), validate: (raw) => {
        const input = parseOrFail(ForceReleaseInput, raw, 'force-release request');
        this.authorizeHuman(input.actor);
        guarded(() => input.patterns?.forEach((p) => checkPattern(p, { allowBroad: true })));
      }, answerBytes: () => ANSWER_LIST_BYTES + 4096 });
    wf.setHandler(reservationsQuery, (raw) => checked(() => this.list(parseOrFail(ListReservationsInput, raw ?? {}, 'reservation filter'))));
    wf.setHandler(checkReservationsQuery, (raw) => checked(() => this.check(parseOrFail(CheckInput, raw, 'check request'))));
    wf.setHandler(reservationAuditQuery, (raw) => checked(() => this.auditTrail(parseOrFail(AuditInput, raw ?? {}, 'audit filter'))));
  }

  // --- ProjectModule --------------------------------------------------------------------------

  nextWakeAt(): number | undefined {
    if (this.earliestDirty) {
      this.earliest = undefined;
      for (const lease of this.leases.values()) {
        const at = wakeOf(lease);
        if (this.earliest === undefined || at < this.earliest) this.earliest = at;
      }
      this.earliestDirty = false;
    }
    return this.earliest;
  }

  onWake(now: number): void {
    this.expireDue(now);
    this.warnDue(now);
  }

  /** Carried bytes of this module's sections (exact: see LeaseTable, AuditWindow, ReserveAnswers). */
  carriedBytes(): CarriedSizes {
    return { leases: this.table.bytes, audit: this.audit.bytes, reserveAnswers: this.answers.bytes };
  }

  describe() {
    let nextExpiry: number | undefined;
    let nextWarning: number | undefined;
    for (const l of this.leases.values()) {
      if (nextExpiry === undefined || l.expiresAt < nextExpiry) nextExpiry = l.expiresAt;
      if (l.warnAt !== undefined && (nextWarning === undefined || l.warnAt < nextWarning)) nextWarning = l.warnAt;
    }
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      active: this.leases.size,
      holders: [...this.byHolder.values()].filter((s) => s.size > 0).length,
      nextExpiry: iso(nextExpiry),
      nextWarning: iso(nextWarning),
      auditTotal: this.auditTotal,
    };
  }

  snapshot(): ReservationsState {
    const leases = this.table.encode();
    // A run that does not warn holders leaves that to the next run (as version 1 did by leaving warnAt out).
    if (!this.tellsHolders) leases.nw = 1;
    return { v: 2, leases, audit: this.audit.encode(), auditTotal: this.auditTotal, answers: this.answers.encode() };
  }

  private restore(state: ReservationsState): void {
    for (const { lease, warnAtUnknown } of decodeLeases(state)) {
      // Carried from a run before warnings: warn as if granted with its whole lifetime as the TTL.
      if (warnAtUnknown) this.scheduleWarning(lease, lease.expiresAt - lease.createdAt);
      // Patterns were checked when granted; re-parsing cannot fail unless the syntax changed, and then
      // keeping the lease under the old reading would be worse than the INTERNAL failure this raises.
      this.add(lease, guarded(() => checkPattern(lease.pattern, { allowBroad: true })));
    }
    this.audit = new AuditWindow(state.audit);
    this.auditTotal = state.auditTotal;
    this.answers = new ReserveAnswers(state.v === 2 ? state.answers : state.requests);
  }

  // --- ReservationsPort -----------------------------------------------------------------------

  activeLeases(now: number): LeaseFact[] {
    return [...this.leases.values()].filter((l) => l.expiresAt > now).map((l) => ({ holder: l.holder, pattern: l.pattern, createdAt: l.createdAt, id: l.id, expiresAt: l.expiresAt }));
  }

  leaseCount(): number {
    return this.leases.size;
  }

  ownCoverage(holder: string, patterns: string[], exclusive: boolean, now: number): { covered: string[]; by: string[]; overlapping: string[] } {
    const mine = [...(this.byHolder.get(key(holder)) ?? [])].map((id) => this.leases.get(id)!).filter((l) => l.expiresAt > now);
    const covered: string[] = [];
    const by = new Set<string>();
    const overlapping = new Set<string>();
    for (const pattern of patterns) {
      const wanted = guarded(() => checkPattern(pattern, { allowBroad: true }));
      // Only leases that share a path with the pattern can help cover it (and it keeps the search small).
      const near = mine.filter((l) => overlaps(this.parsed.get(l.id)!, wanted));
      for (const l of near) overlapping.add(l.pattern);
      // A shared lease does not give what an exclusive step needs: only leases at least as strong count.
      const helping = near.filter((l) => l.exclusive || !exclusive);
      if (helping.length && covers(helping.map((l) => this.parsed.get(l.id)!), wanted)) {
        covered.push(pattern);
        for (const l of helping) by.add(l.pattern);
      }
    }
    return { covered, by: [...by], overlapping: [...overlapping] };
  }

  releaseForRetirement(holder: string, by: string): Reservation[] {
    const now = Date.now();
    this.expireDue(now);
    const leases = this.leasesOf(holder);
    for (const lease of leases) this.remove(lease);
    const name = leases[0]?.holder ?? holder;
    if (leases.length) this.record(now, 'release', by, name, leases, key(by) === key(name) ? `${name} retired` : `${name} retired by ${by}`);
    return listWithin(leases.map((l) => this.view(l))).listed;
  }

  holdOverlapping(a: string, b: string): boolean {
    const now = Date.now();
    const theirs = this.byHolder.get(key(b));
    if (!theirs?.size) return false;
    for (const id of this.byHolder.get(key(a)) ?? []) {
      const lease = this.leases.get(id)!;
      if (lease.expiresAt <= now) continue;
      for (const other of this.index.candidates(this.parsed.get(id)!)) {
        if (theirs.has(other) && this.leases.get(other)!.expiresAt > now && overlaps(this.parsed.get(id)!, this.parsed.get(other)!)) return true;
      }
    }
    return false;
  }

  // --- updates --------------------------------------------------------------------------------

  private reserve(raw: ReserveInput): ReserveResult {
    const input = parseOrFail(ReserveInput, raw, 'reserve request');
    const holder = this.authorize(input.actor, input.allowBroad);
    const now = Date.now();
    this.expireDue(now);
    const requestKey = input.requestId === undefined ? undefined : answerKey(holder, input.requestId);
    const previous = this.answerFor(holder, input.requestId, now);
    if (previous) return previous;
    // Remembered, but its leases ended since (released, expired, force-released): decided again as new.
    if (requestKey !== undefined) this.answers.forget(requestKey);

    const patterns = distinctPatterns(input.patterns);
    const parsed = guarded(() => patterns.map((p) => checkPattern(p, { allowBroad: input.allowBroad })));
    const conflicts: Conflict[] = [];
    parsed.forEach((glob) => conflicts.push(...this.conflictsWith(glob, glob.pattern, holder, input.exclusive, now)));
    if (conflicts.length > 0) {
      if (this.wakesWaiters && input.actor.kind === 'workflow') this.addWaiter(input.actor.workflowId, conflicts);
      // A broad pattern may meet thousands of leases: the answer lists what fits in one payload.
      const { listed, omitted } = listWithin(conflicts, CONFLICT_LIST_BYTES);
      return { status: 'conflict', conflicts: listed, ...(omitted ? { omitted } : {}) };
    }

    this.checkRoom(holder, input, now);
    const ttl = clampTtl(input.ttlSeconds);
    const expiresAt = now + ttl.seconds * 1000;
    const via = input.actor.kind === 'workflow' ? input.actor.workflowId : undefined;
    this.signOfLife(input.actor, holder);
    const granted: Lease[] = [];
    const extended: Lease[] = [];
    const ids = this.newIds(parsed.length);
    parsed.forEach((glob) => {
      const own = this.ownLease(holder, glob.pattern);
      if (own) {
        this.change(own, () => {
          this.setExpiry(own, Math.max(own.expiresAt, expiresAt), ttl.seconds * 1000);
          own.exclusive = input.exclusive;
          own.reason = input.reason;
        });
        extended.push(own);
        return;
      }
      const lease: Lease = { id: ids.next().value!, holder, pattern: glob.pattern, exclusive: input.exclusive, reason: input.reason, createdAt: now, expiresAt };
      if (input.requestId !== undefined) lease.requestId = input.requestId;
      if (via !== undefined) lease.via = via;
      this.scheduleWarning(lease, ttl.seconds * 1000);
      this.add(lease, glob);
      granted.push(lease);
    });
    if (granted.length) this.record(now, 'grant', holder, holder, granted, input.reason, via);
    if (extended.length) this.record(now, 'extend', holder, holder, extended, input.reason, via);
    this.ctx.wake();

    const result: ReserveResult = { status: 'granted', reservations: [...granted, ...extended].map((l) => this.view(l)) };
    if (ttl.clampedFrom !== undefined) result.clampedTtl = { requestedSeconds: ttl.clampedFrom, appliedSeconds: ttl.seconds };
    if (requestKey !== undefined) {
      const answer: ReserveAnswer = { at: now, ids: result.reservations.map((r) => r.id), fingerprint: requestFingerprint(input) };
      if (result.clampedTtl) answer.clampedTtl = result.clampedTtl;
      this.answers.remember(requestKey, answer);
    }
    return result;
  }

  private release(raw: ReleaseInput): ReleaseResult {
    const input = parseOrFail(ReleaseInput, raw, 'release request');
    const holder = this.authorize(input.actor);
    const now = Date.now();
    this.expireDue(now);
    const leases = this.toRelease(input);
    this.signOfLife(input.actor, holder);
    for (const lease of leases) this.remove(lease);
    if (leases.length) this.record(now, 'release', holder, holder, leases, undefined, input.actor.kind === 'workflow' ? input.actor.workflowId : undefined);
    const { listed, omitted } = listWithin(leases.map((l) => this.view(l)));
    return { released: listed, ...(omitted ? { omitted } : {}) };
  }

  /** The member's own leases a release names (ids, patterns, or all of them). */
  private toRelease(input: ReturnType<typeof ReleaseInput.parse>): Lease[] {
    const holder = this.authorize(input.actor);
    if (input.ids) return this.ownIds(holder, input.ids, 'release', false);
    if (input.patterns) return distinctPatterns(input.patterns).map((p) => this.ownLease(holder, p)).filter((l): l is Lease => l !== undefined);
    return this.leasesOf(holder);
  }

  /** An upper bound of the bytes an answer listing these leases takes (at most ANSWER_LIST_BYTES of them, and the count). */
  private listedBytes(leases: Lease[]): number {
    let bytes = 200;
    for (const lease of leases) {
      bytes += reservationAnswerBytes(lease);
      if (bytes > ANSWER_LIST_BYTES) return ANSWER_LIST_BYTES + 200;
    }
    return bytes;
  }

  private renew(raw: RenewInput): RenewResult {
    const input = parseOrFail(RenewInput, raw, 'renew request');
    const holder = this.authorize(input.actor);
    const now = Date.now();
    this.expireDue(now);
    const leases = input.ids ? this.ownIds(holder, input.ids, 'renew', true) : this.leasesOf(holder);
    const ttl = clampTtl(input.ttlSeconds);
    this.signOfLife(input.actor, holder);
    for (const lease of leases) this.change(lease, () => this.setExpiry(lease, Math.max(now, lease.expiresAt) + ttl.seconds * 1000, ttl.seconds * 1000));
    if (leases.length) this.record(now, 'renew', holder, holder, leases, undefined, input.actor.kind === 'workflow' ? input.actor.workflowId : undefined);
    this.ctx.wake();
    const { listed, omitted } = listWithin(leases.map((l) => this.view(l)));
    const result: RenewResult = { renewed: listed, ...(omitted ? { omitted } : {}) };
    if (ttl.clampedFrom !== undefined) result.clampedTtl = { requestedSeconds: ttl.clampedFrom, appliedSeconds: ttl.seconds };
    return result;
  }

  private forceRelease(raw: ForceReleaseInput): ForceReleaseResult {
    const input = parseOrFail(ForceReleaseInput, raw, 'force-release request');
    const by = this.authorizeHuman(input.actor);
    const now = Date.now();
    this.expireDue(now);
    let leases: Lease[];
    if (input.ids) leases = input.ids.map((id) => this.leases.get(id)).filter((l): l is Lease => l !== undefined);
    else if (input.holder) leases = this.leasesOf(input.holder);
    else {
      const found = new Set<string>();
      for (const glob of guarded(() => input.patterns!.map((p) => checkPattern(p, { allowBroad: true })))) {
        for (const id of this.index.candidates(glob)) if (overlaps(glob, this.parsed.get(id)!)) found.add(id);
      }
      leases = [...found].map((id) => this.leases.get(id)!);
    }
    const byHolder = new Map<string, Lease[]>();
    for (const lease of leases) {
      this.remove(lease);
      pushTo(byHolder, lease.holder, lease);
    }
    for (const [holder, theirs] of byHolder) {
      this.record(now, 'force-release', by, holder, theirs, input.reason);
      const list = [...theirs.slice(0, NOTICE_LEASES_LISTED).map((l) => `  ${l.pattern}  (${l.id})`), ...(theirs.length > NOTICE_LEASES_LISTED ? [`  ... and ${theirs.length - NOTICE_LEASES_LISTED} more`] : [])].join('\n');
      this.ctx.directory.notify([holder], {
        subject: `${by} force-released ${theirs.length === 1 ? 'your reservation' : `${theirs.length} of your reservations`}`,
        body: `${by} released, in project ${this.ctx.project}:\n${list}\nReason: ${input.reason}\nCheck with \`baton check\` before editing these files again.`,
        importance: 'high',
      });
    }
    const { listed, omitted } = listWithin(leases.map((l) => this.view(l)));
    return { released: listed, ...(omitted ? { omitted } : {}), notified: [...byHolder.keys()] };
  }

  // --- queries --------------------------------------------------------------------------------

  /** Oldest first by (createdAt, id); a page within `limit` and PAGE_BYTES, `next` = "<createdAt>.<id>" of its last lease. */
  private list(filter: { holder?: string; limit: number; after?: string }): ReservationList {
    const now = Date.now();
    const all = (filter.holder ? this.leasesOf(filter.holder) : [...this.leases.values()]).filter((l) => l.expiresAt > now);
    all.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    let rest = all;
    if (filter.after !== undefined) {
      const m = /^(-?\d+)\.(.+)$/.exec(filter.after);
      if (!m) throw batonFailure('INVALID_INPUT', `after: "${filter.after}" is not a cursor of the reservation list; pass the \`next\` of the previous page.`);
      const [at, id] = [Number(m[1]), m[2]!];
      rest = all.filter((l) => l.createdAt > at || (l.createdAt === at && l.id.localeCompare(id) > 0));
    }
    const views = rest.map((l) => this.view(l));
    const page = takePage(views, filter.limit, jsonBytes, (r) => `${Date.parse(r.createdAt)}.${r.id}`);
    const list: ReservationList = { total: all.length, reservations: page.items };
    if (page.next !== undefined) list.next = page.next;
    return list;
  }

  private check(input: { paths?: string[]; patterns?: string[]; asAgent?: string; exclusive: boolean }): CheckResult {
    const now = Date.now();
    const me = input.asAgent ?? '';
    const results: CheckResult['results'] = [];
    for (const path of input.paths ?? []) {
      guarded(() => checkPath(path));
      // A path is checked as a reservation of it would be (the path and everything under it), so
      // `check pkg` reports a lease on `pkg/x.ts` and `check pkg/x.ts` a lease on `pkg`.
      const glob = literalGlob(path);
      const result: CheckResult['results'][number] = { target: path, kind: 'path', conflicts: this.conflictsWith(glob, path, me, input.exclusive, now) };
      const yours = me ? this.ownCovering(me, glob, path, now) : [];
      if (yours.length) result.yours = yours;
      results.push(result);
    }
    for (const pattern of input.patterns ?? []) {
      const glob = guarded(() => checkPattern(pattern, { allowBroad: true }));
      results.push({ target: pattern, kind: 'pattern', conflicts: this.conflictsWith(glob, pattern, me, input.exclusive, now) });
    }
    return { clear: results.every((r) => r.conflicts.length === 0), results };
  }

  /** The newest `limit` entries older than the cursor (a seq), oldest first, within PAGE_BYTES; `next` = the seq of the oldest shown. */
  private auditTrail(filter: { holder?: string; limit: number; after?: string }): AuditTrail {
    const wanted = filter.holder === undefined ? undefined : key(filter.holder);
    let before = Infinity;
    if (filter.after !== undefined) {
      if (!/^\d+$/.test(filter.after)) throw batonFailure('INVALID_INPUT', `after: "${filter.after}" is not a cursor of the audit trail; pass the \`next\` of the previous page.`);
      before = Number(filter.after);
    }
    const entries = this.audit.entries().filter((e) => e.seq < before && (wanted === undefined || key(e.holder) === wanted || key(e.by) === wanted));
    const newestFirst = entries.reverse().map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    const page = takePage(newestFirst, filter.limit, jsonBytes, (e) => String(e.seq));
    const trail: AuditTrail = { total: this.auditTotal, entries: page.items.reverse() };
    if (page.next !== undefined) trail.next = page.next;
    return trail;
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * Admission (read-only, so the validator runs it too and a refusal leaves no trace): the count limit,
   * and the carried-state budget of the leases, counting what this reserve would add (LeaseTable#costOf,
   * an upper bound). Throws INVALID_STATE saying how full, what to do, and when it clears by itself.
   */
  private checkRoom(holder: string, input: ReturnType<typeof ReserveInput.parse>, now: number): void {
    const patterns = distinctPatterns(input.patterns);
    const own = patterns.map((p) => this.ownLease(holder, p));
    const fresh = patterns.filter((_p, i) => own[i] === undefined);
    const extended = own.filter((l): l is Lease => l !== undefined);
    const active = () => {
      let next: number | undefined;
      for (const l of this.leases.values()) if (next === undefined || l.expiresAt < next) next = l.expiresAt;
      // Say when the limit clears by itself: at the next expiry (or sooner, when someone releases).
      return next === undefined ? '' : ` It clears by itself as leases expire, the next at ${new Date(next).toISOString()}.`;
    };
    if (this.leases.size + fresh.length > MAX_ACTIVE_RESERVATIONS) {
      throw batonFailure('INVALID_STATE', `Project ${this.ctx.project} already has ${this.leases.size} active reservations (limit ${MAX_ACTIVE_RESERVATIONS}); release what is no longer being edited.${active()}`, { limit: 'reservations', active: this.leases.size, max: MAX_ACTIVE_RESERVATIONS });
    }
    const plan = { holder, reason: input.reason, patterns: fresh, extendedCreatedAt: extended.map((l) => l.createdAt), ...(input.requestId === undefined ? {} : { requestId: input.requestId }), ...(input.actor.kind === 'workflow' ? { via: input.actor.workflowId } : {}) };
    const { adding, fits } = this.table.roomFor(plan);
    if (!fits) {
      throw batonFailure(
        'INVALID_STATE',
        `Project ${this.ctx.project} has no room for these reservations: its ${this.leases.size} active leases take ${formatBytes(this.table.bytes)} of the ${formatBytes(CARRIED_BUDGET.leases)} the project can carry, and these ${fresh.length} would add up to ${formatBytes(adding)} (long patterns cost the most). Release what is no longer being edited, or reserve shorter patterns (a directory such as src/api/ covers everything under it).${active()}`,
        { limit: 'reservation-bytes', bytes: this.table.bytes, adding, max: CARRIED_BUDGET.leases, active: this.leases.size, now },
      );
    }
  }

  /**
   * The answer to a retried request: the leases it was granted, as they stand now, while all of them
   * are still held; undefined when the request id is not remembered (never seen, or past the window) or
   * its leases ended since (the retry is then decided as a new request).
   */
  private answerFor(holder: string, requestId: string | undefined, now: number): ReserveResult | undefined {
    if (requestId === undefined) return undefined;
    const answer = this.answers.get(answerKey(holder, requestId));
    if (!answer) return undefined;
    const leases = answer.ids.map((id) => this.leases.get(id));
    if (!leases.every((l): l is Lease => l !== undefined && l.expiresAt > now && key(l.holder) === key(holder))) return undefined;
    const result: ReserveResult = { status: 'granted', reservations: leases.map((l) => this.view(l)) };
    if (answer.clampedTtl) result.clampedTtl = answer.clampedTtl;
    return result;
  }

  /** Changes a lease in place, keeping the carried table (and its byte count) in step. */
  private change(lease: Lease, fn: () => void): void {
    fn();
    this.table.update(lease);
  }

  /** Authenticates the actor (read-only, so validators may call it); returns the member acted for. */
  private authorize(actor: Actor, allowBroad = false): string {
    if (allowBroad) return this.ctx.directory.requireHuman(actor, 'override the hoarding guard (allowBroad); reserve just the files you are about to edit');
    return this.ctx.directory.authenticateActor(actor);
  }

  private authorizeHuman(actor: Actor): string {
    return this.ctx.directory.requireHuman(actor, 'force-release reservations; ask the holder to release, or ask a human');
  }

  /**
   * The holder's leases among `ids`. Another holder's id is refused (that is force-release); an unknown
   * id is fine for release (already released or expired: releasing is idempotent) but not for renew
   * (there is nothing left to extend; reserve again).
   */
  private ownIds(holder: string, ids: string[], action: 'release' | 'renew', mustExist: boolean): Lease[] {
    const out: Lease[] = [];
    for (const id of new Set(ids)) {
      const lease = this.leases.get(id);
      if (!lease || lease.expiresAt <= Date.now()) {
        if (mustExist) throw batonFailure('NOT_FOUND', `No active reservation ${id} (it expired or was released); reserve the files again.`);
        continue;
      }
      if (key(lease.holder) !== key(holder)) {
        throw batonFailure('FORBIDDEN', `Reservation ${id} (${lease.pattern}) is held by ${lease.holder}, not ${holder}; only its holder may ${action} it (a human may force-release it).`);
      }
      out.push(lease);
    }
    return out;
  }

  private leasesOf(holder: string): Lease[] {
    return [...(this.byHolder.get(key(holder)) ?? [])].map((id) => this.leases.get(id)!);
  }

  /** The holder's lease on `pattern` as written or spelled the same way (`src/api/` is `src/api`: patternKey). */
  private ownLease(holder: string, pattern: string): Lease | undefined {
    const id = this.ownByPattern.get(ownKey(holder, pattern))?.[0];
    return id === undefined ? undefined : this.leases.get(id);
  }

  /** Ids of `holder`'s active leases that cover `path` itself (the overlap's example is the path). */
  private ownCovering(holder: string, glob: ParsedGlob, path: string, now: number): string[] {
    const out: string[] = [];
    for (const id of this.byHolder.get(key(holder)) ?? []) {
      const lease = this.leases.get(id)!;
      if (lease.expiresAt > now && explainOverlap(glob, this.parsed.get(id)!)?.example === path) out.push(id);
    }
    return out;
  }

  /** Whether `lease` stands in the way of `me` asking for exclusive (or shared) access at `now`. */
  private competes(lease: Lease, me: string, exclusive: boolean, now: number): boolean {
    return lease.expiresAt > now && key(lease.holder) !== key(me) && (exclusive || lease.exclusive);
  }

  private conflictsWith(glob: ParsedGlob, requested: string, me: string, exclusive: boolean, now: number): Conflict[] {
    const out: Conflict[] = [];
    for (const id of this.index.candidates(glob)) {
      const lease = this.leases.get(id)!;
      if (!this.competes(lease, me, exclusive, now)) continue;
      const why = explainOverlap(glob, this.parsed.get(id)!);
      if (why) out.push(this.conflict(requested, lease, why));
    }
    return out.sort((a, b) => a.holder.localeCompare(b.holder) || a.heldPattern.localeCompare(b.heldPattern));
  }

  /** A conflict with its holder's state when that holder will not answer (idle or retired). */
  private conflict(requested: string, lease: Lease, why: OverlapExplanation): Conflict {
    const c: Conflict = {
      pattern: requested,
      holder: lease.holder,
      heldPattern: lease.pattern,
      exclusive: lease.exclusive,
      expiresAt: new Date(lease.expiresAt).toISOString(),
      reason: lease.reason,
      reservationId: lease.id,
      example: why.example,
      rule: why.rule,
    };
    const state = this.ctx.directory.memberState(lease.holder);
    if (state === 'idle' || state === 'retired') c.holderState = state;
    return c;
  }

  private add(lease: Lease, glob: ParsedGlob): void {
    this.leases.set(lease.id, lease);
    this.table.add(lease);
    this.parsed.set(lease.id, glob);
    this.index.add(lease.id, glob);
    let mine = this.byHolder.get(key(lease.holder));
    if (!mine) this.byHolder.set(key(lease.holder), (mine = new Set()));
    mine.add(lease.id);
    pushTo(this.ownByPattern, ownKey(lease.holder, lease.pattern), lease.id);
    if (!this.earliestDirty && (this.earliest === undefined || wakeOf(lease) < this.earliest)) this.earliest = wakeOf(lease);
  }

  private remove(lease: Lease): void {
    this.leases.delete(lease.id);
    this.table.remove(lease.id);
    this.parsed.delete(lease.id);
    this.index.remove(lease.id);
    const mine = this.byHolder.get(key(lease.holder));
    mine?.delete(lease.id);
    if (mine?.size === 0) this.byHolder.delete(key(lease.holder));
    const own = ownKey(lease.holder, lease.pattern);
    const same = this.ownByPattern.get(own)?.filter((id) => id !== lease.id);
    if (same?.length) this.ownByPattern.set(own, same);
    else this.ownByPattern.delete(own);
    if (wakeOf(lease) === this.earliest) this.earliestDirty = true;
    this.wakeWaiters(lease.id);
  }

  private addWaiter(workflowId: string, conflicts: Conflict[]): void {
    for (const c of conflicts) {
      if (c.reservationId === undefined || (this.waiters.size >= MAX_WAITED_LEASES && !this.waiters.has(c.reservationId))) continue;
      let runs = this.waiters.get(c.reservationId);
      if (!runs) this.waiters.set(c.reservationId, (runs = new Set()));
      runs.add(workflowId);
    }
  }

  private wakeWaiters(leaseId: string): void {
    const runs = this.waiters.get(leaseId);
    if (!runs) return;
    this.waiters.delete(leaseId);
    // A run that ended meanwhile cannot be signalled: nothing to do then.
    for (const id of runs) void wf.getExternalWorkflowHandle(id).signal(filesFreedSignal).catch(() => undefined);
  }

  /** A new expiry (extend, renew); `ttlMs` is the TTL asked for, from which the warning time follows. */
  private setExpiry(lease: Lease, expiresAt: number, ttlMs: number): void {
    if (wakeOf(lease) === this.earliest) this.earliestDirty = true;
    lease.expiresAt = expiresAt;
    this.scheduleWarning(lease, ttlMs);
    if (!this.earliestDirty && this.earliest !== undefined && wakeOf(lease) < this.earliest) this.earliest = wakeOf(lease);
  }

  /** When to warn the holder of a lease of `ttlMs` (notices.ts#warningLeadMs); none in runs that do not tell holders. */
  private scheduleWarning(lease: Lease, ttlMs: number): void {
    delete lease.warnAt;
    if (!this.tellsHolders) return;
    const lead = warningLeadMs(ttlMs, this.ctx.settings.leaseWarningSeconds);
    if (lead !== undefined) lease.warnAt = lease.expiresAt - lead;
  }

  /** Reserving, renewing and releasing are the member's own signs of life (idle holders are marked in conflicts). */
  private signOfLife(actor: Actor, holder: string): void {
    if (this.tellsHolders && actor.kind === 'member') this.ctx.directory.touch(holder);
  }

  /** Warn each holder, once per lease and expiry, of the leases whose warning time has come. */
  private warnDue(now: number): void {
    if (!this.tellsHolders) return;
    const byHolder = new Map<string, Lease[]>();
    for (const lease of this.leases.values()) {
      if (lease.warnAt === undefined || lease.warnAt > now) continue;
      if (lease.expiresAt === this.earliest || lease.warnAt === this.earliest) this.earliestDirty = true;
      this.change(lease, () => delete lease.warnAt);
      if (lease.expiresAt <= now) continue;
      pushTo(byHolder, lease.holder, lease);
    }
    for (const [holder, theirs] of byHolder) {
      const text = listedNotice(expiringNotice(this.ctx.project, theirs.slice(0, NOTICE_LEASES_LISTED), now), theirs.length);
      this.ctx.directory.notify([holder], { ...text, importance: 'high', notice: { topic: 'lease-expiring', reservationIds: theirs.slice(0, NOTICE_IDS_TAGGED).map((l) => l.id), expiresAt: new Date(Math.max(...theirs.map((l) => l.expiresAt))).toISOString() } });
    }
  }

  private expireDue(now: number): void {
    const next = this.nextWakeAt();
    if (next === undefined || next > now) return;
    const due = [...this.leases.values()].filter((l) => l.expiresAt <= now);
    const byHolder = new Map<string, Lease[]>();
    for (const lease of due) {
      this.remove(lease);
      pushTo(byHolder, lease.holder, lease);
    }
    for (const [holder, theirs] of byHolder) {
      this.record(now, 'expire', 'baton', holder, theirs);
      if (!this.tellsHolders) continue;
      const text = listedNotice(expiredNotice(this.ctx.project, theirs.slice(0, NOTICE_LEASES_LISTED)), theirs.length);
      this.ctx.directory.notify([holder], { ...text, importance: 'high', notice: { topic: 'lease-expired', reservationIds: theirs.slice(0, NOTICE_IDS_TAGGED).map((l) => l.id) } });
    }
  }

  private record(at: number, action: AuditAction, by: string, holder: string, leases: Lease[], reason?: string, via?: string): void {
    const entry: AuditRecord = {
      seq: ++this.auditTotal,
      at,
      action,
      by,
      holder,
      reservationIds: leases.slice(0, AUDIT_PATTERNS_KEPT).map((l) => l.id),
      patterns: leases.slice(0, AUDIT_PATTERNS_KEPT).map((l) => l.pattern),
      count: leases.length,
    };
    if (reason !== undefined) entry.reason = reason;
    if (via !== undefined) entry.via = via;
    this.audit.push(entry);
  }

  /**
   * A request id answers the same request only: reused for another one (other patterns, mode, TTL or
   * reason) it is refused, rather than answered with the first request's grant as if this one had been
   * made. Validators only (read-only), so histories from before replay unchanged.
   */
  private checkSameRequest(holder: string, input: ReturnType<typeof ReserveInput.parse>): void {
    if (input.requestId === undefined) return;
    const known = this.answers.get(answerKey(holder, input.requestId))?.fingerprint;
    if (known !== undefined && known !== requestFingerprint(input)) {
      throw batonFailure('CONFLICT', `requestId: "${input.requestId}" was already used by ${holder} for another reservation request; use a new id for a new request (a retry must send the same request).`, { requestId: input.requestId });
    }
  }

  /**
   * Ids for up to `count` new leases: `r-` + 16 hex. One reserve's share a random 12-hex prefix and
   * count up in the last 4 (the carried table writes the prefix once per group); a prefix whose ids are
   * taken is drawn again. Runs from before grouped ids draw each id on its own.
   */
  private *newIds(count: number): Generator<string, never> {
    const fresh = () => wf.uuid4().replace(/-/g, '');
    if (!this.groupedIds) {
      for (;;) {
        const id = `r-${fresh().slice(0, 16)}`;
        if (!this.leases.has(id)) yield id;
      }
    }
    for (;;) {
      const prefix = fresh().slice(0, 12);
      for (let i = 0; i < Math.min(count, 0x10000); i++) {
        const id = `r-${prefix}${i.toString(16).padStart(4, '0')}`;
        if (this.leases.has(id)) break;
        yield id;
      }
    }
  }

  private view(lease: Lease): Reservation {
    const r: Reservation = {
      id: lease.id,
      project: this.ctx.project,
      holder: lease.holder,
      pattern: lease.pattern,
      exclusive: lease.exclusive,
      reason: lease.reason,
      createdAt: new Date(lease.createdAt).toISOString(),
      expiresAt: new Date(lease.expiresAt).toISOString(),
    };
    if (lease.requestId !== undefined) r.requestId = lease.requestId;
    if (lease.via !== undefined) r.via = lease.via;
    return r;
  }
}

/** The workflow time a lease next needs the book: its warning, if one is due, else its expiry. */
function wakeOf(lease: Lease): number {
  return lease.warnAt !== undefined && lease.warnAt < lease.expiresAt ? lease.warnAt : lease.expiresAt;
}

/** What makes two reserve calls the same request (for request ids): everything but who and when (128 bits of SHA-256). */
function requestFingerprint(input: ReturnType<typeof ReserveInput.parse>): string {
  return shortFingerprint(hashToken(JSON.stringify([input.patterns, input.exclusive, input.ttlSeconds, input.reason, input.allowBroad])));
}

function answerKey(holder: string, requestId: string): string {
  return `${key(holder)}\u0000${requestId}`;
}

/** A notice that lists only some of `total` leases says how many more there are. */
function listedNotice(text: { subject: string; body: string }, total: number): { subject: string; body: string } {
  if (total <= NOTICE_LEASES_LISTED) return text;
  // The subject counts the leases it was given ("20 of your reservations expire ..."): say how many there are.
  return { subject: text.subject.replace(`${NOTICE_LEASES_LISTED} `, `${total} `), body: `${text.body}\n\n(${NOTICE_LEASES_LISTED} of ${total} leases listed: \`baton reservations\` shows them all.)` };
}

/** A holder's lease key for ownByPattern: the holder as keyed, and the pattern as spelled (patternKey). */
function ownKey(holder: string, pattern: string): string {
  return `${key(holder)}\n${patternKey(pattern)}`;
}

/** Appends to a list in a map (a spread per item would copy the list each time: quadratic for 20,000 leases). */
function pushTo<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}
