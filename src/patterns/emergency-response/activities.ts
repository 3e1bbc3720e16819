import { Context, sleep } from '@temporalio/activity';
import { clientCall } from '../../activities/client-call';
import { runCommand } from '../../activities/commands';
import type { ActivityDeps } from '../../activities/deps';
import type { EmergencyActivities, MonitorInput, MonitorResult } from './activities-api';

/** Emergency Response's side effects: who may claim, and the monitoring window. */
export function createEmergencyActivities({ baton }: ActivityDeps): EmergencyActivities {
  return {
    async listAgentNames({ project }) {
      return clientCall(async () => (await baton.project(project).agents.list({ kind: 'agent' })).map((m) => m.name));
    },
    monitorHealth,
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
    const result = await runCommand({ command: input.command, workdir: input.workdir, cwd: input.cwd, env: input.env, timeoutMs: input.timeoutMs, label: `health check ${checks + 1}` });
    checks += 1;
    ctx.heartbeat({ checks, healthy: result.exitCode === 0 });
    if (result.exitCode !== 0) return { healthy: false, checks, durationMs: Date.now() - started, failure: result };
    if (Date.now() - started + input.everyMs > input.windowMs) return { healthy: true, checks, durationMs: Date.now() - started };
    // Cancellation-aware: a cancelled incident stops monitoring at once.
    await sleep(input.everyMs);
  }
}
