import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type BatonConfig } from '../../src/config';
import { BatonClient, type BatonProjectClient } from '../../src/client';
import { DEFAULT_BATCH_OPTIONS } from '../../src/client/batcher';
import { createBatonWorker } from '../../src/worker';
import { installRuntimeLog } from '../../src/runtime-log';
import { startApi, type RunningApi } from '../../src/api/main';
import type { ProjectSettingsInput } from '../../src/schemas/project';

let runtimeInstalled = false;

export interface TestContext {
  config: BatonConfig;
  client: Client;
  baton: BatonClient;
  taskQueue: string;
  /** A project key no other test uses (the project does not exist until created). */
  project(prefix?: string): string;
  /**
   * A new project (a key no other test uses), created on purpose as `baton init` does, with its first
   * human (default "alice"); the human's token is returned for tests that go through the server.
   */
  createProject(options?: { prefix?: string; human?: string; settings?: ProjectSettingsInput }): Promise<TestProject>;
  /** The Baton server (HTTP API, /mcp) on a free loopback port, for this context's task queue. */
  startApi(): Promise<RunningApi>;
  /** Start a Baton worker on this context's task queue; returns a stop function. */
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface TestProject {
  key: string;
  client: BatonProjectClient;
  human: { name: string; token: string };
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Connects to the suite's real dev server (started in global setup), or to `options.address`, with a
 * task queue of its own. `options.batching`: the context's client groups concurrent updates of a
 * project (group commit), as the Baton server and the worker do.
 */
export async function createTestContext(options: { address?: string; batching?: boolean } = {}): Promise<TestContext> {
  if (!runtimeInstalled) {
    // BATON_TEST_WORKER_LOG (set by the cluster run): the in-process workers' warnings, many on a busy
    // cluster, go to that file instead of the test output.
    if (process.env.BATON_TEST_WORKER_LOG) installRuntimeLog({ file: process.env.BATON_TEST_WORKER_LOG });
    else Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const taskQueue = `test-${randomUUID()}`;
  const base = loadConfig();
  const address = options.address ?? base.address;
  const config: BatonConfig = { ...base, address, connectionOptions: { ...base.connectionOptions, address }, taskQueue };
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection, namespace: config.namespace });
  const baton = new BatonClient(client, config, options.batching ? { batching: DEFAULT_BATCH_OPTIONS } : {});
  const workers: RunningWorker[] = [];
  const apis: RunningApi[] = [];
  const projectKey = (prefix = 'p') => `${prefix}-${randomUUID().slice(0, 8)}`;
  return {
    config,
    client,
    baton,
    taskQueue,
    project: projectKey,
    async createProject(options = {}) {
      const key = projectKey(options.prefix);
      const created = await baton.initProject(key, { human: options.human ?? 'alice', settings: options.settings });
      return { key, client: baton.project(key), human: { name: created.member.name, token: created.token } };
    },
    async startApi() {
      const api = await startApi(config, client, { port: 0, host: '127.0.0.1' });
      apis.push(api);
      return api;
    },
    async startWorker() {
      const nativeConnection = await NativeConnection.connect({ address: config.address });
      const worker = await createBatonWorker({
        config,
        connection: nativeConnection,
        client,
        workflowBundle: { codePath: process.env.BATON_TEST_BUNDLE! },
        shutdownGraceTime: '1s',
        // A stop in a test stands for a crash: do not let a loaded machine's slow poll drain hold it.
        shutdownForceTime: '15s',
      });
      const running = worker.run();
      let stopped = false;
      const handle: RunningWorker = {
        worker,
        async stop() {
          if (stopped) return;
          stopped = true;
          if (worker.getState() === 'RUNNING') worker.shutdown();
          // A forced stop stands for a crash: the SDK reports it as an expired grace period or, when an
          // activity still waits on a workflow this worker no longer serves, as a worker still in use.
          await running.catch((err: Error) => {
            if (err.name !== 'GracefulShutdownPeriodExpiredError' && !/Worker still in use/.test(err.message)) throw err;
          });
          await nativeConnection.close();
        },
      };
      workers.push(handle);
      return handle;
    },
    async close() {
      for (const a of apis) await a.close();
      for (const w of workers) await w.stop();
      // Not closed at once: the SDK's gRPC retry interceptor keeps timers for calls still being retried
      // (up to ~20 s of back-off, e.g. an activity of a worker just stopped), and one firing on a closed
      // channel throws "Channel has been shut down" from a timer, which jest pins on whatever test of
      // the next suite runs then. Closed once they are over; unref'd, so it never holds the process.
      setTimeout(() => void connection.close().catch(() => undefined), 30_000).unref();
    },
  };
}

/**
 * A send answers once the project recorded it; its delivery to mailboxes follows (one durable write per
 * send, src/workflows/project/delivery.ts). Tests that read a mailbox right after a send wait here until
 * the project has delivered everything it recorded.
 */
export async function untilDelivered(project: BatonProjectClient, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pending = ((await project.describe()).modules.messages as { pendingDeliveries?: number } | null)?.pendingDeliveries ?? 0;
    if (pending === 0) return;
    if (Date.now() > end) throw new Error(`${pending} messages of project ${project.key} still undelivered after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const SENDING = new Set(['send', 'broadcast', 'reply', 'notify', 'requestContact', 'approveContact']);

/**
 * The project client with read-your-writes for messages, as a test wants it: every send (send,
 * broadcast, reply, notify, contact notices) resolves only once the project has delivered everything it
 * recorded. Everything else is the project client itself.
 */
export function delivering(project: BatonProjectClient): BatonProjectClient {
  return new Proxy(project, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'messages') return value;
      return new Proxy(value as object, {
        get(messages, name, r) {
          const fn = Reflect.get(messages, name, r) as unknown;
          if (typeof fn !== 'function' || !SENDING.has(String(name))) return fn;
          return async (...args: unknown[]) => {
            const result = await (fn as (...a: unknown[]) => Promise<unknown>).apply(messages, args);
            await untilDelivered(target);
            return result;
          };
        },
      });
    },
  });
}
