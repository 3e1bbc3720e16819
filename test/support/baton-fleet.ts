import path from 'node:path';
import { batonApiProcess, batonWorkerProcess, freePort, type ManagedProcess } from './processes';

export interface FleetOptions {
  /** Temporal's frontend. */
  address: string;
  taskQueue: string;
  workers: number;
  servers: number;
  /** Each process's output goes to `<logDir>/<label>-worker-<n>.log` / `-server-<n>.log` (never the terminal). */
  logDir: string;
  /** Names the fleet's log files (e.g. "test", "crash", "bench"). */
  label: string;
}

/**
 * Baton as a deployment that outgrew one machine runs it: several worker processes on one task queue
 * and several Baton servers (stateless HTTP doors) on free loopback ports, all child processes of the
 * caller (killed with it). Each server keeps its port across restarts, so clients that know its URL
 * find it again.
 */
export class BatonFleet {
  private constructor(
    readonly workers: ManagedProcess[],
    readonly servers: (ManagedProcess & { url: string })[],
    readonly options: FleetOptions,
  ) {}

  static async start(options: FleetOptions): Promise<BatonFleet> {
    const { address, taskQueue, logDir, label } = options;
    const workers = Array.from({ length: options.workers }, (_, i) =>
      batonWorkerProcess({ address, taskQueue, label: `${i + 1}`, logFile: path.join(logDir, `${label}-worker-${i + 1}.log`) }),
    );
    const servers: (ManagedProcess & { url: string })[] = [];
    for (let i = 0; i < options.servers; i++) {
      servers.push(batonApiProcess({ address, taskQueue, port: await freePort(), logFile: path.join(logDir, `${label}-server-${i + 1}.log`) }));
    }
    const fleet = new BatonFleet(workers, servers, options);
    try {
      // One after the other: each worker bundles the workflows at start, which is CPU-bound.
      for (const p of [...workers, ...servers]) await p.start();
    } catch (err) {
      await fleet.kill();
      throw err;
    }
    return fleet;
  }

  /** The Baton servers' URLs (BATON_SERVER of each), in a fixed order. */
  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  /** Starts whatever exited (a worker may give up while Temporal is away); returns what was restarted. */
  async ensureRunning(): Promise<string[]> {
    const restarted: string[] = [];
    for (const p of [...this.workers, ...this.servers]) {
      if (p.running) continue;
      await p.start();
      restarted.push(p.name);
    }
    return restarted;
  }

  /** SIGKILL every process (they hold no state: Temporal keeps it all). */
  async kill(): Promise<void> {
    for (const p of [...this.servers, ...this.workers]) await p.kill9();
  }
}
