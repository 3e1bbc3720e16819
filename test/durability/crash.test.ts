import fs from 'node:fs';
import path from 'node:path';
import { BatonCluster, seededRandom, sleep, untilAcknowledged } from '../support/processes';
import { CrashLedger, driveUnderKills, collectReports, roundReports } from '../support/crash-driver';
import { operatorSurface } from '../support/crash-surface';
import { expectInvariants } from '../support/invariants';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { member } from '../../src/schemas/actor';

/**
 * Crash suite: real processes, real kill -9. A Temporal dev server (SQLite file) and a Baton worker run
 * as child processes; each round's project is created on purpose with its human (alice), and a stream
 * of registrations, reservations, releases and messages, and two code reviews alice approves, run
 * against them through the typed client (an operator's: members act by name) while a seeded schedule
 * kills the worker at random points
 * and, separately, the server (restarted on the same file and port). Afterwards the invariants are
 * checked against what every client was told (the load and the checks live in test/support/crash-driver.ts,
 * shared with the cluster's crash suite): every registration kept; every reservation granted still
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

type KillEvent = { atMs: number; target: 'worker' | 'server' | 'both'; downMs: number };

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
      const ledgers: CrashLedger[] = [];

      for (let round = 1; round <= ROUNDS; round++) {
        // Created on purpose with its human; a small maxHistoryEvents makes the project and mailboxes
        // continue-as-new under the kills too. An earlier round's kills may still be settling: retried.
        const key = `crash-${SEED}-r${round}`;
        const created = await untilAcknowledged(() => createOnce(c, key), { retries: 0 });
        const project = c.baton.project(key);
        const ledger = new CrashLedger(project, operatorSurface(project), { name: created, actor: member(created) }, SEED);
        ledgers.push(ledger);
        for (let i = 0; i < 5; i++) await ledger.register(`stream ${i}`);
        // Code reviews the human approves: started now, driven while the kills happen.
        await ledger.startReviews(round, 2);

        const t0 = Date.now();
        c.startedAt = t0;
        const events: KillEvent[] = [];
        if (round === 1) {
          // Leases that expire while the worker is dead.
          const expiring = await ledger.reserveExpiring(ledger.members.slice(0, 2), EXPIRING_TTL_S);
          const expiresAt = Math.max(...expiring.map((l) => Date.parse(l.expiresAt)));
          events.push({ atMs: between(3_000, 10_000), target: 'worker', downMs: between(500, 3_000) });
          events.push({ atMs: between(22_000, 32_000), target: 'server', downMs: between(1_000, 4_000) });
          events.push({ atMs: expiresAt - t0 - 3_000, target: 'worker', downMs: 5_000 });
        } else {
          const pick = rnd();
          events.push({ atMs: between(2_000, 8_000), target: pick < 0.45 ? 'worker' : pick < 0.8 ? 'server' : 'both', downMs: between(200, 4_000) });
        }
        say(`round ${round}: project ${ledger.project.key}; schedule: ${events.map((e) => `${e.target} at +${(e.atMs / 1000).toFixed(1)}s down ${(e.downMs / 1000).toFixed(1)}s`).join('; ')}`);

        const killer = async (stopped: () => boolean) => {
          for (const e of events) {
            const wait = t0 + e.atMs - Date.now();
            if (wait > 0) await sleep(wait);
            if (stopped()) return;
            if (e.target === 'worker') await c.killWorker(e.downMs);
            else if (e.target === 'server') await c.killServer(e.downMs);
            else await c.killBoth(e.downMs);
          }
        };
        await driveUnderKills(ledger, round, killer, () => c.ensureRunning());

        const reports = await roundReports(ledger, c.temporal, say);
        if (round === 1 && process.env.BATON_RECORD_HISTORIES === '1') await recordFixtures(c, ledger);
        say(ledger.summary(round));
        expectInvariants(reports, say);
      }

      if (ROUNDS > 1) {
        say('after all rounds: every earlier project checked again (later kills lost nothing)');
        expectInvariants((await Promise.all(ledgers.map((l) => collectReports(l)))).flat(), say);
      }
      const workerKills = c.kills.filter((k) => k.target === 'worker').length;
      const serverKills = c.kills.filter((k) => k.target === 'server').length;
      const total = ledgers.reduce((n, l) => n + l.acknowledged, 0);
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

/**
 * BATON_RECORD_HISTORIES=1: saves histories written under kills (workflow task timeouts, continue-as-new,
 * retried deliveries) as replay fixtures for test/replay (the fixture folder's naming convention).
 */
async function recordFixtures(cluster: BatonCluster, ledger: CrashLedger): Promise<void> {
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
