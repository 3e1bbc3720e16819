import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { rotateLog } from '../log-file';

/**
 * A long-running child that outlives the command that started it (so `npm run cluster:stop` from
 * another terminal, or a later test run, can find and stop it): started detached in its own process
 * group, stdout and stderr appended to a log file (never the user's terminal), its pid in a pid file.
 * Liveness checks the pid's command line too, so a pid reused by an unrelated process after a reboot
 * is not mistaken for the service.
 */
export interface BackgroundProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  pidFile: string;
  logFile: string;
}

export class BackgroundProcess {
  constructor(readonly spec: BackgroundProcessSpec) {}

  /** The pid of the running process, or undefined (a stale pid file is removed). */
  pid(): number | undefined {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.spec.pidFile, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      const command = commandLine(pid);
      if (command === undefined || command.includes(this.spec.command)) return pid;
    }
    fs.rmSync(this.spec.pidFile, { force: true });
    return undefined;
  }

  /** Starts the process unless it already runs; returns its pid and whether it was started now. */
  start(): { pid: number; started: boolean } {
    const running = this.pid();
    if (running) return { pid: running, started: false };
    rotateLog(this.spec.logFile);
    const out = fs.openSync(this.spec.logFile, 'a');
    try {
      fs.writeSync(out, `\n--- ${new Date().toISOString()} starting ${this.spec.name}: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
      const child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', out, out], detached: true });
      if (!child.pid) throw new Error(`could not start ${this.spec.name} (${this.spec.command})`);
      child.unref();
      fs.writeFileSync(this.spec.pidFile, `${child.pid}\n`);
      return { pid: child.pid, started: true };
    } finally {
      fs.closeSync(out);
    }
  }

  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once it is gone. True if it was running. */
  async stop(graceMs = 10_000): Promise<boolean> {
    const pid = this.pid();
    if (!pid) return false;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      signalGroup(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
    }
    fs.rmSync(this.spec.pidFile, { force: true });
    return true;
  }

  /**
   * SIGKILL to the process group at once, no shutdown of any kind (what a crashed machine does; the
   * crash suites use it). Resolves with the pid once it is gone, or undefined if it was not running.
   */
  async kill(): Promise<number | undefined> {
    const pid = this.pid();
    if (!pid) return undefined;
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
    fs.rmSync(this.spec.pidFile, { force: true });
    return pid;
  }

  /** The last `lines` lines of the log, for error messages. */
  logTail(lines = 15): string {
    return tailOf(this.spec.logFile, lines);
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) still answers signal 0.
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** The process's command line, or undefined where there is no /proc (not Linux): then the pid file is trusted. */
function commandLine(pid: number): string | undefined {
  if (!fs.existsSync('/proc/self/cmdline')) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
