import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import pc from 'picocolors';
import { loadConfig, type BatonConfig } from '../src/config';
import { BatonClient, type BatonProjectClient } from '../src/client';
import type { ProjectSettingsInput } from '../src/schemas/project';
import { startDevServer } from '../src/server/dev-server';
import { createBatonWorker } from '../src/worker';
import { startApi, type RunningApi } from '../src/api/main';
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
  /** The Baton server (HTTP API) on a free port, for benchmarks of what agents run. */
  api: RunningApi;
  /** What the server's group commit did so far, per project. */
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

async function main(): Promise<void> {
  // The SDK core's warnings under load (lost workflow tasks, retried polls) are not what is measured.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  if (selected.length === 0) throw new Error(`No benchmark named ${only.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);

  const base = loadConfig();
  console.log(pc.dim('Starting a Temporal dev server and a Baton worker for the benchmarks ...'));
  // Temporal's default dynamic config (10 in-flight updates per workflow, as on Temporal Cloud): the
  // figures are what a cluster user gets.
  const server = await startDevServer({ home: base.home });
  const config: BatonConfig = {
    ...base,
    address: server.address,
    connectionOptions: { ...base.connectionOptions, address: server.address },
    taskQueue: `bench-${randomUUID().slice(0, 8)}`,
  };
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: config.namespace });
  const worker = await createBatonWorker({ config, connection: nativeConnection, client });
  const running = worker.run();
  // Group commit, as the Baton server and the worker do: many callers of one project share updates.
  const baton = new BatonClient(client, config, { batching: DEFAULT_BATCH_OPTIONS });
  const api = await startApi(config, client, { port: 0, host: '127.0.0.1' });
  console.log(pc.dim(`Temporal ${server.temporal.version ?? ''} at ${server.address} (via ${server.temporal.route}), default dynamic config; node ${process.version}`));

  try {
    for (const bench of selected) {
      console.log(`\n${pc.bold(`# ${bench.name}`)}: ${bench.description}`);
      const createProject = async (prefix: string, settings?: ProjectSettingsInput) => {
        const key = `bench-${prefix}-${randomUUID().slice(0, 6)}`;
        await baton.initProject(key, { human: 'alice', settings });
        return baton.project(key);
      };
      await bench.run({ baton, client, config, api, apiBatchStats: () => api.baton.batchStats(), createProject, project: (prefix) => `bench-${prefix}-${randomUUID().slice(0, 6)}`, log: (line) => console.log(line) });
    }
  } finally {
    await api.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch((err: unknown) => console.error('worker:', err));
    await nativeConnection.close();
    await connection.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
