import { formatDuration } from '../../domain/patterns/duration';
import { newGate } from './gates';
import type { Report } from './reports';
import type { PatternRun } from './run';

/**
 * Sync points of parallel work, kept across the waits between reports (and into the next run): when
 * the work started, which checkpoint comes next, whom it nudged and whether the humans were told.
 */
export interface CheckpointState {
  workStarted: number;
  next: number;
  nudgedAt: Record<string, number>;
  told: Record<string, boolean>;
}

export const newCheckpoints = (now: number): CheckpointState => ({ workStarted: now, next: 1, nudgedAt: {}, told: {} });

/**
 * Wait until one of the agents working in parallel reports (done or fail) and answer it, keeping the
 * sync points meanwhile: at every checkpoint (`every`), an agent with no progress since the last one
 * is nudged (and the project's "no sync points" alert hears of it); still silent `grace` after the
 * nudge, the humans are told. A report closes that agent's step.
 */
export function syncUntilReport(run: PatternRun, agents: { agent: string; step: string }[], plan: { every: number; grace: number }, cp: CheckpointState): Promise<{ agent: string; report: Report }> {
  return run.journal.wait(
    () => newGate(Date.now()),
    async (gate) => {
      const open = () => agents.map((a) => run.reports.of(a.agent)).filter((a) => a !== undefined);
      const reported = () => open().find((a) => a.report !== undefined);
      const nextWake = () => {
        const graceEnds = agents.filter((a) => cp.nudgedAt[a.agent] !== undefined && !cp.told[a.agent]).map((a) => cp.nudgedAt[a.agent]! + plan.grace);
        return Math.min(cp.workStarted + cp.next * plan.every, ...graceEnds);
      };
      await run.gates.wait(
        {
          step: 'parallel work',
          who: () => open().map((a) => a.agent),
          ready: () => reported() !== undefined,
          remind: async () => undefined,
          escalation: () => '',
          poll: {
            every: () => nextWake() - Date.now(),
            run: async () => {
              const now = Date.now();
              // A nudged agent that reported since is back on track.
              for (const a of open()) {
                if (cp.nudgedAt[a.agent] !== undefined && a.lastProgressAt > cp.nudgedAt[a.agent]!) {
                  delete cp.nudgedAt[a.agent];
                  delete cp.told[a.agent];
                }
              }
              const checkpointAt = cp.workStarted + cp.next * plan.every;
              if (now >= checkpointAt) {
                const since = checkpointAt - plan.every;
                const missed = open().filter((a) => a.lastProgressAt <= since && cp.nudgedAt[a.agent] === undefined);
                const ok = open().filter((a) => a.lastProgressAt > since);
                run.timeline.log('checkpoint', `checkpoint ${cp.next}: ${ok.map((a) => a.agent).join(', ') || 'nobody'} checked in${missed.length ? `; missed: ${missed.map((a) => a.agent).join(', ')}` : ''}`, { step: 'parallel work' });
                for (const a of missed) {
                  cp.nudgedAt[a.agent] = now;
                  await run.writes.write({ signals: [{ kind: 'checkpoint-missed', agent: a.agent, step: a.step, silentForMs: now - a.lastProgressAt }] }).catch(() => undefined);
                  await run.writes.notify({
                    to: [a.agent],
                    subject: `Checkpoint missed: ${run.title}`,
                    body: `No check-in from you since the last sync point. Share your progress and any blockers now:\n  baton progress ${run.workflowId} --note "..."\nThe humans are told in ${formatDuration(plan.grace)} otherwise.`,
                    importance: 'high',
                    onBehalfOf: a.agent,
                  });
                }
                // Checkpoints that passed while the worker was down count as one: one sync is enough to catch up.
                cp.next = Math.floor((now - cp.workStarted) / plan.every) + 1;
              }
              const silent = open().filter((a) => cp.nudgedAt[a.agent] !== undefined && !cp.told[a.agent] && now >= cp.nudgedAt[a.agent]! + plan.grace);
              for (const a of silent) cp.told[a.agent] = true;
              if (silent.length) return `${silent.map((a) => a.agent).join(', ')} missed a checkpoint of "${run.title}" and did not answer the nudge within ${formatDuration(plan.grace)}.`;
            },
          },
        },
        gate,
      );
      const a = reported()!;
      run.reports.close(a);
      return { agent: a.agent, report: a.report! };
    },
  );
}
