import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { BATON_SEARCH_ATTRIBUTES } from '../search-attributes';
import { provisionTemporal, type ProvisionedTemporal } from './provision';

export interface DevServerOptions {
  home: string;
  ip?: string;
  /** gRPC port; omit for a free one (tests). */
  port?: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file for durable state; omit for in-memory (tests). */
  dbFilename?: string;
  namespace?: string;
  log?: (line: string) => void;
  /**
   * Where the server's own log goes (a busy server logs every refused update at ERROR). Never the
   * user's terminal: default `<home>/logs/temporal.log`.
   */
  logFile?: string;
  /** The server's own log level. */
  serverLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /** Dynamic config overrides (`key=value`); none by default: Temporal's defaults, as on a cluster. */
  dynamicConfig?: string[];
  /** How long to wait for the server to answer, ms. */
  readyTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  logFile: string;
  temporal: ProvisionedTemporal;
  stop(): Promise<void>;
}

export const BATON_SEARCH_ATTRIBUTE_ARGS = Object.entries(BATON_SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);

/**
 * Starts Temporal's dev server (`temporal server start-dev`) from the provisioned binary: SQLite
 * persistence, the Web UI, Baton's search attributes registered, its log in a file. Resolves once it
 * answers on gRPC; `stop()` ends it (SIGTERM, then SIGKILL).
 */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const temporal = provisionTemporal({ home: options.home, log: options.log });
  if (!temporal.path) throw new Error('No Temporal CLI could be provisioned (see `npm run temporal:install`).');
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const logFile = options.logFile ?? path.join(options.home, 'logs', 'temporal.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  if (options.dbFilename) fs.mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', options.namespace ?? 'default', '--log-level', options.serverLogLevel ?? 'warn', ...BATON_SEARCH_ATTRIBUTE_ARGS];
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const value of options.dynamicConfig ?? []) args.push('--dynamic-config-value', value);

  const out = fs.openSync(logFile, 'a');
  const child = spawn(temporal.path, args, { stdio: ['ignore', out, out], detached: false });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${ip}:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The Temporal dev server exited (code ${child.exitCode}) before answering; see ${logFile}.`);
    if (await answers(address)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The Temporal dev server did not answer at ${address} within ${Math.round((options.readyTimeoutMs ?? 60_000) / 1000)}s; see ${logFile}.`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    logFile,
    temporal,
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function answers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/** A port nothing listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
