import { spawn } from 'node:child_process';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CommandInput, CommandResult } from '../patterns/kit/activities-api';

const OUTPUT_TAIL_BYTES = 8 * 1024;
const HEARTBEAT_MS = 2000;

/**
 * Run a configured shell command (merge hook, integration tests) with a timeout, heartbeating while it
 * runs so a dead worker is noticed; a cancelled activity kills the command. A non-zero exit is an
 * answer (the workflow decides what it means), not an activity failure.
 */
export async function runCommand(input: CommandInput): Promise<CommandResult> {
  const ctx = Context.current();
  const started = Date.now();
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn('sh', ['-c', input.command], { cwd: input.cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
