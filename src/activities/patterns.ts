import { spawn } from 'node:child_process';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { toBatonError } from '../client/errors';
import { workflowActor } from '../client/reservations';
import { memberCredentialsQuery, recordSuccessUpdate } from '../workflows/project/directory-api';
import type { CommandInput, CommandResult, PatternActivities } from '../workflows/patterns/common/activities-api';
import type { ActivityDeps } from './index';

const OUTPUT_TAIL_BYTES = 8 * 1024;
const HEARTBEAT_MS = 2000;

/**
 * Side effects of the pattern workflows: reservations and trust through the project workflow (with
 * the internal workflow actor), credentials for the workflows' own validators, and configured
 * commands (merge, integration tests). Messages go through the messages engineer's `notifyMembers`.
 */
export function createPatternActivities({ baton }: ActivityDeps): Omit<PatternActivities, 'notifyMembers'> {
  return {
    async reserveForStep(input) {
      return call(async () => {
        const answer = await baton.project(input.project).reservations.reserve({
          actor: workflowActor(input.workflowId, input.agent),
          patterns: input.files,
          exclusive: input.exclusive,
          ttlSeconds: input.ttlSeconds,
          reason: input.reason.slice(0, 280),
          requestId: input.requestId.slice(0, 128),
        });
        if (answer.status === 'granted') return { status: 'granted' as const, ids: answer.reservations.map((r) => r.id) };
        return {
          status: 'conflict' as const,
          conflicts: answer.conflicts.map((c) => ({ pattern: c.pattern, holder: c.holder, heldPattern: c.heldPattern, expiresAt: c.expiresAt, reservationId: c.reservationId })),
        };
      });
    },

    async releaseForStep(input) {
      return call(async () => {
        const result = await baton.project(input.project).reservations.release({ actor: workflowActor(input.workflowId, input.agent), ids: input.ids });
        return { released: result.released.length };
      });
    },

    async fetchCredentials(input) {
      return call(() => baton.project(input.project).channel.query(memberCredentialsQuery, { names: input.names }));
    },

    async recordTaskSuccess(input) {
      await call(() => baton.project(input.project).channel.update(recordSuccessUpdate, { actor: workflowActor(input.workflowId, input.agent) }));
    },

    runCommand,
  };
}

/** Client failures become ApplicationFailures; only an unreachable server is worth retrying. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = toBatonError(err);
    throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: e.code !== 'UNAVAILABLE' && e.code !== 'INTERNAL' });
  }
}

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
