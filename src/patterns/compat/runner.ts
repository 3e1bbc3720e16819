import * as wf from '@temporalio/workflow';
import type { PatternResult } from '../../schemas/patterns';
import { iso, PatternAborted, type PatternRun } from './run';

/**
 * Runs a pattern's story and ends it cleanly whatever happens: completed, cancelled by a human (the
 * `cancel` signal) or from Temporal, or aborted (a human rejected, a plan was impossible, a side effect
 * failed for good). Every reservation still held is released and the humans are told about any ending
 * other than success, so nothing is left in a state nobody notices.
 */
export async function runPattern(run: PatternRun, story: () => Promise<Record<string, unknown>>): Promise<PatternResult> {
  const scope = new wf.CancellationScope();
  run.install(scope);
  run.log('started', `${run.title}${run.startedBy ? ` (started by ${run.startedBy})` : ''}`, { actor: run.startedBy });
  run.show({ step: 'starting', waitingFor: [], needsHuman: false });
  let outcome: PatternResult['outcome'] = 'completed';
  let reason: string | undefined;
  let details: Record<string, unknown> = {};
  try {
    details = await scope.run(story);
  } catch (err) {
    if (wf.isCancellation(err)) {
      outcome = 'cancelled';
      reason = run.cancelRequest ? `cancelled by ${run.cancelRequest.by}: ${run.cancelRequest.reason}` : 'cancelled from Temporal';
    } else if (err instanceof PatternAborted) {
      outcome = 'aborted';
      reason = err.message;
    } else if (err instanceof wf.ActivityFailure) {
      outcome = 'aborted';
      reason = `a step could not be carried out: ${err.cause?.message ?? err.message}`;
    } else {
      throw err;
    }
  }
  await wf.CancellationScope.nonCancellable(async () => {
    for (const step of run.steps) if (step.outcome === 'running') run.endStep(step, outcome === 'cancelled' ? 'cancelled' : 'failed');
    await run.releaseAll();
    if (outcome !== 'completed') {
      run.log(outcome === 'cancelled' ? 'cancelled' : 'aborted', reason ?? outcome);
      const people = [...new Set(run.steps.map((s) => s.agent))];
      await run.notify(people.length ? people : 'humans', `[${run.pattern}] ${run.title} ${outcome}`, `${reason}\nEvery reservation of ${run.workflowId} is released.`, { importance: 'high' });
      if (outcome === 'aborted') await run.notify('humans', `[${run.pattern}] ${run.title} aborted`, `${reason}\nWorkflow: ${run.workflowId}`, { importance: 'high' });
    }
  });
  run.finish(outcome === 'completed' ? 'completed' : outcome, reason);
  await wf.condition(wf.allHandlersFinished);
  const ended = Date.now();
  return {
    workflowId: run.workflowId,
    pattern: run.pattern,
    title: run.title,
    outcome,
    reason,
    startedAt: iso(run.startedAt),
    endedAt: iso(ended),
    durationMs: ended - run.startedAt,
    steps: run.steps,
    details,
  };
}
