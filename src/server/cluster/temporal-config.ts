import fs from 'node:fs';
import { stringify } from 'yaml';
import { POSTGRES_USER } from './postgres';
import { servicePorts, type ClusterPaths, type ClusterPorts } from './layout';

/** Databases the schema tool creates and the server uses (Temporal's usual names). */
export const TEMPORAL_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';

/**
 * The server config every service process loads. Modelled on Temporal's
 * config/development-postgres12.yaml, with two changes for several processes on one machine:
 * - `services` lists all four services in every process's config: each process starts only the one
 *   named by `--service`, but reads the others' ports from here (a config with only its own service
 *   fails to start or never finds its peers);
 * - no pprof or Prometheus listener (each process would bind the same port).
 * Logs go to stdout, which the launcher appends to one file per service.
 */
export function renderServerConfig(paths: ClusterPaths, ports: ClusterPorts): string {
  const service = servicePorts(ports.frontend);
  const rpc = (p: { grpc: number; membership: number }) => ({ grpcPort: p.grpc, membershipPort: p.membership, bindOnLocalHost: true });
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${ports.postgres}`,
      connectProtocol: 'tcp',
      user: POSTGRES_USER,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const config = {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed once the database is set up; 4 is Temporal's own default for development clusters.
      numHistoryShards: 4,
      datastores: { 'postgres-default': datastore(TEMPORAL_DATABASE, 20), 'postgres-visibility': datastore(VISIBILITY_DATABASE, 2) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: { rpc: { ...rpc(service.frontend), httpPort: service.frontendHttp } },
      history: { rpc: rpc(service.history) },
      matching: { rpc: rpc(service.matching) },
      worker: { rpc: rpc(service.worker) },
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${service.frontend.grpc}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: paths.dynamicConfig, pollInterval: '10s' },
  };
  return `# Rendered by Baton (src/server/cluster/temporal-config.ts) on every start; edit that file, not this one.\n${stringify(config)}`;
}

/**
 * Dynamic config with no overrides: the point of this cluster is to run Baton at Temporal's defaults
 * (e.g. history.maxInFlightUpdates = 10 per workflow, as Temporal Cloud keeps it). Written only when
 * missing, so an operator's own settings survive restarts.
 */
const DEFAULT_DYNAMIC_CONFIG = `# Temporal dynamic config for Baton's local cluster.
# Empty on purpose: Baton's cluster tests and figures run at Temporal's defaults.
# Example of an override (read every 10 s by each service):
# history.maxInFlightUpdates:
#   - value: 100
{}
`;

export function writeServerConfig(paths: ClusterPaths, ports: ClusterPorts): void {
  fs.mkdirSync(paths.config, { recursive: true });
  fs.writeFileSync(paths.serverConfig, renderServerConfig(paths, ports));
  if (!fs.existsSync(paths.dynamicConfig)) fs.writeFileSync(paths.dynamicConfig, DEFAULT_DYNAMIC_CONFIG);
}
