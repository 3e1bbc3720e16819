import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { stopCluster } from '../../../src/server/cluster/cluster';
import type { ClusterRun } from './global-setup';

/**
 * Stops the Baton servers and workers, and the cluster if this run started it (a cluster that `npm run
 * cluster` keeps up is left alone). BATON_CLUSTER_KEEP=1 leaves it running for the next run.
 */
export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as Record<string, unknown>).__BATON_CLUSTER__ as ClusterRun | undefined;
  if (process.env.BATON_TEST_BUNDLE) fs.rmSync(process.env.BATON_TEST_BUNDLE, { force: true });
  if (!run) return;
  // Servers and workers are stateless (Temporal keeps all state), so ending them with SIGKILL loses
  // nothing; a graceful stop would leave its grace timer holding jest open for seconds after the run.
  await run.fleet.kill();
  if (run.cluster.started.length && process.env.BATON_CLUSTER_KEEP !== '1') {
    await stopCluster({ home: loadConfig().home, ports: run.cluster.ports });
  }
}
