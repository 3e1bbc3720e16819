import net from 'node:net';
import path from 'node:path';
import { BackgroundProcess, sleep } from './background-process';
import { servicePorts, TEMPORAL_SERVICES, type ClusterPaths, type ClusterPorts, type TemporalService } from './layout';

/**
 * Temporal's four services as four processes of the same binary (`server start --service X`), each
 * loading the same config (which lists all four), as a multi-host deployment runs them. Each one's
 * output goes to .baton/cluster/logs/<service>.log.
 */
export class TemporalServices {
  readonly processes: Record<TemporalService, BackgroundProcess>;

  constructor(
    readonly paths: ClusterPaths,
    readonly ports: ClusterPorts,
    serverBinary: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const entries = TEMPORAL_SERVICES.map((service) => [
      service,
      new BackgroundProcess({
        name: `temporal ${service}`,
        command: serverBinary,
        args: ['--config-file', paths.serverConfig, '--allow-no-auth', 'start', '--service', service],
        // No call home to check for a newer release: this cluster must work without internet.
        env: { ...env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
        cwd: paths.root,
        pidFile: path.join(paths.run, `${service}.pid`),
        logFile: path.join(paths.logs, `${service}.log`),
      }),
    ]);
    this.processes = Object.fromEntries(entries) as Record<TemporalService, BackgroundProcess>;
  }

  get frontendAddress(): string {
    return `127.0.0.1:${this.ports.frontend}`;
  }

  /** Which services run now, with their pids. */
  status(): Record<TemporalService, number | undefined> {
    return Object.fromEntries(TEMPORAL_SERVICES.map((s) => [s, this.processes[s].pid()])) as Record<TemporalService, number | undefined>;
  }

  /**
   * Starts every service that is not running, history first (the frontend and matching route to it),
   * and waits until each one's gRPC port accepts connections. Returns the services started now.
   */
  async start(log: (line: string) => void, options: { timeoutMs?: number; signal?: AbortSignal; onStarted?: (service: TemporalService) => void } = {}): Promise<TemporalService[]> {
    const timeoutMs = options.timeoutMs ?? 90_000;
    const started: TemporalService[] = [];
    const ports = servicePorts(this.ports.frontend);
    for (const service of ['history', 'matching', 'frontend', 'worker'] as const) {
      options.signal?.throwIfAborted();
      const p = this.processes[service];
      if (!p.pid() && (await portAccepts(ports[service].grpc))) {
        throw new Error(`Port ${ports[service].grpc} (Temporal ${service}) is taken by another process. Stop it, or move the cluster with BATON_CLUSTER_PORT.`);
      }
      const { pid, started: now } = p.start();
      if (!now) continue;
      started.push(service);
      options.onStarted?.(service);
      log(`  ${service.padEnd(8)} pid ${pid}, gRPC 127.0.0.1:${ports[service].grpc}`);
      const deadline = Date.now() + timeoutMs;
      while (!(await portAccepts(ports[service].grpc))) {
        if (!p.pid()) throw new Error(`Temporal ${service} exited while starting. Its log (${p.spec.logFile}) ends with:\n${p.logTail()}`);
        if (Date.now() > deadline) throw new Error(`Temporal ${service} did not open 127.0.0.1:${ports[service].grpc} within ${timeoutMs / 1000}s. Its log ends with:\n${p.logTail()}`);
        await sleep(250);
      }
    }
    return started;
  }

  /** Stops the services in the reverse order (the frontend first, so no new calls arrive). */
  async stop(): Promise<TemporalService[]> {
    const stopped: TemporalService[] = [];
    for (const service of ['worker', 'frontend', 'matching', 'history'] as const) {
      if (await this.processes[service].stop()) stopped.push(service);
    }
    return stopped;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
