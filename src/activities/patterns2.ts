import { ApplicationFailure, Context, sleep } from '@temporalio/activity';
import { toBatonError } from '../client/errors';
import { workflowActor } from '../client/reservations';
import { reportSignalUpdate } from '../workflows/project/alerts-api';
import { memberQuery } from '../workflows/project/directory-api';
import type { AlertActivities } from '../workflows/alerts/report';
import type { MonitorInput, MonitorResult, Patterns2Activities } from '../workflows/patterns/patterns2-activities-api';
import type { ActivityDeps } from './index';
import { runCommand } from './patterns';

/**
 * Side effects of Emergency Response, Onboarding and the anti-pattern alerts: reads of the project's
 * directory, the monitoring window (a health check polled with heartbeats), and pattern signals sent
 * to the project workflow's alerts module with the internal workflow actor.
 */
export function createPatterns2Activities({ baton }: ActivityDeps): Patterns2Activities & AlertActivities {
  return {
    async listAgentNames({ project }) {
      return call(async () => (await baton.project(project).agents.list({ kind: 'agent' })).map((m) => m.name));
    },

    async memberTrust({ project, name }) {
      return call(async () => {
        const p = baton.project(project);
        const member = await p.channel.query(memberQuery, { name });
        if (!member) return null;
        const settings = (await p.describe()).settings;
        return { name: member.name, trusted: member.trust === 'trusted', successfulTasks: member.successfulTasks, trustAfterTasks: settings.trustAfterTasks };
      });
    },

    monitorHealth,

    async reportToProject({ project, workflowId, signal }) {
      await call(() => baton.project(project).channel.update(reportSignalUpdate, { actor: workflowActor(workflowId, signal.agent), workflowId, signal }));
    },
  };
}

/**
 * The monitoring window: run the health check every `everyMs` for `windowMs`, heartbeating between
 * checks (a dead worker is noticed within the heartbeat timeout and the window restarts elsewhere).
 * The first failing check ends it: the workflow reopens the incident.
 */
export async function monitorHealth(input: MonitorInput): Promise<MonitorResult> {
  const ctx = Context.current();
  const started = Date.now();
  let checks = 0;
  for (;;) {
    const result = await runCommand({ command: input.command, cwd: input.cwd, timeoutMs: input.timeoutMs, label: `health check ${checks + 1}` });
    checks += 1;
    ctx.heartbeat({ checks, healthy: result.exitCode === 0 });
    if (result.exitCode !== 0) return { healthy: false, checks, durationMs: Date.now() - started, failure: result };
    if (Date.now() - started + input.everyMs > input.windowMs) return { healthy: true, checks, durationMs: Date.now() - started };
    // Cancellation-aware: a cancelled incident stops monitoring at once.
    await sleep(input.everyMs);
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = toBatonError(err);
    throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: e.code !== 'UNAVAILABLE' && e.code !== 'INTERNAL' });
  }
}
