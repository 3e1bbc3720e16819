import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadConfig, type BatonConfig } from './config';
import { createActivities } from './activities';
import { ensureSearchAttributes } from './server/search-attributes';

export interface BatonWorkerOptions {
  config: BatonConfig;
  connection: NativeConnection;
  /** Client the activities use to talk to other workflows (project workflow, mailboxes). */
  client: Client;
  taskQueue?: string;
  /** Prebuilt workflow bundle (tests build it once per run); otherwise the worker bundles src/workflows. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /** How long running activities get to finish after shutdown is asked for, before they are cancelled. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Give up on a graceful shutdown after this long (tests; a process manager does this in production). */
  shutdownForceTime?: WorkerOptions['shutdownForceTime'];
}

/** The Baton worker: every workflow and activity on one task queue. Run as many as you like. */
export async function createBatonWorker(options: BatonWorkerOptions): Promise<Worker> {
  const { config, connection, client } = options;
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: options.taskQueue ?? config.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ client, config }),
    ...(options.identity ? { identity: options.identity } : {}),
    // Ctrl-C should not wait minutes for a long activity (a monitoring window, a merge command); the
    // activity is cancelled, and Temporal retries it on the next worker.
    shutdownGraceTime: options.shutdownGraceTime ?? '5s',
    ...(options.shutdownForceTime ? { shutdownForceTime: options.shutdownForceTime } : {}),
  });
}

export async function connectWorkerConnections(config: BatonConfig): Promise<{ connection: NativeConnection; client: Client }> {
  const connection = await NativeConnection.connect(config.connectionOptions);
  const clientConnection = await Connection.connect(config.connectionOptions as Parameters<typeof Connection.connect>[0]);
  return { connection, client: new Client({ connection: clientConnection, namespace: config.namespace }) };
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const { connection, client } = await connectWorkerConnections(config);
  for (const line of await ensureSearchAttributes(client, config.namespace)) console.warn(`Search attribute not registered: ${line}`);
  const worker = await createBatonWorker({ config, connection, client });
  console.log(`Baton worker polling task queue "${config.taskQueue}" on ${config.address} (namespace ${config.namespace})`);
  await worker.run();
  await connection.close();
  await client.connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
