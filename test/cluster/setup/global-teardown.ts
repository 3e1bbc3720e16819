import { loadConfig } from '../../../src/config';
import { stopCluster } from '../../../src/server/cluster/cluster';
import type { ClusterRun } from './global-setup';

/**
 * Stops the Baton workers, and the cluster if this run started it (a cluster that `npm run cluster`
 * keeps up is left alone). BATON_CLUSTER_KEEP=1 leaves it running for the next run.
 */
export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as Record<string, unknown>).__BATON_CLUSTER__ as ClusterRun | undefined;
  if (!run) return;
  // Workers are stateless (Temporal keeps all state), so ending them with SIGKILL loses nothing; a
  // graceful stop would leave its grace timer holding jest open for seconds after the run.
  for (const worker of run.workers) await worker.kill9();
  if (run.cluster.started.length && process.env.BATON_CLUSTER_KEEP !== '1') {
    await stopCluster({ home: loadConfig().home, ports: run.cluster.ports });
  }
}
