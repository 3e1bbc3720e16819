import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tailOf } from './background-process';
import type { ClusterPaths } from './layout';

/**
 * A private PostgreSQL for the cluster: its own data directory under .baton/cluster/pg, started with
 * pg_ctl on a loopback port, trust authentication for 127.0.0.1 only and no Unix socket, so it never
 * touches (or depends on) a system PostgreSQL service. The binaries come from the machine or, as
 * root on Debian, from the `postgresql` package.
 */

export interface PostgresBinaries {
  dir: string;
  initdb: string;
  pgCtl: string;
  /** e.g. "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" */
  version: string;
}

/** The superuser initdb creates; Temporal connects as it (trust auth, loopback only). */
export const POSTGRES_USER = 'temporal';

/** PATH first, then /usr/local/bin, then Debian's versioned directories (newest first). */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const debian = '/usr/lib/postgresql';
  const versioned = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debian, v, 'bin'))
    : [];
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/local/bin', ...versioned];
  for (const dir of dirs) {
    const initdb = path.join(dir, 'initdb');
    const pgCtl = path.join(dir, 'pg_ctl');
    const postgres = path.join(dir, 'postgres');
    if (![initdb, pgCtl, postgres].every(isExecutable)) continue;
    const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
    if (out.status === 0) return { dir, initdb, pgCtl, version: out.stdout.trim() };
  }
  return undefined;
}

/**
 * Finds PostgreSQL or installs Debian's `postgresql` with apt-get (root only, non-interactive). The
 * package also creates and starts Debian's own `main` cluster; Baton leaves that one alone.
 */
export function provisionPostgres(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const found = findPostgres(env);
  if (found) return found;
  const canApt = process.getuid?.() === 0 && isExecutable('/usr/bin/apt-get');
  if (!canApt) {
    throw new Error(
      'PostgreSQL (initdb, pg_ctl, postgres) was not found on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin. ' +
        'Install it (Debian/Ubuntu: `sudo apt-get install postgresql`), then run again.',
    );
  }
  log('PostgreSQL not found: installing Debian\'s `postgresql` package with apt-get (non-interactive, about a minute) ...');
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { env: aptEnv, stdio: 'pipe' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { env: aptEnv, stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-3).join('\n');
    throw new Error(`apt-get could not install postgresql:\n${stderr || String(err)}`);
  }
  const installed = findPostgres(env);
  if (!installed) throw new Error('apt-get installed postgresql, but initdb/pg_ctl/postgres are still not found under /usr/lib/postgresql/*/bin.');
  return installed;
}

/** Where the private cluster keeps its data directory and its server log. */
export interface PostgresLocation {
  dataDir: string;
  logFile: string;
  /** Set when they are not under <home>/cluster: why, in words. */
  movedBecause?: string;
}

/**
 * Normally <home>/cluster/pg and <home>/cluster/logs/postgres.log. When Baton runs as root, PostgreSQL
 * runs as the `postgres` user, which must be able to reach both: a clone inside a directory only root
 * may enter (a `mktemp -d` directory, /root) would make initdb fail with "permission denied". Rather
 * than open such a directory to other users, both then move to the postgres user's home
 * (/var/lib/postgresql on Debian) under baton/<clone directory name>-<hash of its path>, so each clone
 * keeps its own database across runs.
 */
export function postgresLocation(paths: ClusterPaths): PostgresLocation {
  const inside = { dataDir: paths.pgData, logFile: path.join(paths.logs, 'postgres.log') };
  if (process.getuid?.() !== 0 || reachableByPostgres(paths.root)) return inside;
  // <clone>/.baton/cluster: named after the clone's directory, told apart by the hash of the full path.
  const clone = path.basename(path.dirname(path.dirname(paths.root))) || 'baton';
  const dir = path.join(postgresHome(), 'baton', `${clone}-${createHash('sha256').update(paths.root).digest('hex').slice(0, 12)}`);
  return {
    dataDir: path.join(dir, 'pg'),
    logFile: path.join(dir, 'postgres.log'),
    movedBecause: `the postgres user cannot enter ${nearestExisting(paths.root)} or a directory above it, so PostgreSQL keeps its data in ${dir}`,
  };
}

/** True when the `postgres` user can search every directory down to the nearest existing one of `dir`. */
function reachableByPostgres(dir: string): boolean {
  const out = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', nearestExisting(dir)], { encoding: 'utf8' });
  // No runuser or no postgres user: nothing to move for (the start will say what is missing).
  return out.status === 0 || out.error !== undefined || /does not exist|user .* not found|no passwd entry/i.test(out.stderr ?? '');
}

function nearestExisting(dir: string): string {
  let d = dir;
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** The postgres user's home from /etc/passwd (Debian: /var/lib/postgresql). */
function postgresHome(): string {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    const home = line?.split(':')[5];
    if (home && fs.existsSync(home)) return home;
  } catch {
    // fall through
  }
  return '/var/lib/postgresql';
}

export interface PrivatePostgresOptions {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  logFile: string;
}

/**
 * The private cluster. PostgreSQL refuses to run as root, so when Baton runs as root every
 * PostgreSQL command runs as the `postgres` system user (created by the Debian package) via runuser,
 * and the data directory is owned by it.
 */
export class PrivatePostgres {
  constructor(readonly options: PrivatePostgresOptions) {}

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  /** initdb on first use (about a second); later calls find the data directory and do nothing. */
  init(): boolean {
    const { dataDir } = this.options;
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
    // Parents as usual (searchable), the data directory itself private to the server user.
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.ownForServer(dataDir);
    // The log lives outside the data directory; the server user must be able to write it.
    fs.mkdirSync(path.dirname(this.options.logFile), { recursive: true });
    fs.closeSync(fs.openSync(this.options.logFile, 'a'));
    this.ownForServer(this.options.logFile);
    this.run(this.options.binaries.initdb, ['-D', dataDir, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions'], 'initdb');
    // Only TCP on the loopback address, trust only from 127.0.0.1; no Unix socket (a long data path
    // would exceed the socket path limit, and a socket in /var/run/postgresql belongs to the system).
    fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), '# Baton private cluster: loopback TCP only, no passwords\nhost all all 127.0.0.1/32 trust\n');
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# Baton private cluster',
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        // Four Temporal services with up to 20 + 2 pooled connections each, plus the schema tool.
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    return true;
  }

  running(): boolean {
    if (!fs.existsSync(path.join(this.options.dataDir, 'PG_VERSION'))) return false;
    return this.exec(this.options.binaries.pgCtl, ['status', '-D', this.options.dataDir]).status === 0;
  }

  /** Starts it unless it runs (pg_ctl daemonizes it); returns whether it was started now. */
  start(): boolean {
    if (this.running()) return false;
    const { dataDir, port, logFile } = this.options;
    const out = this.exec(this.options.binaries.pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`]);
    if (out.status !== 0) {
      throw new Error(`PostgreSQL did not start on ${this.address} (is the port taken? set BATON_CLUSTER_PG_PORT):\n${out.stderr.trim()}\n${tailOf(logFile, 10)}`);
    }
    return true;
  }

  /** Fast shutdown (rolls back open transactions, no recovery needed on the next start). */
  stop(): boolean {
    if (!this.running()) return false;
    const out = this.exec(this.options.binaries.pgCtl, ['stop', '-D', this.options.dataDir, '-m', 'fast', '-w', '-t', '60']);
    if (out.status !== 0) throw new Error(`PostgreSQL did not stop: ${out.stderr.trim()}`);
    return true;
  }

  /** The postmaster's pid (first line of postmaster.pid) while it runs. */
  pid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.options.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /**
   * SIGKILL to the postmaster and every process it started, all at once: what a crash of the machine
   * does to the database (the crash suites use it). Its backends each run in a session of their own,
   * so they are found by parent pid (/proc, Linux). The next `start()` recovers from the WAL. Resolves
   * with the postmaster's pid once every one of them is gone, or undefined if it was not running.
   */
  async kill(): Promise<number | undefined> {
    const pid = this.pid();
    if (!pid) return undefined;
    const all = [pid, ...childrenOf(pid)];
    for (const p of all) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // pg_ctl start refuses while any old backend still holds the shared memory.
    while (all.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 50));
    return pid;
  }

  private get asServerUser(): boolean {
    return process.getuid?.() === 0;
  }

  private ownForServer(file: string): void {
    if (!this.asServerUser) return;
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root). Install Debian\'s postgresql package, or run as a normal user.');
    fs.chownSync(file, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }

  private exec(command: string, args: string[]) {
    const [cmd, argv] = this.asServerUser ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    return spawnSync(cmd, argv as string[], { encoding: 'utf8', cwd: '/' });
  }

  private run(command: string, args: string[], what: string): void {
    const out = this.exec(command, args);
    if (out.status !== 0) throw new Error(`${what} failed: ${(out.stderr || out.stdout).trim()}`);
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Pids whose parent is `pid`, from /proc/<pid>/stat (field 4); empty where there is no /proc. */
function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after its last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
