import path from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { projectRoot } from './project-root';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * Where Baton finds Temporal and where it keeps its local files. Connection settings follow Temporal's
 * own conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, and the
 * TOML profile file of the temporal CLI), so the same worker and CLI run against the local dev server,
 * a self-hosted cluster or Temporal Cloud without code changes.
 */
export interface BatonConfig {
  address: string;
  namespace: string;
  /** True when TEMPORAL_ADDRESS (or a profile) names a server: `npm start` then connects instead of launching one. */
  addressFromEnvironment: boolean;
  connectionOptions: NativeConnectionOptions;
  taskQueue: string;
  /** Project-local, git-ignored home for the Temporal binary, its venv and the SQLite state file. */
  home: string;
  uiPort: number;
  /** Default project key when a command is not given one. */
  project: string | undefined;
  /** Where the Baton server listens (BATON_HOST, BATON_PORT). */
  server: { host: string; port: number };
}

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_UI_PORT = 8233;
export const DEFAULT_TASK_QUEUE = 'baton';
/** The Baton server's default address: loopback only; set BATON_HOST=0.0.0.0 behind a load balancer. */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 7300;

export { projectRoot };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BatonConfig {
  const loaded = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  const address = loaded.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    address,
    namespace: loaded.namespace ?? 'default',
    addressFromEnvironment: loaded.connectionOptions.address !== undefined,
    connectionOptions: { ...loaded.connectionOptions, address },
    taskQueue: env.BATON_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    home: path.resolve(env.BATON_HOME || path.join(projectRoot, '.baton')),
    uiPort: Number(env.BATON_UI_PORT || DEFAULT_UI_PORT),
    project: env.BATON_PROJECT || undefined,
    server: { host: env.BATON_HOST || DEFAULT_SERVER_HOST, port: Number(env.BATON_PORT || DEFAULT_SERVER_PORT) },
  };
}
