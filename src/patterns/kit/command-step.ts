import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { CommandSpec } from '../../schemas/patterns';
import type { CommandResult, KitActivities } from './activities-api';
import { PatternAborted, type PatternRun } from './run';

/** Configured commands: heartbeats show they are alive; never retried by Temporal (a human decides). */
const commandActs = (timeoutMs: number) =>
  wf.proxyActivities<KitActivities>({
    startToCloseTimeout: timeoutMs + 30_000,
    heartbeatTimeout: '20s',
    retry: { maximumAttempts: 1 },
  });

/** How much of a command's output goes on the timeline (the result keeps the last 8 KB). */
const TIMELINE_OUTPUT_CHARS = 400;

export interface CommandOutcome {
  passed: boolean;
  summary: string;
  result: CommandResult;
}

/** The plan's workdir and variables every command of the run gets (see the plan's `workdir` and `env`). */
export interface CommandPlace {
  workdir?: string;
  env?: Record<string, string>;
}

/**
 * A step Baton's worker does itself: run one of the plan's commands in the project's checkout (see
 * src/activities/commands.ts for the environment and limits), its output's end on the timeline. With
 * `retry: 'human'` a failure asks a human (approve to run it again after a fix, reject to stop; at most
 * `maxRuns` runs); with `retry: 'none'` the caller decides what a failure means (a failed staging test
 * goes back to the fix).
 */
export async function commandStep(run: PatternRun, place: CommandPlace, spec: { step: string; label: string; command: CommandSpec; retry: 'human' | 'none'; maxRuns?: number; onBehalfOf?: string }): Promise<CommandOutcome> {
  const step = run.beginStep(spec.step, 'baton');
  for (;;) {
    const runs = run.attempt(step);
    run.log('command', `running ${spec.label}: ${spec.command.command}`, { step: spec.step });
    const result = await run.call(() =>
      commandActs(spec.command.timeout).runCommand({ command: spec.command.command, workdir: place.workdir, cwd: spec.command.cwd, env: place.env, timeoutMs: spec.command.timeout, label: spec.label }),
    );
    const passed = result.exitCode === 0;
    const how = result.timedOut ? `timed out after ${formatDuration(spec.command.timeout)}` : `exit ${result.exitCode ?? result.signal}`;
    const tail = result.output.trim() ? `; output ends: ${result.output.slice(-TIMELINE_OUTPUT_CHARS)}` : '';
    const summary = passed ? `\`${spec.command.command}\` passed in ${formatDuration(result.durationMs)}` : `\`${spec.command.command}\` failed (${how})${tail}`;
    // The output's end goes on the timeline either way (bounded), so people see what it said.
    run.log('command', `${spec.label}: ${summary}${passed ? tail : ''}`, { step: spec.step });
    if (passed || spec.retry === 'none') {
      run.endStep(step, passed ? 'done' : 'failed', { summary });
      return { passed, summary, result };
    }
    if (runs >= (spec.maxRuns ?? 5)) {
      run.endStep(step, 'failed', { summary });
      throw new PatternAborted(`${spec.label} failed ${runs} times; ${summary}`);
    }
    const decision = await run.decide({
      step: spec.step,
      question: `${spec.label} failed (${how}).${tail ? ` Output ends: ${result.output.slice(-TIMELINE_OUTPUT_CHARS)}.` : ''} Approve to run it again (after a fix); reject to stop.`,
      deadlines: run.plan.deadlines,
      onBehalfOf: spec.onBehalfOf,
    });
    if (!decision.approved) {
      run.endStep(step, 'failed', { summary });
      throw new PatternAborted(`${spec.label} failed and ${decision.by} stopped: ${decision.text ?? 'rejected'}`);
    }
  }
}
