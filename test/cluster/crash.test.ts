import { randomUUID } from 'node:crypto';
import { BatonApi } from '../../src/api-client';
import { BatonClient } from '../../src/client';
import { connectClient } from '../../src/client/connection';
import { loadConfig } from '../../src/config';
import { member } from '../../src/schemas/actor';
import { BatonFleet } from '../support/baton-fleet';
import { CrashLedger, driveUnderKills, roundReports } from '../support/crash-driver';
import { serversSurface } from '../support/crash-surface';
import { expectInvariants } from '../support/invariants';
import { seededRandom, sleep } from '../support/processes';
import { clusterPaths } from '../../src/server/cluster/layout';
import { ClusterParts, type CrashTarget } from './cluster-parts';

/**
 * The crash suite on the real cluster: the same load and the same invariants as the dev-server crash
 * suite (test/support/crash-driver.ts), but agents and their human act as they do in production, each
 * with its own token through two Baton servers (every call to the next server in turn), served by two
 * Baton workers, while a seeded schedule kill -9s, one at a time, each part a cluster has: a Baton
 * worker, a Baton server, Temporal's history, matching and frontend services, and PostgreSQL (every
 * backend at once; it restarts with crash recovery). Each comes back on the same ports. Afterwards:
 * every registration kept; every reservation granted still held or expired on time (two leases expire
 * under the kills); no two overlapping exclusive leases of different holders, ever; every message
 * delivered exactly once; every approval recorded once; every code review finished; no workflow task
 * failed. Replay a schedule with BATON_CRASH_SEED.
 */
const SEED = Number(process.env.BATON_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TARGETS: CrashTarget[] = ['baton-worker', 'baton-server', 'history', 'matching', 'frontend', 'postgres'];
const EXPIRING_TTL_S = 45;

describe('crash suite on the cluster: kill -9 every kind of process under load', () => {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let fleet: BatonFleet | undefined;
  let baton: BatonClient | undefined;

  afterAll(async () => {
    await fleet?.kill();
    await baton?.temporal.connection.close();
  });

  it(`keeps every registration, reservation and message while each part of the cluster dies (seed ${SEED})`, async () => {
    const rnd = seededRandom(SEED);
    const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
    const config = loadConfig();
    const taskQueue = `cluster-crash-${process.pid}`;
    fleet = await BatonFleet.start({ address: config.address, taskQueue, workers: 2, servers: 2, logDir: clusterPaths(config.home).logs, label: 'crash' });
    baton = new BatonClient(await connectClient(config), { ...config, taskQueue });
    const parts = new ClusterParts(config.home, fleet, say, rnd);

    // Created through the first server before anything dies (the answer carries the human's token once).
    const key = `cluster-crash-${SEED}-${randomUUID().slice(0, 4)}`;
    const created = await new BatonApi({ baseUrl: fleet.urls[0]! }).initProject({ project: key, human: 'alice', settings: { maxHistoryEvents: 600 } });
    const human = { name: created.member.name, actor: member(created.member.name), token: created.token };
    const ledger = new CrashLedger(baton.project(key), serversSurface(fleet.urls, key), human, SEED);
    for (let i = 0; i < 5; i++) await ledger.register(`stream ${i}`);
    await ledger.startReviews(1, 2);

    // Every kind of crash once, in a seeded order.
    const order = [...TARGETS];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    say(`cluster crash suite: seed ${SEED} (replay with BATON_CRASH_SEED=${SEED}); project ${key} through ${ledger.surface.label}; kills in order: ${order.join(', ')}`);
    parts.startedAt = Date.now();
    await ledger.reserveExpiring(ledger.members.slice(0, 2), EXPIRING_TTL_S);
    const killer = async (stopped: () => boolean) => {
      for (const target of order) {
        await sleep(between(4_000, 9_000));
        if (stopped()) return;
        await parts.crash(target, between(1_000, 3_000));
      }
    };
    await driveUnderKills(ledger, 1, killer, () => parts.restore());

    const reports = await roundReports(ledger, baton.temporal, say);
    say(ledger.summary(1));
    expectInvariants(reports, say);
    say(`cluster crash suite: survived ${parts.kills.map((k) => k.target).join(', ')} with ${ledger.acknowledged} acknowledged operations through ${ledger.surface.label}; nothing lost or doubled (seed ${SEED})`);
    expect(parts.kills.map((k) => k.target).sort()).toEqual([...TARGETS].sort());
  }, 900_000);
});
