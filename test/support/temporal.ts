import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type BatonConfig } from '../../src/config';
import { BatonClient } from '../../src/client';
import { createBatonWorker } from '../../src/worker';

let runtimeInstalled = false;

export interface TestContext {
  config: BatonConfig;
  client: Client;
  baton: BatonClient;
  taskQueue: string;
  /** A project key no other test uses. */
  project(prefix?: string): string;
  /** Start a Baton worker on this context's task queue; returns a stop function. */
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** Connects to the suite's real dev server (started in global setup) with a task queue of its own. */
export async function createTestContext(): Promise<TestContext> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const taskQueue = `test-${randomUUID()}`;
  const config: BatonConfig = { ...loadConfig(), taskQueue };
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection, namespace: config.namespace });
  const baton = new BatonClient(client, config);
  const workers: RunningWorker[] = [];
  return {
    config,
    client,
    baton,
    taskQueue,
    project: (prefix = 'p') => `${prefix}-${randomUUID().slice(0, 8)}`,
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
      for (const w of workers) await w.stop();
      await connection.close();
    },
  };
}
