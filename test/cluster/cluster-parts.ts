import { ensureNamespace } from '../../src/server/cluster/namespace';
import { clusterPaths, clusterPortsFromEnv, type TemporalService } from '../../src/server/cluster/layout';
import { findPostgres, postgresLocation, PrivatePostgres } from '../../src/server/cluster/postgres';
import { TemporalServices } from '../../src/server/cluster/temporal-server';
import type { BatonFleet } from '../support/baton-fleet';
import { sleep, type ManagedProcess } from '../support/processes';

/** What the cluster crash suite kills: one of Baton's processes, one Temporal service, or the database. */
export type CrashTarget = 'baton-worker' | 'baton-server' | TemporalService | 'postgres';

export interface ClusterKill {
  /** Seconds since the load started. */
  at: number;
  target: CrashTarget;
  pid: number | undefined;
  downSeconds: number;
  /** Until it served again: for Temporal's services and PostgreSQL, until the namespace answers through every service. */
  backSeconds: number;
}

/**
 * kill -9 and restart of the parts of the running cluster (started by the cluster run's global setup;
 * its processes are found through their pid files and PostgreSQL's postmaster.pid) and of a Baton
 * fleet's processes. A Temporal service comes back as the same command on the same ports; PostgreSQL
 * with pg_ctl on the same data directory (crash recovery from its WAL).
 */
export class ClusterParts {
  readonly kills: ClusterKill[] = [];
  startedAt = Date.now();
  private readonly services: TemporalServices;
  private readonly postgres: PrivatePostgres;
  private readonly address: string;

  constructor(
    home: string,
    private readonly fleet: BatonFleet,
    private readonly log: (line: string) => void,
    private readonly pick: () => number,
  ) {
    const paths = clusterPaths(home);
    const ports = clusterPortsFromEnv();
    this.services = new TemporalServices(paths, ports, paths.serverBinary);
    const binaries = findPostgres();
    if (!binaries) throw new Error('PostgreSQL binaries not found; the cluster run should have provisioned them');
    const { dataDir, logFile } = postgresLocation(paths);
    this.postgres = new PrivatePostgres({ binaries, dataDir, port: ports.postgres, logFile });
    this.address = this.services.frontendAddress;
  }

  /** kill -9 the target, stay down `downMs`, start it again and wait until it serves. */
  async crash(target: CrashTarget, downMs: number): Promise<ClusterKill> {
    const at = (Date.now() - this.startedAt) / 1000;
    let pid: number | undefined;
    if (target === 'baton-worker' || target === 'baton-server') {
      const processes: ManagedProcess[] = target === 'baton-worker' ? this.fleet.workers : this.fleet.servers;
      const victim = processes[Math.floor(this.pick() * processes.length)]!;
      pid = victim.pid;
      await victim.kill9();
      await sleep(downMs);
      const t = Date.now();
      await victim.start();
      return this.record({ at, target, pid, downSeconds: downMs / 1000, backSeconds: (Date.now() - t) / 1000 });
    }
    if (target === 'postgres') {
      pid = await this.postgres.kill();
      await sleep(downMs);
    } else {
      pid = await this.services.processes[target].kill();
      await sleep(downMs);
    }
    const t = Date.now();
    await this.restore();
    return this.record({ at, target, pid, downSeconds: downMs / 1000, backSeconds: (Date.now() - t) / 1000 });
  }

  /** Everything runs and serves again: PostgreSQL, every Temporal service (the namespace answers through history and matching), every process of the fleet. */
  async restore(): Promise<void> {
    this.postgres.start();
    await this.services.start(() => undefined);
    await ensureNamespace({ address: this.address, namespace: 'default', log: () => undefined, timeoutMs: 180_000 });
    for (const name of await this.fleet.ensureRunning()) this.log(`  [t=${((Date.now() - this.startedAt) / 1000).toFixed(1)}s] ${name} had exited on its own; restarted it`);
  }

  private record(k: ClusterKill): ClusterKill {
    this.kills.push(k);
    this.log(`  [t=${k.at.toFixed(1)}s] kill -9 ${k.target} (pid ${k.pid}); down ${k.downSeconds.toFixed(1)}s; serving again after ${k.backSeconds.toFixed(1)}s`);
    return k;
  }
}
