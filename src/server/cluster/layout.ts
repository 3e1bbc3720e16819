import path from 'node:path';
import { z } from 'zod';

/** The Temporal server release the cluster runs: newer tags need a newer Go than this machine's 1.26. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';

const Port = z.coerce.number().int().min(1024, 'must be 1024 or more').max(65_000, 'must be at most 65000');

/**
 * Where the cluster listens. Every port is on 127.0.0.1. The four Temporal services take fixed
 * offsets from the frontend port so one number moves the whole cluster (see `servicePorts`).
 */
export const ClusterPorts = z.object({
  /** Temporal frontend gRPC (what clients and workers connect to). Default 17233, away from the dev server's 7233. */
  frontend: Port.default(17233),
  /** The private PostgreSQL. Default 15432, away from a system PostgreSQL's 5432. */
  postgres: Port.default(15432),
});
export type ClusterPorts = z.infer<typeof ClusterPorts>;

/**
 * Ports from the environment: BATON_CLUSTER_PORT (frontend) and BATON_CLUSTER_PG_PORT. A bad value
 * fails with the variable's name instead of a server that cannot bind.
 */
export function clusterPortsFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterPorts {
  const parsed = ClusterPorts.safeParse({ frontend: env.BATON_CLUSTER_PORT || undefined, postgres: env.BATON_CLUSTER_PG_PORT || undefined });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = issue.path[0] === 'frontend' ? 'BATON_CLUSTER_PORT' : 'BATON_CLUSTER_PG_PORT';
  throw new Error(`${variable} ${issue.message} (a TCP port for the cluster on 127.0.0.1).`);
}

export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface ServicePorts {
  grpc: number;
  membership: number;
}

/**
 * gRPC ports frontend+0..3 and membership (ringpop) ports frontend+100..103, in the order of
 * TEMPORAL_SERVICES; the frontend's HTTP API is frontend+10.
 */
export function servicePorts(frontend: number): Record<TemporalService, ServicePorts> & { frontendHttp: number } {
  const at = (i: number): ServicePorts => ({ grpc: frontend + i, membership: frontend + 100 + i });
  return { frontend: at(0), history: at(1), matching: at(2), worker: at(3), frontendHttp: frontend + 10 };
}

/** Every file of the cluster, all under `<home>/cluster` (git-ignored with the rest of .baton/). */
export interface ClusterPaths {
  root: string;
  /** GOPATH, GOMODCACHE, GOCACHE and GOBIN live here (~4 GB once built). */
  go: { root: string; path: string; modCache: string; buildCache: string; bin: string };
  serverBinary: string;
  sqlToolBinary: string;
  /** PostgreSQL's data directory (owned by the `postgres` user when Baton runs as root). */
  pgData: string;
  /** The rendered Temporal server config and dynamic config. */
  config: string;
  serverConfig: string;
  dynamicConfig: string;
  /** Which server version the databases' schema was set up for. */
  schemaStamp: string;
  logs: string;
  /** pid files of the four Temporal services. */
  run: string;
}

export function clusterPaths(home: string): ClusterPaths {
  const root = path.join(home, 'cluster');
  const go = path.join(root, 'go');
  const bin = path.join(go, 'bin');
  const config = path.join(root, 'config');
  return {
    root,
    go: { root: go, path: path.join(go, 'path'), modCache: path.join(go, 'mod'), buildCache: path.join(go, 'build-cache'), bin },
    // `go install .../cmd/server` and `.../cmd/tools/sql` name the binaries after their directories.
    serverBinary: path.join(bin, 'server'),
    sqlToolBinary: path.join(bin, 'sql'),
    pgData: path.join(root, 'pg'),
    config,
    serverConfig: path.join(config, 'temporal.yaml'),
    dynamicConfig: path.join(config, 'dynamicconfig.yaml'),
    schemaStamp: path.join(root, 'schema-version'),
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
  };
}

/** A path as messages show it: relative to the working directory when inside it, so lines stay short. */
export function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
