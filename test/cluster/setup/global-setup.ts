import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { startCluster, stopCluster, type RunningCluster } from '../../../src/server/cluster/cluster';
import { BatonFleet } from '../../support/baton-fleet';
import { writeWorkflowBundle } from '../../support/workflow-bundle';

/** Baton worker processes and Baton servers the run starts, as a deployment with more than one of each would (BATON_CLUSTER_WORKERS, BATON_CLUSTER_SERVERS_COUNT). */
export const CLUSTER_WORKERS = Number(process.env.BATON_CLUSTER_WORKERS || 2);
export const CLUSTER_SERVERS = Number(process.env.BATON_CLUSTER_SERVERS_COUNT || 2);

export interface ClusterRun {
  cluster: RunningCluster;
  fleet: BatonFleet;
}

/**
 * Provisions and starts the real cluster (first run: builds the server, minutes; afterwards seconds,
 * or nothing when `npm run cluster` already keeps it up), then two Baton worker processes and two
 * Baton servers (free loopback ports) on a task queue of this run, each logging to
 * .baton/cluster/logs/test-*.log, and the workflow bundle the in-process workers of test files use (the
 * race suite's). Tests reach them through TEMPORAL_ADDRESS, BATON_TASK_QUEUE, BATON_CLUSTER_SERVERS
 * (the servers' URLs, comma-separated) and BATON_TEST_BUNDLE; in-process workers log to
 * .baton/cluster/logs/test-inprocess-worker.log (BATON_TEST_WORKER_LOG).
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('');
  const cluster = await startCluster({ home: config.home, namespace: 'default', log: (line) => say(`[cluster] ${line}`) });
  const taskQueue = `cluster-test-${process.pid}`;
  let fleet: BatonFleet;
  try {
    process.env.BATON_TEST_BUNDLE = await writeWorkflowBundle(path.join(config.home, 'test'));
    fleet = await BatonFleet.start({ address: cluster.address, taskQueue, workers: CLUSTER_WORKERS, servers: CLUSTER_SERVERS, logDir: cluster.logs, label: 'test' });
  } catch (err) {
    // Jest runs no teardown after a failed setup: leave nothing behind.
    if (cluster.started.length) await stopCluster({ home: config.home, ports: cluster.ports });
    throw err;
  }
  (globalThis as Record<string, unknown>).__BATON_CLUSTER__ = { cluster, fleet } satisfies ClusterRun;
  process.env.TEMPORAL_ADDRESS = cluster.address;
  process.env.TEMPORAL_NAMESPACE = cluster.namespace;
  process.env.BATON_TASK_QUEUE = taskQueue;
  process.env.BATON_CLUSTER_SERVERS = fleet.urls.join(',');
  // In-process test workers (the race suite's) log to a file, like every other process of the run.
  process.env.BATON_TEST_WORKER_LOG = path.join(cluster.logs, 'test-inprocess-worker.log');
  // The race suite's agents go through group commit, as through a Baton server (BATON_RACE_GROUP_COMMIT=0: one update each).
  process.env.BATON_RACE_GROUP_COMMIT ??= '1';
  const parts = cluster.started.length ? `started ${cluster.started.join(', ')}` : 'already running';
  say(
    `Temporal cluster for tests at ${cluster.address} (${parts}; logs in ${cluster.logs}), ${CLUSTER_WORKERS} Baton workers on task queue ${taskQueue}, ` +
      `Baton servers at ${fleet.urls.join(' and ')}`,
  );
}
