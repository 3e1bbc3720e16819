import { Command, InvalidArgumentError } from 'commander';
import { colors as pc } from '../../cli/output';
import { loadConfig } from '../../config';
import { clusterPortsFromEnv, ClusterPorts, TEMPORAL_SERVER_VERSION } from './layout';
import { clusterStatus, startCluster, stopCluster, type ClusterOptions } from './cluster';

/**
 * `npm run cluster` (start and keep running; Ctrl-C stops it), `npm run cluster -- --detach` (start
 * and return), `npm run cluster:stop`, `npm run cluster -- status`. Ports: --port / --pg-port or
 * BATON_CLUSTER_PORT / BATON_CLUSTER_PG_PORT.
 */
function clusterOptions(flags: { port?: number; pgPort?: number }): ClusterOptions {
  const fromEnv = clusterPortsFromEnv();
  const ports = ClusterPorts.parse({ frontend: flags.port ?? fromEnv.frontend, postgres: flags.pgPort ?? fromEnv.postgres });
  const config = loadConfig();
  return { home: config.home, ports, namespace: config.namespace, log: (line) => console.log(pc.dim(line)) };
}

function port(value: string): number {
  const parsed = ClusterPorts.shape.frontend.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`${parsed.error.issues[0]!.message} (a TCP port on 127.0.0.1).`);
  return parsed.data;
}

const program = new Command('cluster')
  .description(`A real Temporal cluster on this machine: server ${TEMPORAL_SERVER_VERSION} as four services on a private PostgreSQL, at Temporal's default dynamic config.`)
  .option('--port <port>', 'frontend gRPC port; the other services take the next ports (default 17233)', port)
  .option('--pg-port <port>', 'PostgreSQL port (default 15432)', port)
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('provision (first time: ~8 minutes), start, and keep running until Ctrl-C')
  .option('--detach', 'start and return, leaving the cluster running (stop it with `npm run cluster:stop`)')
  .action(async (flags: { detach?: boolean }) => {
    const options = clusterOptions(program.opts());
    const abort = new AbortController();
    let stopping: Promise<unknown> | undefined;
    const stop = () => {
      if (stopping) return;
      console.log(pc.dim('\nStopping the cluster ...'));
      abort.abort();
      stopping = stopCluster(options).then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);

    let cluster;
    try {
      cluster = await startCluster({ ...options, signal: abort.signal });
    } catch (err) {
      if (stopping) return;
      throw err;
    }
    console.log('');
    console.log(pc.bold(cluster.started.length ? 'Temporal cluster is running.' : 'Temporal cluster was already running.'));
    console.log(`  Temporal gRPC  ${pc.cyan(cluster.address)}  (namespace ${cluster.namespace}; frontend, history, matching, worker on the next ports)`);
    console.log(`  PostgreSQL     ${pc.cyan(`127.0.0.1:${cluster.ports.postgres}`)}`);
    console.log(`  Logs           ${cluster.logs}`);
    console.log('');
    console.log('Run Baton against it, in another terminal:');
    console.log(`  ${pc.green(`TEMPORAL_ADDRESS=${cluster.address} npm start`)}`);
    console.log('');
    if (flags.detach) {
      console.log(pc.dim('Left running; `npm run cluster:stop` stops it.'));
      process.exit(0);
    }
    console.log(pc.dim('Ctrl-C stops the cluster; its state stays in .baton/cluster/pg.'));
    // Keep the process alive until a signal arrives.
    setInterval(() => undefined, 1 << 30);
  });

program
  .command('stop')
  .description('stop the four Temporal services and PostgreSQL (state is kept)')
  .action(async () => {
    await stopCluster(clusterOptions(program.opts()));
  });

program
  .command('status')
  .description('which parts of the cluster run')
  .action(() => {
    const status = clusterStatus(clusterOptions(program.opts()));
    const state = (pid: number | undefined) => (pid ? pc.green(`running (pid ${pid})`) : pc.yellow('stopped'));
    console.log(`Temporal server build  ${status.built ?? pc.yellow('not built yet')}`);
    console.log(`PostgreSQL ${status.postgres.address}  ${status.postgres.running ? pc.green('running') : pc.yellow('stopped')}`);
    for (const [service, pid] of Object.entries(status.services)) console.log(`${service.padEnd(10)} ${state(pid)}`);
    console.log(`Frontend   ${status.address}`);
    console.log(`Logs       ${status.logs}`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(pc.red(err instanceof Error ? err.message : String(err)));
  process.exit(1);
});
