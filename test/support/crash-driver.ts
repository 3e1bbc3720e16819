import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { BatonProjectClient } from '../../src/client';
import type { Reservation } from '../../src/schemas/reservations';
import type { CrashMember, CrashSurface } from './crash-surface';
import {
  checkAllFinished,
  checkExactlyOnceDelivery,
  checkLeasesDurable,
  checkMembersKept,
  checkNoDoubleExclusiveGrant,
  checkRecordedOnce,
  type GrantedLease,
  type InvariantReport,
  type LeaseFacts,
  type SentMessage,
  type TrailEntry,
} from './invariants';
import { seededRandom, sleep, untilAcknowledged } from './processes';

/**
 * The crash suites' load and their checks, shared by the dev-server suite (test/durability/crash.test.ts)
 * and the cluster suite (test/cluster/crash.test.ts), which differ only in what they kill and in how
 * the load reaches Baton (a CrashSurface). Per round: a project with its human, members streaming
 * reservations, releases, messages and registrations in three lanes, and code reviews the human
 * approves, all while a kill schedule runs; afterwards every invariant is checked against what the
 * clients were told.
 */

/** Patterns the stream fights over: nested, brace and wildcard overlaps; some shared (fixed per pattern). */
const POOL: { pattern: string; exclusive: boolean }[] = [
  { pattern: 'src/api/**', exclusive: true },
  { pattern: 'src/api/users.ts', exclusive: true },
  { pattern: 'src/api/*.ts', exclusive: true },
  { pattern: 'src/{api,web}/index.ts', exclusive: true },
  { pattern: 'src/web/index.ts', exclusive: true },
  { pattern: 'src/web/components/**', exclusive: true },
  { pattern: 'src/web/components/button.tsx', exclusive: true },
  { pattern: 'docs/*.md', exclusive: false },
  { pattern: 'docs/intro.md', exclusive: false },
  { pattern: 'package.json', exclusive: true },
];

/** Everything the clients of one project were told. */
export class CrashLedger {
  readonly members: CrashMember[] = [];
  readonly facts = new Map<string, LeaseFacts>();
  readonly granted = new Map<string, GrantedLease>();
  readonly sent: SentMessage[] = [];
  /** Leases taken to expire during the round, checked free again at its end. */
  readonly expiring: GrantedLease[] = [];
  /** Pattern runs started, and the approvals the human sent (per run; retries after a kill included). */
  readonly runs: string[] = [];
  readonly approvalsGiven = new Map<string, number>();
  readonly stats = { retries: 0, reserves: 0, grants: 0, conflicts: 0, releases: 0, registrations: 0, messages: 0, deliveries: 0, patternCalls: 0, patternCallsRefused: 0 };

  /**
   * `project` is the operator's client the checks read through; `surface` carries the load; `seed`
   * fixes every random choice of the lanes.
   */
  constructor(
    readonly project: BatonProjectClient,
    readonly surface: CrashSurface,
    readonly human: CrashMember,
    readonly seed: number,
  ) {}

  noteGrant(reservations: Reservation[]): void {
    for (const r of reservations) {
      this.facts.set(r.id, { id: r.id, holder: r.holder, pattern: r.pattern, exclusive: r.exclusive, expiresAt: r.expiresAt });
      const before = this.granted.get(r.id);
      this.granted.set(r.id, { id: r.id, holder: r.holder, pattern: r.pattern, expiresAt: before && before.expiresAt > r.expiresAt ? before.expiresAt : r.expiresAt, released: before?.released });
    }
  }

  async register(task: string): Promise<CrashMember> {
    // Registration is not idempotent: a retried one may register twice, which is allowed; what must
    // hold is that every acknowledged one is kept.
    const m = await untilAcknowledged(() => this.surface.register(task), this.stats);
    this.members.push(m);
    this.stats.registrations++;
    return m;
  }

  /** Starts `count` code reviews the human approves, authored by the first members (register them first). */
  async startReviews(round: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const workflowId = await this.surface.startReview(this.human, {
        id: `review-${this.seed}-r${round}-${i}`,
        title: `Crash review ${i}`,
        author: this.members[i]!.name,
        reviewer: this.human.name,
        task: 'implement the change, then merge it after approval',
        files: [`reviewed/${round}/${i}/**`],
      });
      this.runs.push(workflowId);
    }
  }

  /** Each of `holders` takes a lease that expires after `ttlSeconds`, during the round's kills. */
  async reserveExpiring(holders: CrashMember[], ttlSeconds: number): Promise<GrantedLease[]> {
    for (const m of holders) {
      const res = await this.surface.reserve(m, { patterns: [`expiring/${m.name}.ts`], ttlSeconds, reason: 'expires during the kills', requestId: `exp-${m.name}` });
      if (res.status !== 'granted') throw new Error(`expiring lease not granted: ${JSON.stringify(res.conflicts)}`);
      this.noteGrant(res.reservations);
      this.expiring.push(...res.reservations.map((r) => this.granted.get(r.id)!));
    }
    return this.expiring;
  }

  summary(round: number): string {
    const s = this.stats;
    return (
      `round ${round}: ${s.reserves} reserves (${s.grants} granted, ${s.conflicts} conflicts), ${s.releases} releases, ${s.messages} messages ` +
      `(${s.deliveries} deliveries), ${s.registrations} registrations, ${this.runs.length} code reviews (${s.patternCalls} reports/approvals, ${s.patternCallsRefused} refused or failed mid-kill and retried), ` +
      `${s.retries} retries while processes were down`
    );
  }

  /** Acknowledged operations of every kind (for the closing line). */
  get acknowledged(): number {
    const s = this.stats;
    return s.reserves + s.releases + s.messages + s.registrations;
  }
}

/**
 * Runs three lanes of load and drives the code reviews while `killer` runs (it returns once its
 * schedule is done, and checks `stopped()` before each kill: a lane that failed ends the round), then
 * `afterKills` (make sure every process runs again), then lets the reviews finish now that nothing
 * dies any more. A failed lane's error is thrown once the killer is done, so no kill outlives the test.
 */
export async function driveUnderKills(ledger: CrashLedger, round: number, killer: (stopped: () => boolean) => Promise<void>, afterKills: () => Promise<void> = async () => undefined): Promise<void> {
  let streaming = true;
  let failed = false;
  const kills = (async () => {
    try {
      await killer(() => failed);
      if (!failed) await sleep(3_000);
    } finally {
      streaming = false;
    }
  })();
  const load = [...[0, 1, 2].map((lane) => stream(ledger, lane, round, () => streaming)), ...ledger.runs.map((id) => drivePattern(ledger, id, () => streaming))].map((p) =>
    p.catch((err: unknown) => {
      failed = true;
      streaming = false;
      throw err;
    }),
  );
  const outcomes = await Promise.allSettled([kills, ...load]);
  await afterKills();
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  await Promise.all(ledger.runs.map((id) => drivePattern(ledger, id, () => true, Date.now() + 90_000)));
}

/** Every invariant of one round's project: members, leases, exclusivity, delivery, expiry, patterns, workflow tasks. */
export async function roundReports(ledger: CrashLedger, temporal: Client, log: (line: string) => void = () => undefined): Promise<InvariantReport[]> {
  await untilAcknowledged(() => ledger.project.ping(), ledger.stats);
  const drained = await deliveriesDrained(ledger.project);
  log(`  ${drained.pending} message(s) were still being delivered when the checks began; the delivery queue was empty ${(drained.ms / 1000).toFixed(1)}s later`);
  const reports = await collectReports(ledger);
  if (ledger.expiring.length) {
    // The short leases expired on time (under the kills) and their files are free again.
    const retaker = ledger.members[4]!;
    const retake = await ledger.surface.reserve(retaker, { patterns: ledger.expiring.map((l) => l.pattern), ttlSeconds: 60, reason: 'after expiry', requestId: 'retake' });
    if (retake.status === 'granted') ledger.noteGrant(retake.reservations);
    reports.push({
      name: 'leases that expired under the kills are free again',
      checked: ledger.expiring.length,
      violations: retake.status === 'granted' ? [] : [`could not retake expired patterns: ${JSON.stringify(retake.conflicts)}`],
    });
  }
  reports.push(...(await patternReports(ledger)));
  reports.push(await noFailedWorkflowTasks(temporal, ledger.project.key));
  return reports;
}

/**
 * A send returns once the project recorded the message; delivery to mailboxes follows (one activity
 * per message). One in flight when a worker died is retried after its heartbeat timeout (30 s), so
 * inboxes are read once the project's delivery queue is empty. Waits at most 3 minutes (then the
 * exactly-once check reports what is missing).
 */
async function deliveriesDrained(project: BatonProjectClient): Promise<{ ms: number; pending: number }> {
  const started = Date.now();
  const pendingNow = async () => {
    const modules = (await project.describe()).modules as { messages?: { pendingDeliveries?: number } };
    return modules.messages?.pendingDeliveries ?? 0;
  };
  const first = await pendingNow();
  for (let pending = first; pending > 0 && Date.now() - started < 180_000; pending = await pendingNow()) await sleep(500);
  return { ms: Date.now() - started, pending: first };
}

/** One lane of load: random members reserve, release, message and register; every call idempotent and retried until acknowledged. */
async function stream(ledger: CrashLedger, lane: number, round: number, running: () => boolean): Promise<void> {
  const rnd = seededRandom(ledger.seed * 31 + round * 7 + lane);
  const surface = ledger.surface;
  const held = new Map<string, string[]>();
  let seq = 0;
  while (running()) {
    const member = ledger.members[Math.floor(rnd() * ledger.members.length)]!;
    const mine = held.get(member.name) ?? [];
    held.set(member.name, mine);
    const roll = rnd();
    const key = `r${round}-l${lane}-${seq++}`;
    if (roll < 0.45) {
      const choice = POOL[Math.floor(rnd() * POOL.length)]!;
      ledger.stats.reserves++;
      const res = await untilAcknowledged(() => surface.reserve(member, { patterns: [choice.pattern], exclusive: choice.exclusive, ttlSeconds: 3600, reason: 'crash stream', requestId: key }), ledger.stats);
      if (res.status === 'granted') {
        ledger.stats.grants++;
        ledger.noteGrant(res.reservations);
        for (const r of res.reservations) if (!mine.includes(r.id)) mine.push(r.id);
      } else ledger.stats.conflicts++;
    } else if (roll < 0.7) {
      if (mine.length === 0) continue;
      const id = mine.splice(Math.floor(rnd() * mine.length), 1)[0]!;
      const res = await untilAcknowledged(() => surface.release(member, [id]), ledger.stats);
      ledger.stats.releases++;
      for (const r of res.released) ledger.granted.get(r.id)!.released = true;
    } else if (roll < 0.97) {
      const others = ledger.members.filter((m) => m !== member);
      const broadcast = rnd() < 0.1;
      const to = [...new Set([others[Math.floor(rnd() * others.length)]!.name, others[Math.floor(rnd() * others.length)]!.name])];
      const message = { subject: `crash ${key}`, body: `body of ${key} `.repeat(1 + Math.floor(rnd() * 20)), idempotencyKey: key };
      const res = await untilAcknowledged(() => (broadcast ? surface.broadcast(member, message) : surface.send(member, to, message)), ledger.stats);
      ledger.sent.push({ messageId: res.messageId, deliveredTo: res.deliveredTo });
      ledger.stats.messages++;
      ledger.stats.deliveries += res.deliveredTo.length;
    } else {
      await ledger.register(`late ${lane}`);
    }
    await sleep(20 + rnd() * 80);
  }
}

/** Reads every project again through the operator's client: members kept, leases durable, no double grant, each message delivered once. */
export async function collectReports(ledger: CrashLedger): Promise<InvariantReport[]> {
  const project = ledger.project;
  const trail = await project.reservations.audit({ limit: 1000 });
  const listed = await project.reservations.list({ limit: 10_000 });
  const members = await project.agents.list();
  const now = Date.now();
  const inboxes = new Map<string, { id: string; from: string }[]>();
  for (const m of [...ledger.members, ledger.human]) {
    const page = await project.messages.inbox(m.actor, { limit: 500 });
    if (page.total > page.items.length) throw new Error(`${m.name} has ${page.total} messages, more than one page; lower the load per round`);
    inboxes.set(m.name, page.items);
  }
  return [
    checkMembersKept(
      ledger.members.map((m) => m.name),
      members.map((m) => m.name),
    ),
    checkLeasesDurable([...ledger.granted.values()], listed.reservations, trail.entries, now),
    checkNoDoubleExclusiveGrant(trail, withPatternGrants(ledger, trail.entries)),
    checkExactlyOnceDelivery(ledger.sent, inboxes, new Set(ledger.members.map((m) => m.name.toLowerCase()))),
  ];
}

/**
 * Kills time workflow tasks out (expected); none may fail, in any run of the project or mailbox
 * workflows (non-determinism or a thrown bug would), except as the server's UnhandledCommand answer. Runs are found by the BatonProject search attribute.
 */
async function noFailedWorkflowTasks(temporal: Client, projectKey: string): Promise<InvariantReport> {
  const violations: string[] = [];
  let events = 0;
  let runs = 0;
  let raced = 0;
  // Visibility is eventually consistent: wait until the current runs of the project and every mailbox are listed.
  const deadline = Date.now() + 15_000;
  let executions: { workflowId: string; runId: string; type: string }[] = [];
  do {
    executions = [];
    for await (const e of temporal.workflow.list({ query: `BatonProject = "${projectKey}"` })) executions.push({ workflowId: e.workflowId, runId: e.runId, type: e.type });
    if (executions.some((e) => e.type === 'projectWorkflow')) break;
    await sleep(500);
  } while (Date.now() < deadline);
  for (const e of executions) {
    runs++;
    const history = await temporal.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
    for (const ev of history.events ?? []) {
      events++;
      const failure = ev.workflowTaskFailedEventAttributes;
      if (!failure) continue;
      // The server's own answer to a completion that raced new events (a continue-as-new while updates
      // or signals arrived): the worker runs the task again with them. Not the workflow's failure.
      if (failure.cause === proto.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND) raced++;
      else violations.push(`${e.workflowId} run ${e.runId}: workflow task failed: ${failure.failure?.message ?? '?'}`);
    }
  }
  const types = [...new Set(executions.map((e) => e.type))].join(', ');
  if (runs === 0) violations.push(`no workflow of project ${projectKey} found by its search attribute`);
  const races = raced ? `; ${raced} completion(s) raced by new events and run again (UnhandledCommand)` : '';
  return { name: `no workflow task failed (${runs} runs of ${types}; ${events} events${races})`, checked: events, violations };
}

/**
 * Drives a code review the way its members would, from its status: the author reports done, the human
 * approves, the author merges and reports done. Calls made while processes die may fail or land twice
 * (an approval retried after the server came back); the workflow must record each decision once.
 */
async function drivePattern(ledger: CrashLedger, workflowId: string, running: () => boolean, deadline = Number.POSITIVE_INFINITY): Promise<void> {
  const surface = ledger.surface;
  const human = ledger.human;
  while (running() && Date.now() < deadline) {
    const status = await surface.status(human, workflowId).catch(() => undefined);
    if (status && status.state !== 'running') return;
    if (status?.decision) {
      ledger.stats.patternCalls++;
      // Given from the moment it is sent: a call cut off by a kill may still have landed.
      ledger.approvalsGiven.set(workflowId, (ledger.approvalsGiven.get(workflowId) ?? 0) + 1);
      try {
        await surface.approve(human, workflowId, 'approved under fire');
      } catch {
        ledger.stats.patternCallsRefused++;
      }
    } else if (status) {
      for (const a of status.assigned) {
        const author = ledger.members.find((m) => m.name.toLowerCase() === a.agent.toLowerCase());
        if (!author || !a.accepts.includes('done')) continue;
        ledger.stats.patternCalls++;
        try {
          await surface.done(author, workflowId, {
            summary: `finished the ${a.step} step of the crash review`,
            handoff: { whatWasDone: `implemented the ${a.step} step and committed the reviewed files with tests`, where: ['reviewed/'], howToTest: 'run npm test and read the reviewed files' },
          });
        } catch {
          ledger.stats.patternCallsRefused++;
        }
      }
    }
    // Members take their time (5-15 s a step) while the kills happen, so reports and approvals straddle them.
    await sleep(deadline === Number.POSITIVE_INFINITY ? 5_000 + Math.random() * 10_000 : 400);
  }
}

/** Every code review finished, and each recorded exactly one approval (the one the human gave). */
async function patternReports(ledger: CrashLedger): Promise<InvariantReport[]> {
  const runs: { id: string; status: string }[] = [];
  const given: string[] = [];
  const recorded: string[] = [];
  for (const id of ledger.runs) {
    const status = await ledger.project.patterns.status(id);
    runs.push({ id, status: status.state === 'completed' ? 'COMPLETED' : status.state.toUpperCase() });
    if ((ledger.approvalsGiven.get(id) ?? 0) > 0) given.push(id);
    for (const t of status.timeline) if (t.kind === 'approved') recorded.push(id);
  }
  return [checkAllFinished(runs), checkRecordedOnce('approval', given, recorded)];
}

/**
 * Leases a pattern workflow took for its steps were answered to the workflow, not to a client: take them
 * from the audit entries the workflow wrote (`via` one of this ledger's runs; ids and patterns are
 * listed in the same order), counted as exclusive, which only makes the check stricter.
 */
function withPatternGrants(ledger: CrashLedger, entries: TrailEntry[]): Map<string, LeaseFacts> {
  const facts = new Map(ledger.facts);
  for (const e of entries) {
    if (e.action !== 'grant' || !e.via || !ledger.runs.includes(e.via)) continue;
    e.reservationIds.forEach((id, i) => facts.set(id, { id, holder: e.holder, pattern: e.patterns[i]!, exclusive: true }));
  }
  return facts;
}
