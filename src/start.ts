import path from 'node:path';
import { colors as pc } from './cli/output';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startApi } from './api/main';
import { consoleSettings, describeKeys } from './api/console/settings';
import { loadConfig } from './config';
import { startDevServer, type RunningDevServer } from './server/dev-server';
import { ensureSearchAttributes } from './server/search-attributes';
import { createBatonWorker } from './worker';
import { installRuntimeLog } from './runtime-log';

/**
 * `npm start`: Baton on its embedded default. Starts Temporal's dev server with a SQLite file under
 * .baton/ (state survives restarts; its log in .baton/logs/temporal.log, the worker's in
 * .baton/logs/worker.log; Temporal's default dynamic config, as a cluster or Temporal Cloud has it: the
 * Baton server and the worker batch a project's concurrent updates, so they stay under its 10 in-flight
 * updates per workflow), registers Baton's search attributes, runs the worker and the Baton server (the
 * HTTP API agents and humans use), and prints where everything is. If a Temporal server already answers
 * at the configured address (TEMPORAL_ADDRESS, or a previous `npm start`), it connects to that instead.
 * Ctrl-C stops everything.
 */
export async function main(): Promise<void> {
  const config = loadConfig();
  // The worker's warnings (many on a busy cluster) go to a file: the terminal keeps what is printed below.
  const workerLog = path.join(config.home, 'logs', 'worker.log');
  installRuntimeLog({ file: workerLog, level: (process.env.BATON_LOG_LEVEL as 'WARN') || 'WARN' });
  const log = (line: string) => console.log(line);
  let server: RunningDevServer | undefined;
  let uiUrl: string | undefined;

  const existing = await tryConnect(config.connectionOptions);
  if (existing) {
    log(pc.dim(`Connecting to the Temporal server already at ${config.address} (namespace ${config.namespace}).`));
    await existing.close();
  } else if (config.addressFromEnvironment) {
    throw new Error(`TEMPORAL_ADDRESS is ${config.address}, but no Temporal server answers there. Start it, or unset TEMPORAL_ADDRESS to run the embedded dev server.`);
  } else {
    const [host, port] = splitAddress(config.address);
    const dbFilename = path.join(config.home, 'temporal.sqlite');
    log(pc.dim(`Starting the Temporal dev server (state in ${path.relative(process.cwd(), dbFilename) || dbFilename}) ...`));
    server = await startDevServer({ home: config.home, ip: host, port, uiPort: config.uiPort, dbFilename, namespace: config.namespace, log });
    uiUrl = server.uiUrl;
    log(pc.dim(`Temporal CLI ${server.temporal.version ?? ''} via ${server.temporal.route}; its log: ${path.relative(process.cwd(), server.logFile)}`));
  }

  const connection = await NativeConnection.connect(config.connectionOptions);
  const client = new Client({ connection: await Connection.connect(config.connectionOptions as Parameters<typeof Connection.connect>[0]), namespace: config.namespace });
  const notRegistered = await ensureSearchAttributes(client, config.namespace);
  for (const line of notRegistered) console.warn(pc.yellow(`Search attribute not registered: ${line}`));
  const worker = await createBatonWorker({ config, connection, client });
  const settings = consoleSettings(config, process.env, { persistSecretIn: config.home, temporalUi: uiUrl });
  const api = await startApi(config, client, { console: settings.options });

  log('');
  log(pc.bold('Baton is running.'));
  log(`  Baton server   ${pc.cyan(api.url)}  (agents and humans: the CLI, MCP at ${api.url}/mcp, OpenAPI at ${api.url}/openapi.json)`);
  log(`  Console        ${pc.cyan(`${api.url}/`)}  (humans: sign in with your human token; ${describeKeys(settings.keys).replace(/^console /, '')})`);
  log(`  Temporal gRPC  ${pc.cyan(config.address)}  (namespace ${config.namespace}; operators only)`);
  log(`  Web UI         ${pc.cyan(uiUrl ?? '(served by your cluster)')}`);
  log(`  Worker         task queue ${pc.cyan(config.taskQueue)}; its log: ${path.relative(process.cwd(), workerLog) || workerLog}`);
  log('');
  log('Try, in another terminal:');
  log(`  ${pc.green('npx baton init --project demo --human alice')}        ${pc.dim('# creates the project; you are its human')}`);
  log(`  ${pc.green('eval "$(npx baton register --project demo --program claude-code --print-env)"')}`);
  log(`  ${pc.green('npx baton reserve "src/api/**" --reason "auth endpoint"')}`);
  log(`  ${pc.green('npx baton reservations --all')}`);
  log('');
  log(pc.dim(`Ctrl-C stops the Baton server, the worker and the Temporal server; state stays in ${path.relative(process.cwd(), path.join(config.home, 'temporal.sqlite'))}.`));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log(pc.dim('\nStopping the Baton server and the worker ...'));
    void api.close();
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await worker.run();
  await api.close();
  await connection.close();
  await client.connection.close();
  if (server) {
    log(pc.dim('Stopping the Temporal dev server ...'));
    await server.stop();
  }
  log('Baton stopped.');
}

async function tryConnect(options: ReturnType<typeof loadConfig>['connectionOptions']): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: '1s' } as Parameters<typeof Connection.connect>[0]);
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch {
    return undefined;
  }
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i) || '127.0.0.1', Number(address.slice(i + 1)) || 7233];
}

if (require.main === module) {
  main().catch((err) => {
    console.error(pc.red(err instanceof Error ? err.message : String(err)));
    process.exit(1);
  });
}
