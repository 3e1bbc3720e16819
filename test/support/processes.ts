import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { BatonClient } from '../../src/client';
import { BatonError } from '../../src/domain/errors';
import { loadConfig, projectRoot } from '../../src/config';
import { provisionTemporal } from '../../src/server/provision';
import { BATON_SEARCH_ATTRIBUTES } from '../../src/search-attributes';

/**
 * Real processes for the durability suites: the Temporal dev server started straight from the
 * provisioned binary (SQLite file, fixed port, so it can be killed and restarted on the same state),
 * the Baton worker as `node -r tsx/cjs src/worker.ts`, and the Baton server (the HTTP API agents and
 * humans use) as `node -r tsx/cjs src/api/main.ts` on a fixed port. Each child runs in its own process
 * group so `kill9()` takes down everything it spawned; every child still alive when the test process
 * exits is killed (also when a test fails half-way).
 */

const alive = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const p of alive) p.killGroupNow();
});

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the process serves; polled every 250 ms until readyTimeoutMs. */
  ready: (p: ManagedProcess) => Promise<boolean>;
  readyTimeoutMs?: number;
  /**
   * Everything the process prints is also appended here (one header line per start), so a loaded
   * server's errors can be read after the run without ever reaching the terminal.
   */
  logFile?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<Exit> | undefined;
  private lines: string[] = [];
  /** How many times this process was started (1 after the first start). */
  starts = 0;

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed (last 400 lines), for failure messages. */
  output(): string {
    return this.lines.join('\n');
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd ?? projectRoot,
      env: this.spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.starts++;
    this.lines = [];
    alive.add(this);
    let log: fs.WriteStream | undefined;
    if (this.spec.logFile) {
      fs.mkdirSync(path.dirname(this.spec.logFile), { recursive: true });
      log = fs.createWriteStream(this.spec.logFile, { flags: 'a' });
      log.write(`\n--- ${new Date().toISOString()} starting ${this.name} (pid ${child.pid}, start ${this.starts})\n`);
    }
    const collect = (chunk: Buffer) => {
      log?.write(chunk);
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(line);
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        alive.delete(this);
        log?.end(`--- ${this.name} exited (${JSON.stringify({ code, signal })})\n`);
        resolve({ code, signal });
      });
    });
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (!this.running) {
        const exit = await this.exit;
        throw new Error(`${this.name} exited before it was ready (${JSON.stringify(exit)}):\n${this.output()}`);
      }
      if (await this.spec.ready(this).catch(() => false)) return;
      if (Date.now() > deadline) {
        this.killGroupNow();
        throw new Error(`${this.name} was not ready after ${this.spec.readyTimeoutMs ?? 60_000} ms:\n${this.output()}`);
      }
      await sleep(250);
    }
  }

  /** SIGKILL the whole process group (no clean shutdown of any kind) and wait until it is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.killGroupNow();
    await this.exit;
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running || !this.child?.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const exited = await Promise.race([this.exit!.then(() => true), sleep(graceMs).then(() => false)]);
    if (!exited) await this.kill9();
  }

  killGroupNow(): void {
    const pid = this.child?.pid;
    if (!pid || !this.running) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Resident set size in bytes from /proc (Linux), or undefined when not running / not Linux. */
  rssBytes(): number | undefined {
    const pid = this.pid;
    if (!pid) return undefined;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The temporal binary `npm test` provisioned (never installs here; global setup already did). */
export function temporalBinary(): string {
  const found = provisionTemporal({ home: loadConfig().home, install: false });
  if (!found.path) throw new Error('No temporal binary provisioned; run `npm run temporal:install` first.');
  return found.path;
}

/** A fresh temporary directory under the OS temp dir, for SQLite files and credentials. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `baton-${prefix}-`));
}

/** True when the server at `address` answers and has Baton's search attributes registered. */
export async function temporalAnswers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '1s' });
    const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return Object.keys(attrs.customAttributes ?? {}).includes('BatonProject');
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export interface TemporalServerOptions {
  dbFilename: string;
  port: number;
  ip?: string;
}

/**
 * `temporal server start-dev --headless` on a SQLite file and a fixed port with Baton's search
 * attributes. Restarting it (after kill9) reopens the same file on the same port, so clients and the
 * worker reconnect to the state they left.
 */
export function temporalServerProcess(options: TemporalServerOptions): ManagedProcess & { address: string } {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  const searchAttributes = Object.entries(BATON_SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
  const p = new ManagedProcess({
    name: `temporal server ${address}`,
    command: temporalBinary(),
    args: ['server', 'start-dev', '--headless', '--ip', ip, '--port', String(options.port), '--db-filename', options.dbFilename, '--log-level', 'error', ...searchAttributes,
      // As src/server/dev-server.ts (what `npm start` runs): raise the cap of 10 in-flight updates per workflow.
      '--dynamic-config-value', 'history.maxInFlightUpdates=100'],
    ready: () => temporalAnswers(address),
    readyTimeoutMs: 60_000,
  });
  return Object.assign(p, { address });
}

export interface WorkerProcessOptions {
  address: string;
  taskQueue: string;
  env?: NodeJS.ProcessEnv;
  /** Also append its output here (ProcessSpec.logFile). */
  logFile?: string;
  /** Tells several workers apart in names and logs. */
  label?: string;
}

/**
 * The real Baton worker entry point (`src/worker.ts`, which bundles the workflows itself) as a child
 * process. Ready once it prints that it polls the task queue.
 */
export function batonWorkerProcess(options: WorkerProcessOptions): ManagedProcess {
  return new ManagedProcess({
    name: `baton worker${options.label ? ` ${options.label}` : ''} (${options.taskQueue})`,
    logFile: options.logFile,
    command: process.execPath,
    args: ['--require', 'tsx/cjs', path.join(projectRoot, 'src', 'worker.ts')],
    env: {
      ...process.env,
      ...options.env,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: 'default',
      BATON_TASK_QUEUE: options.taskQueue,
    },
    ready: async (p) => p.output().includes('Baton worker polling task queue'),
    readyTimeoutMs: 120_000,
  });
}

export interface ApiProcessOptions {
  address: string;
  taskQueue: string;
  /** Fixed, so a restart answers where clients already point. */
  port: number;
  env?: NodeJS.ProcessEnv;
  /** Also append its output here (ProcessSpec.logFile). */
  logFile?: string;
}

/**
 * The real Baton server entry point (`src/api/main.ts`) as a child process on loopback, for the context's
 * Temporal server and task queue. It holds no state of its own (tokens are verified against the
 * project workflows), so a kill loses nothing but the requests in flight. Ready once /healthz answers.
 */
export function batonApiProcess(options: ApiProcessOptions): ManagedProcess & { url: string } {
  const url = `http://127.0.0.1:${options.port}`;
  const p = new ManagedProcess({
    name: `baton server ${url}`,
    logFile: options.logFile,
    command: process.execPath,
    args: ['--require', 'tsx/cjs', path.join(projectRoot, 'src', 'api', 'main.ts')],
    env: {
      ...process.env,
      ...options.env,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: 'default',
      BATON_TASK_QUEUE: options.taskQueue,
      BATON_HOST: '127.0.0.1',
      BATON_PORT: String(options.port),
    },
    ready: async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok,
    readyTimeoutMs: 60_000,
  });
  return Object.assign(p, { url });
}

/** A small seeded PRNG (mulberry32), so a failing crash schedule can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface KillRecord {
  /** Seconds since the cluster started. */
  at: number;
  /** `server` is Temporal's dev server; `api` the Baton server. */
  target: 'worker' | 'server' | 'api';
  pid: number | undefined;
  /** How long it stayed down before the restart began (s). */
  downSeconds: number;
  /** How long the restart took until it answered again (s). */
  restartSeconds: number;
  note?: string;
}

/**
 * A dev server and a Baton worker as child processes, on a SQLite file in a temp dir, a free port and
 * a task queue of their own, with a BatonClient connected to them (an operator's), and with `api: true`
 * the Baton server too (`apiUrl`, for BatonApi and the CLI). `killWorker` / `killServer` / `killApi`
 * SIGKILL the process, wait, restart it, and log what happened; `close()` kills everything (call it in
 * afterAll, it is safe to call twice).
 */
export class BatonCluster {
  readonly kills: KillRecord[] = [];
  /** Kill times are printed relative to this (reset it when the load starts). */
  startedAt = Date.now();
  private connection: Connection | undefined;
  baton!: BatonClient;

  private constructor(
    readonly dir: string,
    readonly server: ManagedProcess & { address: string },
    readonly worker: ManagedProcess,
    readonly api: (ManagedProcess & { url: string }) | undefined,
    readonly taskQueue: string,
    private readonly log: (line: string) => void,
  ) {}

  static async start(options: { name: string; log?: (line: string) => void; api?: boolean }): Promise<BatonCluster> {
    const dir = tempDir(options.name);
    const port = await freePort();
    const server = temporalServerProcess({ dbFilename: path.join(dir, 'temporal.sqlite'), port });
    const taskQueue = `${options.name}-${process.pid}-${port}`;
    const worker = batonWorkerProcess({ address: server.address, taskQueue });
    const api = options.api ? batonApiProcess({ address: server.address, taskQueue, port: await freePort() }) : undefined;
    const cluster = new BatonCluster(dir, server, worker, api, taskQueue, options.log ?? ((line) => console.log(line)));
    try {
      await server.start();
      await worker.start();
      await api?.start();
      cluster.connection = await Connection.connect({ address: server.address });
      const config = { ...loadConfig({ ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' }), taskQueue };
      cluster.baton = new BatonClient(new Client({ connection: cluster.connection, namespace: 'default' }), config);
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  get address(): string {
    return this.server.address;
  }

  /** The Baton server's URL (BATON_SERVER); only for a cluster started with `api: true`. */
  get apiUrl(): string {
    if (!this.api) throw new Error('this cluster runs no Baton server; start it with { api: true }');
    return this.api.url;
  }

  get temporal(): Client {
    return this.baton.temporal;
  }

  elapsed(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** kill -9 the worker, stay down `downMs`, start a fresh worker process. */
  async killWorker(downMs: number): Promise<KillRecord> {
    const pid = this.worker.pid;
    const at = this.elapsed();
    await this.worker.kill9();
    await sleep(downMs);
    const t = Date.now();
    await this.worker.start();
    return this.record({ at, target: 'worker', pid, downSeconds: downMs / 1000, restartSeconds: (Date.now() - t) / 1000 });
  }

  /** kill -9 the server, stay down `downMs`, restart it on the same SQLite file and port. */
  async killServer(downMs: number): Promise<KillRecord> {
    const pid = this.server.pid;
    const at = this.elapsed();
    await this.server.kill9();
    await sleep(downMs);
    const t = Date.now();
    await this.server.start();
    let note: string | undefined;
    if (!this.worker.running) {
      note = 'the worker had exited while the server was down; restarted it';
      await this.worker.start();
    }
    return this.record({ at, target: 'server', pid, downSeconds: downMs / 1000, restartSeconds: (Date.now() - t) / 1000, note });
  }

  /** kill -9 the Baton server, stay down `downMs`, start it again on the same port. */
  async killApi(downMs: number): Promise<KillRecord> {
    if (!this.api) throw new Error('this cluster runs no Baton server');
    const pid = this.api.pid;
    const at = this.elapsed();
    await this.api.kill9();
    await sleep(downMs);
    const t = Date.now();
    await this.api.start();
    return this.record({ at, target: 'api', pid, downSeconds: downMs / 1000, restartSeconds: (Date.now() - t) / 1000 });
  }

  /** kill -9 the worker and then the server, stay down `downMs`, restart the server, then the worker. */
  async killBoth(downMs: number): Promise<KillRecord[]> {
    const at = this.elapsed();
    const workerPid = this.worker.pid;
    const serverPid = this.server.pid;
    await this.worker.kill9();
    await this.server.kill9();
    await sleep(downMs);
    const t = Date.now();
    await this.server.start();
    const serverBack = (Date.now() - t) / 1000;
    await this.worker.start();
    const workerBack = (Date.now() - t) / 1000;
    return [
      this.record({ at, target: 'server', pid: serverPid, downSeconds: downMs / 1000, restartSeconds: serverBack, note: 'together with the worker' }),
      this.record({ at, target: 'worker', pid: workerPid, downSeconds: downMs / 1000, restartSeconds: workerBack, note: 'together with the server' }),
    ];
  }

  /** Make sure every process runs (a worker may give up while the server is away). */
  async ensureRunning(): Promise<void> {
    if (!this.server.running) await this.server.start();
    if (!this.worker.running) {
      this.log(`  [t=${this.elapsed().toFixed(1)}s] worker had exited on its own:\n${this.worker.output().split('\n').slice(-5).join('\n')}\n  restarting it`);
      await this.worker.start();
    }
    if (this.api && !this.api.running) {
      this.log(`  [t=${this.elapsed().toFixed(1)}s] Baton server had exited on its own:\n${this.api.output().split('\n').slice(-5).join('\n')}\n  restarting it`);
      await this.api.start();
    }
  }

  private record(k: KillRecord): KillRecord {
    this.kills.push(k);
    this.log(
      `  [t=${k.at.toFixed(1)}s] kill -9 ${k.target} (pid ${k.pid}); down ${k.downSeconds.toFixed(1)}s; back after ${k.restartSeconds.toFixed(1)}s${k.note ? ` (${k.note})` : ''}`,
    );
    return k;
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    await this.api?.kill9();
    await this.worker.kill9();
    await this.server.kill9();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Retry an operation until the cluster acknowledges it: while processes are being killed a call may
 * fail with UNAVAILABLE (server gone), BUSY (refused before it ran), or time out waiting (worker gone). Operations passed here must be
 * idempotent (request ids, idempotency keys) so a retry of a call that did land is answered, not
 * repeated. Any other error is a real answer and is rethrown.
 */
export async function untilAcknowledged<T>(fn: () => Promise<T>, stats: { retries: number }, deadlineMs = 180_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const code = err instanceof BatonError ? err.code : 'INTERNAL';
      // BUSY: Temporal refused or aborted the update before the workflow took it (a restarted history
      // service sheds load while it takes its shards back); nothing ran.
      const transient = code === 'UNAVAILABLE' || code === 'TIMEOUT' || code === 'BUSY' || (code === 'INTERNAL' && /unavailable|deadline|timeout|timed out|cancel|closed|connect|reset|socket|ECONN|14 |4 |GOAWAY|RST_STREAM/i.test((err as Error).message));
      if (!transient || Date.now() > deadline) throw err;
      stats.retries++;
      await sleep(300);
    }
  }
}
