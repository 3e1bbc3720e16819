import type { Client } from '@temporalio/client';
import { BatonClient } from '../client';
import { connectClient } from '../client/connection';
import { loadConfig, type BatonConfig } from '../config';
import { buildApi } from './app';
import { DEFAULT_BATCH_OPTIONS } from '../client/batcher';
import type { ConsoleOptions } from './console/plugin';
import { consoleSettings, describeKeys } from './console/settings';

export interface RunningApi {
  url: string;
  port: number;
  /** The server's own client (its batchers' stats, for benchmarks). */
  baton: BatonClient;
  close(): Promise<void>;
}

/** Start the Baton server on `config.server` (port 0 picks a free one) with an existing Temporal client. */
export async function startApi(config: BatonConfig, temporal: Client, options: { port?: number; host?: string; console?: Partial<ConsoleOptions> } = {}): Promise<RunningApi> {
  // Group commit: concurrent requests for one project share batch updates (src/client/batcher.ts).
  const baton = new BatonClient(temporal, config, { batching: DEFAULT_BATCH_OPTIONS });
  const app = await buildApi({ baton, defaultProject: config.project, console: options.console });
  const host = options.host ?? config.server.host;
  await app.listen({ host, port: options.port ?? config.server.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? config.server.port);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`, port, baton, close: () => app.close() };
}

/**
 * `baton server` / `npm run server`: only the Baton server, against the Temporal named by the usual
 * variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ...). Run several behind a load
 * balancer; run workers separately (`npm run worker`).
 */
export async function main(): Promise<void> {
  const config = loadConfig();
  const settings = consoleSettings(config);
  const temporal = await connectClient(config);
  const api = await startApi(config, temporal, { console: settings.options });
  console.log(`Baton server on ${api.url} (Temporal ${config.address}, namespace ${config.namespace}); OpenAPI at ${api.url}/openapi.json; the console at ${api.url}/`);
  console.log(describeKeys(settings.keys));
  const stop = async () => {
    await api.close();
    await temporal.connection.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
