import fs from 'node:fs';
import { clusterPaths, clusterPortsFromEnv, shown, TEMPORAL_SERVER_VERSION, type ClusterPaths, type ClusterPorts, type TemporalService } from './layout';
import { findPostgres, postgresLocation, PrivatePostgres, provisionPostgres, type PostgresBinaries } from './postgres';
import { buildTemporalServer, builtServerVersion, formatSeconds } from './temporal-build';
import { writeServerConfig } from './temporal-config';
import { setupSchema } from './temporal-schema';
import { TemporalServices } from './temporal-server';
import { ensureNamespace } from './namespace';

/**
 * A real Temporal cluster on this machine, the path users take when they outgrow the dev server:
 * Temporal's multi-service server 1.32.1 (frontend, history, matching and worker as four processes)
 * on a private PostgreSQL, both provisioned from package registries, at Temporal's default dynamic
 * config. Everything lives under <home>/cluster; every server log goes to <home>/cluster/logs.
 *
 * Start is idempotent (what runs is kept, what is missing is started), so a test run reuses a cluster
 * that `npm run cluster` keeps up in another terminal. The processes outlive the command that started
 * them; `stopCluster` (or `npm run cluster:stop`) ends them.
 */
export interface ClusterOptions {
  /** Baton's home (.baton); the cluster lives in <home>/cluster. */
  home: string;
  /** Defaults from BATON_CLUSTER_PORT / BATON_CLUSTER_PG_PORT, else 17233 / 15432. */
  ports?: ClusterPorts;
  /** The namespace Baton uses (created with Baton's search attributes). */
  namespace?: string;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Abort a start half-way (Ctrl-C): stops the build and starts nothing more. */
  signal?: AbortSignal;
}

export interface RunningCluster {
  /** The frontend's gRPC address, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  ports: ClusterPorts;
  logs: string;
  /** What this call started (empty when everything already ran). */
  started: string[];
  /** Seconds each phase took in this call (build, postgres, schema, services, namespace). */
  timings: Record<string, number>;
}

export interface ClusterStatus {
  built: string | undefined;
  postgres: { address: string; running: boolean };
  services: Record<TemporalService, number | undefined>;
  address: string;
  logs: string;
}

interface Parts {
  paths: ClusterPaths;
  ports: ClusterPorts;
  postgres: (binaries: PostgresBinaries) => PrivatePostgres;
  services: TemporalServices;
}

function parts(options: ClusterOptions): Parts {
  const paths = clusterPaths(options.home);
  const ports = options.ports ?? clusterPortsFromEnv(options.env);
  return {
    paths,
    ports,
    postgres: (binaries) => {
      const { dataDir, logFile } = postgresLocation(paths);
      return new PrivatePostgres({ binaries, dataDir, port: ports.postgres, logFile });
    },
    services: new TemporalServices(paths, ports, paths.serverBinary, options.env),
  };
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  const { paths, ports, postgres: makePostgres, services } = parts(options);
  for (const dir of [paths.root, paths.logs, paths.run]) fs.mkdirSync(dir, { recursive: true });
  const started: string[] = [];
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    options.signal?.throwIfAborted();
    const t = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + (Date.now() - t) / 1000;
    }
  };

  await phase('build', () => buildTemporalServer({ paths, log, env: options.env, signal: options.signal }));

  const postgres = makePostgres(await phase('postgres', () => provisionPostgres(log, options.env)));
  const bringUp = async () => {
    await phase('postgres', () => {
      if (postgres.init()) {
        const moved = postgresLocation(paths).movedBecause;
        log(`Initialised a private PostgreSQL cluster in ${shown(postgres.options.dataDir)}${moved ? ` (${moved})` : ''}`);
        // A new data directory has no schema, whatever an old stamp says.
        fs.rmSync(paths.schemaStamp, { force: true });
      }
      if (postgres.start()) {
        started.push('postgres');
        log(`PostgreSQL (${postgres.options.binaries.version}) on ${postgres.address}, log ${shown(postgres.options.logFile)}`);
      }
    });
    await phase('schema', () => setupSchema({ paths, postgresPort: ports.postgres, log }));
    await phase('services', async () => {
      writeServerConfig(paths, ports);
      const anyMissing = Object.values(services.status()).some((pid) => pid === undefined);
      if (anyMissing) log(`Starting Temporal ${TEMPORAL_SERVER_VERSION} services (default dynamic config; logs in ${shown(paths.logs)}) ...`);
      await services.start(log, { signal: options.signal, onStarted: (service) => started.push(service) });
    });
    await phase('namespace', () => ensureNamespace({ address: services.frontendAddress, namespace, log }));
  };
  try {
    await bringUp();
  } catch (err) {
    // A failed start leaves nothing of its own running; what ran before it is left alone.
    for (const part of [...started].reverse()) {
      if (part === 'postgres') postgres.stop();
      else await services.processes[part as TemporalService].stop();
    }
    throw err;
  }
  if (started.length) log(`Cluster ready in ${formatSeconds(Object.values(timings).reduce((a, b) => a + b, 0) * 1000)}: frontend ${services.frontendAddress}, namespace ${namespace}.`);
  return { address: services.frontendAddress, namespace, ports, logs: paths.logs, started, timings };
}

/** Stops the four services, then PostgreSQL. Returns what was running. */
export async function stopCluster(options: ClusterOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const { postgres: makePostgres, services } = parts(options);
  const stopped: string[] = await services.stop();
  const binaries = findPostgres(options.env);
  if (binaries && makePostgres(binaries).stop()) stopped.push('postgres');
  log(stopped.length ? `Stopped ${stopped.join(', ')}.` : 'No part of the cluster was running.');
  return stopped;
}

export function clusterStatus(options: ClusterOptions): ClusterStatus {
  const { paths, ports, postgres: makePostgres, services } = parts(options);
  const binaries = findPostgres(options.env);
  const postgres = binaries ? makePostgres(binaries) : undefined;
  return {
    built: builtServerVersion(paths),
    postgres: { address: `127.0.0.1:${ports.postgres}`, running: postgres?.running() ?? false },
    services: services.status(),
    address: services.frontendAddress,
    logs: paths.logs,
  };
}
