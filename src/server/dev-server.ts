import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { BatonProject, BatonKind, BatonAgent, BatonStep, BatonWaitingFor, BatonNeedsHuman } from '../search-attributes';
import { provisionTemporal, type ProvisionedTemporal } from './provision';

export interface DevServerOptions {
  home: string;
  ip?: string;
  port?: number;
  /** Web UI port; omit (with ui: false) for a headless server, as tests use. */
  uiPort?: number;
  ui?: boolean;
  /** SQLite file for durable state; omit for in-memory (tests). */
  dbFilename?: string;
  namespace?: string;
  log?: (line: string) => void;
  /** The server's own log level (tests use 'never': expected refusals would drown the report). */
  serverLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
}

export interface RunningDevServer {
  env: TestWorkflowEnvironment;
  address: string;
  uiUrl?: string;
  temporal: ProvisionedTemporal;
  stop(): Promise<void>;
}

export const BATON_SEARCH_ATTRIBUTE_KEYS = [BatonProject, BatonKind, BatonAgent, BatonStep, BatonWaitingFor, BatonNeedsHuman];

/**
 * Starts Temporal's dev server (SQLite persistence, Web UI, Baton's search attributes registered) from
 * the provisioned binary, through @temporalio/testing's launcher with an `existing-path` executable;
 * when no binary could be provisioned it falls back to the SDK's own download.
 */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const temporal = provisionTemporal({ home: options.home, log: options.log });
  if (options.dbFilename) fs.mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporal.path ? { type: 'existing-path', path: temporal.path } : { type: 'cached-download' },
      ip,
      port: options.port,
      ui: options.ui ?? options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace: options.namespace ?? 'default',
      searchAttributes: BATON_SEARCH_ATTRIBUTE_KEYS,
      log: { format: 'pretty', level: options.serverLogLevel ?? 'warn' },
      // The default cap of 10 in-flight updates per workflow is reached as soon as a dozen agents
      // reserve at once on one project; the client backs off past the cap, but raising it keeps
      // latency flat. Clusters set the same key in their dynamic config (see README).
      extraArgs: ['--ui-disable-news-fetch', '--dynamic-config-value', 'history.maxInFlightUpdates=100'],
    },
  });
  const address = env.address;
  return {
    env,
    address,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    temporal,
    stop: () => env.teardown(),
  };
}
