import { loadConfig } from '../../../src/config';
import { startCluster, stopCluster, type RunningCluster } from '../../../src/server/cluster/cluster';
import { batonWorkerProcess, type ManagedProcess } from '../../support/processes';

/** How many Baton worker processes serve the cluster, as a deployment with more than one would (BATON_CLUSTER_WORKERS). */
export const CLUSTER_WORKERS = Number(process.env.BATON_CLUSTER_WORKERS || 2);

export interface ClusterRun {
  cluster: RunningCluster;
  workers: ManagedProcess[];
}

/**
 * Provisions and starts the real cluster (first run: builds the server, minutes; afterwards seconds,
 * or nothing when `npm run cluster` already keeps it up), then two Baton worker processes on a task
 * queue of this run. Tests reach them through TEMPORAL_ADDRESS and BATON_TASK_QUEUE.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('');
  const cluster = await startCluster({ home: config.home, namespace: 'default', log: (line) => say(`[cluster] ${line}`) });
  const taskQueue = `cluster-test-${process.pid}`;
  const workers = Array.from({ length: CLUSTER_WORKERS }, () => batonWorkerProcess({ address: cluster.address, taskQueue }));
  const run: ClusterRun = { cluster, workers };
  (globalThis as Record<string, unknown>).__BATON_CLUSTER__ = run;
  try {
    // One after the other: each bundles the workflows at start, which is CPU-bound.
    for (const worker of workers) await worker.start();
  } catch (err) {
    // Jest runs no teardown after a failed setup: leave nothing behind.
    for (const worker of workers) await worker.stop();
    if (cluster.started.length) await stopCluster({ home: config.home, ports: cluster.ports });
    throw err;
  }
  process.env.TEMPORAL_ADDRESS = cluster.address;
  process.env.TEMPORAL_NAMESPACE = cluster.namespace;
  process.env.BATON_TASK_QUEUE = taskQueue;
  const parts = cluster.started.length ? `started ${cluster.started.join(', ')}` : 'already running';
  say(`Temporal cluster for tests at ${cluster.address} (${parts}; logs in ${cluster.logs}), ${CLUSTER_WORKERS} Baton workers on task queue ${taskQueue}`);
}
