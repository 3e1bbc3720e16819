import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pc from 'picocolors';
import { loadConfig, type BatonConfig } from '../src/config';
import { BatonClient, type BatonProjectClient } from '../src/client';
import type { ProjectSettingsInput } from '../src/schemas/project';
import { startDevServer } from '../src/server/dev-server';
import { startCluster, stopCluster } from '../src/server/cluster/cluster';
import { createBatonWorker } from '../src/worker';
import { startApi } from '../src/api/main';
import { installRuntimeLog } from '../src/runtime-log';
import { BatonFleet } from '../test/support/baton-fleet';
import * as reservations from './reservations';
import * as messages from './messages';
import * as patterns from './patterns';
import * as cli from './cli';
import * as throughput from './throughput';
import * as mcpTools from './mcp-tools';
import * as hooks from './hooks';
import { DEFAULT_BATCH_OPTIONS, type BatcherStats } from '../src/client/batcher';

/**
 * `npm run bench`: starts its own Temporal dev server (in memory, random port, Temporal's default dynamic
 * config: 10 in-flight updates per workflow, as on Temporal Cloud), a Baton worker and a Baton server, then
 * runs each benchmark module in turn. Figures are always compared with a baseline measured on the same
 * server in the same run (a no-op `ping` update), so they mean something on any machine.
 *
 *   npm run bench                  # all benchmarks
 *   npm run bench -- reservations  # only the named ones
 *   npm run bench -- --cluster throughput   # against the real cluster (or BATON_BENCH_CLUSTER=1)
 *
 * With --cluster the benchmarks run against `npm run cluster`'s Temporal (four services on PostgreSQL,
 * default dynamic config; started here if it is not running, and then stopped at the end) with two
 * Baton worker processes and two Baton servers as child processes (their logs in
 * .baton/cluster/logs/bench-*.log): agents' HTTP calls alternate between the two servers.
 *
 * On the dev server, the in-process worker's own log (SDK warnings, many on a busy server) goes to
 * .baton/logs/bench-worker.log.
 *
 * Smaller runs (a quick check that a benchmark works): BATON_BENCH_SAMPLES (samples per row of the
 * reservations and messages benchmarks), BATON_BENCH_CALLS (calls per agent in the reservations
 * throughput), BATON_BENCH_PATTERN_RUNS (pattern runs), e.g.
 *
 *   BATON_BENCH_SAMPLES=10 BATON_BENCH_CALLS=2 npm run bench -- reservations messages
 *
 * BATON_BENCH_HOOK_SAMPLES sets the rounds of the hooks benchmark (default 31).
 */
export interface BenchEnv {
  baton: BatonClient;
  client: Client;
  config: BatonConfig;
  /** A project key no other benchmark uses (not created). */
  project(prefix: string): string;
  /**
   * A new project under a key no other benchmark uses, created on purpose with its first human (as
   * `baton init` does; nothing creates a project implicitly). Members act by name through the typed
   * client, an operator's (it trusts its caller), so the figures leave out the Baton server's HTTP hop.
   */
  createProject(prefix: string, settings?: ProjectSettingsInput): Promise<BatonProjectClient>;
  /**
   * The Baton servers (HTTP API) agents call, for benchmarks of what agents run: one on a free port of
   * this process on the dev server, two child processes on the cluster. Spread agents over them.
   */
  servers: string[];
  /** What the in-process server's group commit did so far, per project (not available on the cluster). */
  apiBatchStats?(): Record<string, BatcherStats>;
  log(line: string): void;
}

export interface BenchModule {
  name: string;
  description: string;
  run(env: BenchEnv): Promise<void>;
}

/** Every benchmark; add a module here (bench/messages.ts, bench/patterns.ts, ...). */
const BENCHES: BenchModule[] = [cli, hooks, mcpTools, throughput, reservations, messages, patterns];

/** Where the benchmarks run: Temporal's address, the Baton servers, and how to tear it all down. */
interface Target {
  address: string;
  servers: string[];
  describe: string;
  batchStats?: () => Record<string, BatcherStats>;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onCluster = args.includes('--cluster') || process.env.BATON_BENCH_CLUSTER === '1';
  const only = args.filter((a) => !a.startsWith('-'));
  const selected = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  if (selected.length === 0) throw new Error(`No benchmark named ${only.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);

  const base = loadConfig();
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const target = onCluster ? await clusterTarget(base, taskQueue) : await devServerTarget(base, taskQueue);
  const config: BatonConfig = { ...base, address: target.address, connectionOptions: { ...base.connectionOptions, address: target.address }, taskQueue };
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: config.namespace });
  // Group commit, as the Baton server and the worker do: many callers of one project share updates.
  const baton = new BatonClient(client, config, { batching: DEFAULT_BATCH_OPTIONS });
  console.log(pc.dim(`${target.describe}; node ${process.version}`));

  try {
    for (const bench of selected) {
      console.log(`\n${pc.bold(`# ${bench.name}`)}: ${bench.description}`);
      const createProject = async (prefix: string, settings?: ProjectSettingsInput) => {
        const key = `bench-${prefix}-${randomUUID().slice(0, 6)}`;
        await baton.initProject(key, { human: 'alice', settings });
        return baton.project(key);
      };
      await bench.run({
        baton,
        client,
        config,
        servers: target.servers,
        apiBatchStats: target.batchStats,
        createProject,
        project: (prefix) => `bench-${prefix}-${randomUUID().slice(0, 6)}`,
        log: (line) => console.log(line),
      });
    }
  } finally {
    await connection.close();
    await target.close();
  }
}

/** Its own dev server (Temporal's default dynamic config), a worker and a Baton server in this process. */
async function devServerTarget(base: BatonConfig, taskQueue: string): Promise<Target> {
  console.log(pc.dim('Starting a Temporal dev server and a Baton worker for the benchmarks ...'));
  // The worker's SDK warnings under load (lost workflow tasks, retried polls) are not what is measured:
  // to a file. Only here, where this process runs a worker (an installed runtime that is never used
  // keeps the process alive).
  const workerLog = path.join(base.home, 'logs', 'bench-worker.log');
  installRuntimeLog({ file: workerLog });
  // Temporal's default dynamic config (10 in-flight updates per workflow, as on Temporal Cloud): the
  // figures are what a cluster user gets.
  const server = await startDevServer({ home: base.home });
  const config: BatonConfig = { ...base, address: server.address, connectionOptions: { ...base.connectionOptions, address: server.address }, taskQueue };
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: config.namespace });
  const worker = await createBatonWorker({ config, connection: nativeConnection, client });
  const running = worker.run();
  const api = await startApi(config, client, { port: 0, host: '127.0.0.1' });
  return {
    address: server.address,
    servers: [api.url],
    describe: `Temporal dev server ${server.temporal.version ?? ''} at ${server.address} (via ${server.temporal.route}), default dynamic config; a Baton worker and a Baton server in this process (worker log ${path.relative(process.cwd(), workerLog)})`,
    batchStats: () => api.baton.batchStats(),
    async close() {
      await api.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch((err: unknown) => console.error('worker:', err));
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    },
  };
}

/** The real cluster (`npm run cluster`; started here if it is not running) with two Baton workers and two Baton servers as child processes. */
async function clusterTarget(base: BatonConfig, taskQueue: string): Promise<Target> {
  console.log(pc.dim('Using the Temporal cluster (`npm run cluster`), with two Baton workers and two Baton servers as child processes ...'));
  const cluster = await startCluster({ home: base.home, namespace: base.namespace, log: (line) => console.log(pc.dim(`[cluster] ${line}`)) });
  let fleet: BatonFleet;
  try {
    fleet = await BatonFleet.start({ address: cluster.address, taskQueue, workers: 2, servers: 2, logDir: cluster.logs, label: 'bench' });
  } catch (err) {
    if (cluster.started.length) await stopCluster({ home: base.home, ports: cluster.ports });
    throw err;
  }
  return {
    address: cluster.address,
    servers: fleet.urls,
    describe:
      `Temporal cluster at ${cluster.address} (frontend, history, matching, worker on PostgreSQL; default dynamic config; ${cluster.started.length ? 'started for this run' : 'already running'}); ` +
      `2 Baton workers and 2 Baton servers (${fleet.urls.join(', ')}) as child processes, logs in ${path.relative(process.cwd(), cluster.logs)}`,
    async close() {
      await fleet.kill();
      if (cluster.started.length) await stopCluster({ home: base.home, ports: cluster.ports });
    },
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
