import fs from 'node:fs';
import path from 'node:path';
import { BatonCluster, seededRandom, sleep, untilAcknowledged } from '../support/processes';
import { mailboxWorkflowId } from '../../src/domain/ids';
import {
  checkAllFinished,
  checkExactlyOnceDelivery,
  checkRecordedOnce,
  checkLeasesDurable,
  checkMembersKept,
  checkNoDoubleExclusiveGrant,
  expectInvariants,
  type GrantedLease,
  type InvariantReport,
  type LeaseFacts,
  type SentMessage,
  type TrailEntry,
} from '../support/invariants';
import type { BatonProjectClient } from '../../src/client';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { Reservation } from '../../src/schemas/reservations';

/**
 * Crash suite: real processes, real kill -9. A Temporal dev server (SQLite file) and a Baton worker run
 * as child processes; each round's project is created on purpose with its human (alice), and a stream
 * of registrations, reservations, releases and messages, and two code reviews alice approves, run
 * against them through the typed client (an operator's: members act by name) while a seeded schedule kills the worker at random points
 * and, separately, the server (restarted on the same file and port). Afterwards the invariants are
 * checked against what every client was told: every registration kept; every reservation granted still
 * held or expired on time (one set expires while the worker is dead); no two overlapping exclusive
 * leases of different holders, ever (replayed from the audit trail); every message sent delivered
 * exactly once (sends retried with their idempotency key); every approval recorded once; every pattern
 * finished; no workflow task of any Baton workflow failed.
 *
 * Fast variant in `npm test` (round 1, about 100 s: 60 s of it is the shortest lease TTL). Longer:
 * BATON_CRASH_ROUNDS=10 adds nine rounds, each a fresh project with a random kill (worker, server or
 * both); every earlier round is checked again at the end. Replay a schedule with BATON_CRASH_SEED.
 */
const ROUNDS = Math.max(1, Number(process.env.BATON_CRASH_ROUNDS ?? 1));
const SEED = Number(process.env.BATON_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EXPIRING_TTL_S = 60;

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

interface Member {
  name: string;
  actor: MemberActor;
}

type KillEvent = { atMs: number; target: 'worker' | 'server' | 'both'; downMs: number };

/** Everything the clients of one project were told. */
class Ledger {
  readonly members: Member[] = [];
  readonly facts = new Map<string, LeaseFacts>();
  readonly granted = new Map<string, GrantedLease>();
  readonly sent: SentMessage[] = [];
  human: Member | undefined;
  /** Pattern runs started, and the approvals the human sent (per run; retries after a kill included). */
  readonly runs: string[] = [];
  readonly approvalsGiven = new Map<string, number>();
  readonly stats = { retries: 0, reserves: 0, grants: 0, conflicts: 0, releases: 0, registrations: 0, messages: 0, deliveries: 0, patternCalls: 0, patternCallsRefused: 0 };

  constructor(readonly project: BatonProjectClient) {}

  noteGrant(reservations: Reservation[]): void {
    for (const r of reservations) {
      this.facts.set(r.id, { id: r.id, holder: r.holder, pattern: r.pattern, exclusive: r.exclusive, expiresAt: r.expiresAt });
      const before = this.granted.get(r.id);
      this.granted.set(r.id, { id: r.id, holder: r.holder, pattern: r.pattern, expiresAt: before && before.expiresAt > r.expiresAt ? before.expiresAt : r.expiresAt, released: before?.released });
    }
  }

  async register(task: string): Promise<Member> {
    // Registration is not idempotent: a retried one may register twice, which is allowed; what must
    // hold is that every acknowledged one is kept.
    const r = await untilAcknowledged(() => this.project.agents.register({ program: 'crash-test', task, contactPolicy: 'open' }), this.stats);
    const m = { name: r.member.name, actor: member(r.member.name) };
    this.members.push(m);
    this.stats.registrations++;
    return m;
  }
}

describe('crash suite: kill -9 the worker and the server under load', () => {
  let cluster: BatonCluster | undefined;
  const say = (line: string) => process.stdout.write(`${line}\n`);

  afterAll(async () => {
    await cluster?.close();
  });

  it(
    `keeps every registration, reservation and message across kills (seed ${SEED}, ${ROUNDS} round(s))`,
    async () => {
      const rnd = seededRandom(SEED);
      const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
      say(`crash suite: seed ${SEED} (replay with BATON_CRASH_SEED=${SEED}), ${ROUNDS} round(s)`);
      cluster = await BatonCluster.start({ name: 'crash', log: say });
      const c = cluster;
      const ledgers: Ledger[] = [];

      for (let round = 1; round <= ROUNDS; round++) {
        // Created on purpose with its human; a small maxHistoryEvents makes the project and mailboxes
        // continue-as-new under the kills too. An earlier round's kills may still be settling: retried.
        const key = `crash-${SEED}-r${round}`;
        const created = await untilAcknowledged(() => createOnce(c, key), { retries: 0 });
        const ledger = new Ledger(c.baton.project(key));
        ledger.human = { name: created, actor: member(created) };
        ledgers.push(ledger);
        for (let i = 0; i < 5; i++) await ledger.register(`stream ${i}`);
        // Code reviews the human approves: started now, driven while the kills happen.
        for (let i = 0; i < 2; i++) {
          const run = await ledger.project.patterns.start('code-review', {
            id: `review-${SEED}-r${round}-${i}`,
            title: `Crash review ${i}`,
            author: ledger.members[i]!.name,
            reviewer: 'alice',
            task: 'implement the change, then merge it after approval',
            files: [`reviewed/${round}/${i}/**`],
          }, { startedBy: created });
          ledger.runs.push(run.workflowId);
        }

        const t0 = Date.now();
        c.startedAt = t0;
        const events: KillEvent[] = [];
        const expiring: GrantedLease[] = [];
        if (round === 1) {
          // Leases that expire while the worker is dead.
          for (const m of ledger.members.slice(0, 2)) {
            const res = await ledger.project.reservations.reserve({ actor: m.actor, patterns: [`expiring/${m.name}.ts`], ttlSeconds: EXPIRING_TTL_S, reason: 'expires while the worker is dead', requestId: `exp-${m.name}` });
            if (res.status !== 'granted') throw new Error('expiring lease not granted');
            ledger.noteGrant(res.reservations);
            expiring.push(...res.reservations.map((r) => ledger.granted.get(r.id)!));
          }
          const expiresAt = Math.max(...expiring.map((l) => Date.parse(l.expiresAt)));
          events.push({ atMs: between(3_000, 10_000), target: 'worker', downMs: between(500, 3_000) });
          events.push({ atMs: between(22_000, 32_000), target: 'server', downMs: between(1_000, 4_000) });
          events.push({ atMs: expiresAt - t0 - 3_000, target: 'worker', downMs: 5_000 });
        } else {
          const pick = rnd();
          events.push({ atMs: between(2_000, 8_000), target: pick < 0.45 ? 'worker' : pick < 0.8 ? 'server' : 'both', downMs: between(200, 4_000) });
        }
        say(`round ${round}: project ${ledger.project.key}; schedule: ${events.map((e) => `${e.target} at +${(e.atMs / 1000).toFixed(1)}s down ${(e.downMs / 1000).toFixed(1)}s`).join('; ')}`);

        let streaming = true;
        const killer = (async () => {
          try {
            for (const e of events) {
              const wait = t0 + e.atMs - Date.now();
              if (wait > 0) await sleep(wait);
              if (e.target === 'worker') await c.killWorker(e.downMs);
              else if (e.target === 'server') await c.killServer(e.downMs);
              else await c.killBoth(e.downMs);
            }
            await sleep(3_000);
          } finally {
            streaming = false;
          }
        })();
        await Promise.all([killer, ...[0, 1, 2].map((lane) => stream(ledger, lane, round, () => streaming)), ...ledger.runs.map((id) => drivePattern(ledger, id, () => streaming))]);
        await c.ensureRunning();
        // Let the patterns finish now that nothing is killed any more.
        await Promise.all(ledger.runs.map((id) => drivePattern(ledger, id, () => true, Date.now() + 90_000)));

        await untilAcknowledged(() => ledger.project.ping(), ledger.stats);
        const reports = await collectReports(ledger);
        if (expiring.length) {
          // The short leases expired on time (while the worker was dead) and their files are free again.
          const retaker = ledger.members[4]!;
          const retake = await ledger.project.reservations.reserve({ actor: retaker.actor, patterns: expiring.map((l) => l.pattern), ttlSeconds: 60, reason: 'after expiry', requestId: 'retake' });
          if (retake.status === 'granted') ledger.noteGrant(retake.reservations);
          reports.push({
            name: `leases expiring while the worker was dead are free again after ${EXPIRING_TTL_S}s`,
            checked: expiring.length,
            violations: retake.status === 'granted' ? [] : [`could not retake expired patterns: ${JSON.stringify(retake.conflicts)}`],
          });
        }
        reports.push(...(await patternReports(ledger)));
        if (round === 1 && process.env.BATON_RECORD_HISTORIES === '1') await recordFixtures(c, ledger);
        reports.push(await noFailedWorkflowTasks(c, ledger.project.key));
        const s = ledger.stats;
        say(
          `round ${round}: ${s.reserves} reserves (${s.grants} granted, ${s.conflicts} conflicts), ${s.releases} releases, ${s.messages} messages ` +
            `(${s.deliveries} deliveries), ${s.registrations} registrations, ${ledger.runs.length} code reviews (${s.patternCalls} reports/approvals, ${s.patternCallsRefused} refused or failed mid-kill and retried), ` +
            `${s.retries} retries while processes were down`,
        );
        expectInvariants(reports, say);
      }

      if (ROUNDS > 1) {
        say('after all rounds: every earlier project checked again (later kills lost nothing)');
        expectInvariants((await Promise.all(ledgers.map((l) => collectReports(l)))).flat(), say);
      }
      const workerKills = c.kills.filter((k) => k.target === 'worker').length;
      const serverKills = c.kills.filter((k) => k.target === 'server').length;
      const total = ledgers.reduce((n, l) => n + l.stats.reserves + l.stats.releases + l.stats.messages + l.stats.registrations, 0);
      say(`crash suite: survived ${workerKills} worker kill(s) and ${serverKills} server kill(s) with ${total} acknowledged operations; nothing lost or doubled (seed ${SEED})`);
      expect(workerKills + serverKills).toBeGreaterThanOrEqual(ROUNDS === 1 ? 3 : ROUNDS + 2);
    },
    (240 + ROUNDS * 60) * 1000,
  );
});

/**
 * `baton init` for a round's project, safe to retry: a first attempt cut off by a kill may have started
 * the workflow, which a retry then finds running (ALREADY_EXISTS) with its founder. Returns the human.
 */
async function createOnce(cluster: BatonCluster, key: string): Promise<string> {
  try {
    return (await cluster.baton.initProject(key, { human: 'alice', settings: { maxHistoryEvents: 600 } })).member.name;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ALREADY_EXISTS') throw err;
    const alice = await cluster.baton.project(key).agents.get('alice');
    if (alice.kind !== 'human') throw err;
    return alice.name;
  }
}

/** One lane of load: random members reserve, release, message and register; every call idempotent and retried until acknowledged. */
async function stream(ledger: Ledger, lane: number, round: number, running: () => boolean): Promise<void> {
  const rnd = seededRandom(SEED * 31 + round * 7 + lane);
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
      const res = await untilAcknowledged(
        () => ledger.project.reservations.reserve({ actor: member.actor, patterns: [choice.pattern], exclusive: choice.exclusive, ttlSeconds: 3600, reason: 'crash stream', requestId: key }),
        ledger.stats,
      );
      if (res.status === 'granted') {
        ledger.stats.grants++;
        ledger.noteGrant(res.reservations);
        for (const r of res.reservations) if (!mine.includes(r.id)) mine.push(r.id);
      } else ledger.stats.conflicts++;
    } else if (roll < 0.7) {
      if (mine.length === 0) continue;
      const id = mine.splice(Math.floor(rnd() * mine.length), 1)[0]!;
      const res = await untilAcknowledged(() => ledger.project.reservations.release({ actor: member.actor, ids: [id] }), ledger.stats);
      ledger.stats.releases++;
      for (const r of res.released) ledger.granted.get(r.id)!.released = true;
    } else if (roll < 0.97) {
      const others = ledger.members.filter((m) => m !== member);
      const broadcast = rnd() < 0.1;
      const to = [...new Set([others[Math.floor(rnd() * others.length)]!.name, others[Math.floor(rnd() * others.length)]!.name])];
      const request = { subject: `crash ${key}`, body: `body of ${key} `.repeat(1 + Math.floor(rnd() * 20)), idempotencyKey: key };
      const res = await untilAcknowledged(() => (broadcast ? ledger.project.messages.broadcast(member.actor, request) : ledger.project.messages.send(member.actor, { ...request, to })), ledger.stats);
      ledger.sent.push({ messageId: res.messageId, deliveredTo: res.deliveredTo });
      ledger.stats.messages++;
      ledger.stats.deliveries += res.deliveredTo.length;
    } else {
      await ledger.register(`late ${lane}`);
    }
    await sleep(20 + rnd() * 80);
  }
}

async function collectReports(ledger: Ledger): Promise<InvariantReport[]> {
  const project = ledger.project;
  const trail = await project.reservations.audit({ limit: 1000 });
  const listed = await project.reservations.list({ limit: 10_000 });
  const members = await project.agents.list();
  const now = Date.now();
  const inboxes = new Map<string, { id: string; from: string }[]>();
  for (const m of [...ledger.members, ...(ledger.human ? [ledger.human] : [])]) {
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
 * workflows (non-determinism or a thrown bug would). Runs are found by the BatonProject search attribute.
 */
async function noFailedWorkflowTasks(cluster: BatonCluster, projectKey: string): Promise<InvariantReport> {
  const violations: string[] = [];
  let events = 0;
  let runs = 0;
  // Visibility is eventually consistent: wait until the current runs of the project and every mailbox are listed.
  const deadline = Date.now() + 15_000;
  let executions: { workflowId: string; runId: string; type: string }[] = [];
  do {
    executions = [];
    for await (const e of cluster.temporal.workflow.list({ query: `BatonProject = "${projectKey}"` })) executions.push({ workflowId: e.workflowId, runId: e.runId, type: e.type });
    if (executions.some((e) => e.type === 'projectWorkflow')) break;
    await sleep(500);
  } while (Date.now() < deadline);
  for (const e of executions) {
    runs++;
    const history = await cluster.temporal.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
    for (const ev of history.events ?? []) {
      events++;
      if (ev.workflowTaskFailedEventAttributes) violations.push(`${e.workflowId} run ${e.runId}: workflow task failed: ${ev.workflowTaskFailedEventAttributes.failure?.message ?? '?'}`);
    }
  }
  const types = [...new Set(executions.map((e) => e.type))].join(', ');
  if (runs === 0) violations.push(`no workflow of project ${projectKey} found by its search attribute`);
  return { name: `no workflow task failed (${runs} runs of ${types}; ${events} events)`, checked: events, violations };
}

/**
 * Drives a code review the way its members would, from its status: the author reports done, the human
 * approves, the author merges and reports done. Calls made while processes die may fail or land twice
 * (an approval retried after the server came back); the workflow must record each decision once.
 */
async function drivePattern(ledger: Ledger, workflowId: string, running: () => boolean, deadline = Number.POSITIVE_INFINITY): Promise<void> {
  const patterns = ledger.project.patterns;
  const human = ledger.human!;
  while (running() && Date.now() < deadline) {
    const status = await patterns.status(workflowId).catch(() => undefined);
    if (status && status.state !== 'running') return;
    if (status?.decision) {
      ledger.stats.patternCalls++;
      // Given from the moment it is sent: a call cut off by a kill may still have landed.
      ledger.approvalsGiven.set(workflowId, (ledger.approvalsGiven.get(workflowId) ?? 0) + 1);
      try {
        await patterns.approve(workflowId, { name: human.name }, 'approved under fire');
      } catch {
        ledger.stats.patternCallsRefused++;
      }
    } else if (status) {
      for (const a of status.assigned) {
        const author = ledger.members.find((m) => m.name.toLowerCase() === a.agent.toLowerCase());
        if (!author || !a.accepts.includes('done')) continue;
        ledger.stats.patternCalls++;
        try {
          await patterns.done(workflowId, { name: author.name }, { summary: `finished the ${a.step} step of the crash review`, handoff: { whatWasDone: `implemented the ${a.step} step and committed the reviewed files with tests`, where: ['reviewed/'], howToTest: 'run npm test and read the reviewed files' } });
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
async function patternReports(ledger: Ledger): Promise<InvariantReport[]> {
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
 * BATON_RECORD_HISTORIES=1: saves histories written under kills (workflow task timeouts, continue-as-new,
 * retried deliveries) as replay fixtures for test/replay (the fixture folder's naming convention).
 */
async function recordFixtures(cluster: BatonCluster, ledger: Ledger): Promise<void> {
  const dir = path.join(__dirname, '..', 'replay', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  const save = async (workflowId: string, name: string) => {
    const handle = cluster.temporal.workflow.getHandle(workflowId);
    const type = (await handle.describe()).type;
    fs.writeFileSync(path.join(dir, `${type}--${name}.json`), JSON.stringify(await handle.fetchHistory(), null, 1) + '\n');
  };
  await save(ledger.project.channel.workflowId, 'crash-kills');
  await save(mailboxWorkflowId(ledger.project.key, ledger.members[1]!.name), 'crash-kills');
  await save(ledger.runs[0]!, 'crash-kills-approved');
}

/**
 * Leases a pattern workflow took for its steps were answered to the workflow, not to a client: take them
 * from the audit entries the workflow wrote (`via` one of this ledger's runs; ids and patterns are
 * listed in the same order), counted as exclusive, which only makes the check stricter.
 */
function withPatternGrants(ledger: Ledger, entries: TrailEntry[]): Map<string, LeaseFacts> {
  const facts = new Map(ledger.facts);
  for (const e of entries) {
    if (e.action !== 'grant' || !e.via || !ledger.runs.includes(e.via)) continue;
    e.reservationIds.forEach((id, i) => facts.set(id, { id, holder: e.holder, pattern: e.patterns[i]!, exclusive: true }));
  }
  return facts;
}
