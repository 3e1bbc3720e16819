import * as wf from '@temporalio/workflow';
import { BatonError } from '../../domain/errors';
import type { PatternResult } from '../../schemas/patterns';
import { PatternAborted, type PatternRun } from './run';

type Ending = { outcome: 'completed'; details: Record<string, unknown> } | { outcome: 'cancelled' | 'aborted'; reason: string };

/**
 * Runs a pattern's story and ends it cleanly whatever happens: completed (its starter is told),
 * cancelled by a human (the `cancel` signal) or from Temporal, or aborted (a human rejected, a plan
 * was impossible, a side effect failed for good). Every reservation the run still holds is released
 * and the people of the run are told about any ending other than success, so nothing is left in a
 * state nobody notices.
 *
 * Bounded: when the run has taken MAX_UPDATES_PER_RUN updates, or Temporal suggests it, or its history
 * grows long, it waits until nothing is in progress, refuses new updates (callers retry on the next
 * run), lets in-flight handlers finish, and continues as new carrying everything (see journal.ts).
 */
export async function runPattern(run: PatternRun, story: () => Promise<Record<string, unknown>>): Promise<PatternResult> {
  const scope = new wf.CancellationScope();
  run.install(scope);
  // Journaled like every call of a story: a continued run answers it from the journal (no second line).
  run.log('started', `${run.title}${run.startedBy ? ` (started by ${run.startedBy})` : ''}`, { actor: run.startedBy });
  const ending: Promise<Ending> = scope.run(story).then(
    (details): Ending => ({ outcome: 'completed', details }),
    // A cancel may also surface as something else (a child workflow that ended cancelled): the scope knows.
    (err): Ending => endingOf(run, scope.consideredCancelled ? new wf.CancelledFailure('cancelled') : err),
  );
  // Outside the story's scope: a cancel from Temporal ends the story (and the run, cleanly), not this wait.
  const moving = wf.CancellationScope.nonCancellable(() => wf.condition(() => run.continueAsNewDue && !run.journal.busy)).then(() => 'continue' as const);
  if ((await Promise.race([ending, moving])) === 'continue') {
    run.drain();
    await wf.CancellationScope.nonCancellable(() => wf.condition(() => wf.allHandlersFinished() && !run.journal.busy));
    // A cancel that arrived meanwhile ends this run instead (the story sees it as a cancellation).
    if (!run.cancelRequest) {
      run.timeline.log('continued', `continued as new (run ${run.generation + 2}) to keep its history short`);
      const info = wf.workflowInfo();
      await wf.makeContinueAsNewFunc({ typedSearchAttributes: info.typedSearchAttributes, memo: info.memo })(run.nextInput());
    }
  }
  const end = await ending;
  await wf.CancellationScope.nonCancellable(() => close(run, end));
  run.finish(end.outcome, end.outcome === 'completed' ? undefined : end.reason);
  await wf.CancellationScope.nonCancellable(() => wf.condition(wf.allHandlersFinished));
  const endedAt = Date.now();
  return {
    workflowId: run.workflowId,
    pattern: run.pattern,
    title: run.title,
    outcome: end.outcome,
    reason: end.outcome === 'completed' ? undefined : end.reason,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - run.startedAt,
    steps: run.steps.view(),
    details: end.outcome === 'completed' ? end.details : {},
  };
}

function endingOf(run: PatternRun, err: unknown): Ending {
  if (wf.isCancellation(err)) return { outcome: 'cancelled', reason: run.cancelRequest ? `cancelled by ${run.cancelRequest.by}: ${run.cancelRequest.reason}` : 'cancelled from Temporal' };
  if (err instanceof PatternAborted) return { outcome: 'aborted', reason: err.message };
  // A plan check against the directory (a reviewer not trusted, a member gone) stops the run in its words.
  if (err instanceof BatonError) return { outcome: 'aborted', reason: err.message };
  if (err instanceof wf.ActivityFailure) return { outcome: 'aborted', reason: `a step could not be carried out: ${err.cause?.message ?? err.message}` };
  if (err instanceof wf.ChildWorkflowFailure) return { outcome: 'aborted', reason: `a child workflow failed: ${err.cause?.message ?? err.message}` };
  throw err;
}

/** The last write: every lease released, and who needs to hear how it ended. */
async function close(run: PatternRun, end: Ending): Promise<void> {
  run.steps.endRunning(end.outcome === 'cancelled' ? 'cancelled' : 'failed');
  run.reports.closeAll();
  run.leases.handOverAll();
  const people = run.steps.people();
  if (end.outcome === 'completed') {
    // Whoever started it hears that it finished (and with what), even with nobody waiting on them.
    const lines = run.steps.view().map((s) => `  ${s.name} (${s.agent}): ${s.outcome}${s.summary ? ` - ${s.summary}` : ''}`);
    const to = run.startedBy ? [run.startedBy] : people.length ? people : 'humans';
    await run.writes.notify({ to, subject: `[${run.pattern}] ${run.title} completed`, body: [`${run.workflowId} completed.`, ...(lines.length ? ['', 'Steps:', ...lines] : [])].join('\n') });
    return;
  }
  await run.writes.notify({ to: people.length ? people : 'humans', subject: `[${run.pattern}] ${run.title} ${end.outcome}`, body: `${end.reason}\nEvery reservation of ${run.workflowId} is released.`, importance: 'high' });
  if (end.outcome === 'aborted') await run.writes.notify({ to: 'humans', subject: `[${run.pattern}] ${run.title} aborted`, body: `${end.reason}\nWorkflow: ${run.workflowId}`, importance: 'high' });
}
