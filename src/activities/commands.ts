import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CommandInput, CommandResult } from '../patterns/kit/activities-api';

const OUTPUT_TAIL_BYTES = 8 * 1024;
const HEARTBEAT_MS = 2000;

/**
 * The worker's variables a plan's command may see: what a shell and the usual tools need to run, and
 * nothing that says where the worker's Temporal is or how to reach it (TEMPORAL_*, BATON_*, API keys
 * and tokens of any kind stay out). The plan's own `env` comes on top.
 */
const ALLOWED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TZ', 'TMPDIR', 'CI'];
const ALLOWED_ENV_PREFIXES = ['LC_'];
/** Even from a plan: these belong to the worker. */
const WORKER_ONLY = /^(TEMPORAL|BATON)_/i;

/** The environment of a plan's command: the allow-list of the worker's, then the plan's variables. */
export function commandEnvironment(plan: Record<string, string> = {}, worker: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(worker)) {
    if (value !== undefined && (ALLOWED_ENV.includes(key) || ALLOWED_ENV_PREFIXES.some((p) => key.startsWith(p)))) env[key] = value;
  }
  for (const [key, value] of Object.entries(plan)) if (!WORKER_ONLY.test(key)) env[key] = value;
  return env;
}

/**
 * Where a plan's command runs: the plan's workdir (the project's checkout: an absolute path to an
 * existing directory), or a directory inside it (`cwd`, relative). Anything else is refused, naming
 * the plan field to fix: a command never runs in the worker's own directory.
 */
export function commandDirectory(input: Pick<CommandInput, 'workdir' | 'cwd' | 'label'>): string {
  const refuse = (message: string) => {
    throw ApplicationFailure.create({ type: 'INVALID_INPUT', message: `${input.label}: ${message}`, nonRetryable: true });
  };
  if (!input.workdir) refuse('the plan names no workdir (the project checkout the command runs in); start it again with --workdir /path/to/checkout (plan field "workdir").');
  const workdir = path.resolve(input.workdir!);
  if (!path.isAbsolute(input.workdir!)) refuse(`workdir "${input.workdir}" must be an absolute path (plan field "workdir").`);
  const dir = input.cwd ? path.resolve(workdir, input.cwd) : workdir;
  if (dir !== workdir && !dir.startsWith(workdir + path.sep)) refuse(`cwd "${input.cwd}" leaves the workdir ${workdir}; give a directory inside it.`);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    // Reported below.
  }
  if (!stat?.isDirectory()) refuse(`${dir} is not a directory on the worker (plan field "${input.cwd ? 'cwd' : 'workdir'}"); point it at the project checkout.`);
  return dir;
}

/**
 * Run a plan's shell command (merge, integration tests, staging, deploy) in the project's checkout
 * with the allow-listed environment and a time limit, heartbeating while it runs so a dead worker is
 * noticed; a cancelled activity kills the command and its children. A non-zero exit is an answer (the
 * workflow decides what it means), not an activity failure; its output is cut to the last 8 KB.
 */
export async function runCommand(input: CommandInput): Promise<CommandResult> {
  const ctx = Context.current();
  const started = Date.now();
  const cwd = commandDirectory(input);
  const env = commandEnvironment(input.env);
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn('sh', ['-c', input.command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > OUTPUT_TAIL_BYTES * 2) output = output.slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const heartbeat = setInterval(() => ctx.heartbeat({ label: input.label, runningMs: Date.now() - started, outputBytes: output.length }), HEARTBEAT_MS);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, input.timeoutMs);
    const onCancel = () => kill();
    ctx.cancellationSignal.addEventListener('abort', onCancel);
    ctx.heartbeat({ label: input.label, runningMs: 0 });
    const finish = () => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    };
    child.on('error', (err) => {
      finish();
      reject(ApplicationFailure.create({ type: 'INVALID_INPUT', message: `${input.label}: could not run "${input.command}": ${err.message}`, nonRetryable: true }));
    });
    child.on('close', (code, signal) => {
      finish();
      if (ctx.cancellationSignal.aborted) return reject(ctx.cancellationSignal.reason);
      resolve({ exitCode: code, signal, timedOut, durationMs: Date.now() - started, output: output.slice(-OUTPUT_TAIL_BYTES) });
    });
  });
}
