import * as wf from '@temporalio/workflow';
import { checkReviewer } from '../../domain/patterns/plan';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { CodeReviewPlanFields, type CodeReviewPlan, type CodeReviewPlanInput } from '../code-review/plan';
import { guarded, parseOrFail } from '../../workflows/failure';
import { acts, awaitHumanDecision, commandActs, iso, PatternAborted, PatternRun, reserveFiles, runPattern, workUntilDone, type DoneReport } from './index';

interface Verdict {
  verdict: 'approve' | 'request_changes';
  required: string[];
  suggestions: string[];
  summary?: string;
  by: string;
  at: string;
}

/**
 * Code Review: one agent writes, another reviews.
 *
 * 1. Implementation: the author works under an exclusive lease and says ready (done + handoff).
 * 2. Review: the author's lease is released first; the reviewer (never the author; a trusted agent or
 *    a human) takes a shared lease and approves or requests changes, comments split into required
 *    and suggestions.
 * 3. Revisions: on changes the author re-reserves, revises and asks for re-review; at most
 *    `maxRevisions` rounds, then a human decides.
 * 4. Approval and merge: a configured command runs as an activity, or the author merges and confirms.
 */
export async function compatCodeReview(input: PatternWorkflowInput<CodeReviewPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(CodeReviewPlanFields, input.plan, 'Code Review plan');
  guarded(() => checkReviewer(plan.author, plan.reviewer));
  const run = new PatternRun(input.project, 'code-review', plan, input.startedBy);
  const { author, reviewer, files, deadlines } = plan;
  const policy = { onFail: 'human' as const, maxAttempts: 1 };

  return runPattern(run, async () => {
    await run.requireMembers([author, reviewer]);
    const reviewerIs = run.credential(reviewer)!;
    if (reviewerIs.kind === 'agent' && !reviewerIs.trusted) {
      throw new PatternAborted(`${reviewerIs.name} is a new agent: reviewers are trusted agents or humans (trust comes from successful tasks).`);
    }
    const humanReviewer = reviewerIs.kind === 'human';
    const reviews: Verdict[] = [];

    // 1. Implementation, under the author's exclusive lease.
    let work = run.beginStep('implementation', author);
    let leases = await reserveFiles(run, { step: work.name, agent: author, files, exclusive: true, deadlines, reason: `${plan.title}: implementation` });
    let ready: DoneReport = await workUntilDone(
      run,
      { name: work.name, agent: author, task: plan.task, files, exclusive: true, deadlines, notes: ['', `When it is ready for review by ${reviewer}, report done with a handoff (what, where, how to test); your lease is released before the review.`] },
      policy,
      work,
    );

    for (let round = 1; ; round++) {
      // 2. Release before review: the reviewer reads what the author will no longer change.
      await run.release(author, leases);
      run.endStep(work, 'done', ready);

      const review = run.beginStep(`review ${round}`, reviewer);
      const shared = await reserveFiles(run, { step: review.name, agent: reviewer, files, exclusive: false, deadlines, reason: `${plan.title}: review ${round}` });
      const verdict = await awaitReview(run, review.name, ready, round, humanReviewer);
      reviews.push(verdict);
      review.attempts = 1;
      await run.release(reviewer, shared);
      run.endStep(review, 'done', { summary: `${verdict.verdict === 'approve' ? 'approved' : 'changes requested'}${verdict.summary ? `: ${verdict.summary}` : ''}` });

      if (verdict.verdict === 'approve') {
        await acts.recordTaskSuccess({ project: run.project, workflowId: run.workflowId, agent: author });
        break;
      }

      // 3. Revisions, bounded: past the limit a human settles it.
      if (round > plan.maxRevisions) {
        const decision = await awaitHumanDecision(run, {
          step: review.name,
          question: `${round} review rounds and ${reviewer} still requests changes (${verdict.required.join('; ')}). Approve to merge as it stands; reject to stop the review.`,
          deadlines,
          onBehalfOf: author,
        });
        if (!decision.approved) throw new PatternAborted(`revision limit (${plan.maxRevisions}) reached and ${decision.by} stopped the review: ${decision.text ?? 'rejected'}`);
        break;
      }
      work = run.beginStep(`revision ${round}`, author);
      leases = await reserveFiles(run, { step: work.name, agent: author, files, exclusive: true, deadlines, reason: `${plan.title}: revision ${round}` });
      ready = await workUntilDone(
        run,
        {
          name: work.name,
          agent: author,
          task: `Address ${reviewer}'s review of "${plan.title}" (round ${round} of at most ${plan.maxRevisions}).`,
          files,
          exclusive: true,
          deadlines,
          notes: [
            '',
            'Required changes:',
            ...verdict.required.map((c) => `  - ${c}`),
            ...(verdict.suggestions.length ? ['Suggestions (optional):', ...verdict.suggestions.map((c) => `  - ${c}`)] : []),
            '',
            'When done, report done with a handoff: it asks for a re-review.',
          ],
        },
        policy,
        work,
      );
    }

    // 4. Merge: a configured command, or the author merges and confirms.
    const merge = await mergeStep(run, plan, author, deadlines);
    return { rounds: reviews.length, reviews, merge };
  });

  /**
   * Wait for the reviewer's verdict: `baton review` (agents and humans), or for a human reviewer also
   * `baton approve` / `baton reject --reason` (the reason becomes the required change).
   */
  async function awaitReview(run: PatternRun, step: string, ready: DoneReport, round: number, humanReviewer: boolean): Promise<Verdict> {
    run.log('assigned', `review round ${round} sent to ${reviewer}`, { step, actor: reviewer });
    const a = run.open(step, reviewer, ['progress', 'review'], false);
    if (humanReviewer) {
      run.decision = { id: wf.uuid4(), step, question: `Review "${plan.title}" by ${author}: approve, or reject with the changes required.`, approvers: [reviewer], since: iso(Date.now()) };
      run.decisionOutcome = undefined;
    }
    run.show({ step, waitingFor: [reviewer], needsHuman: humanReviewer });
    // The review is open before the reviewer hears of it, so a fast answer is never refused.
    const h = ready.handoff;
    await run.notify(
      [reviewer],
      `[code-review] ${plan.title}: ${round === 1 ? 'review' : 're-review'} requested by ${author}`,
      [
        `Workflow: ${run.workflowId}`,
        `Step: ${step} (shared lease held for you on ${run.describeFiles(files)})`,
        `Task: ${plan.task}`,
        `${author} says: ${ready.summary}`,
        ...(h ? [`  What was done: ${h.whatWasDone}`, `  Where: ${h.where.join(', ')}`, `  How to test: ${h.howToTest}`] : []),
        '',
        'Check logic, tests and patterns; separate required changes from suggestions:',
        `  baton review ${run.workflowId} --approve [--suggestion "..."]`,
        `  baton review ${run.workflowId} --request-changes --required "..." [--suggestion "..."]`,
        ...(humanReviewer ? [`  (or baton approve ${run.workflowId} / baton reject ${run.workflowId} --reason "...")`] : []),
      ].join('\n'),
      { onBehalfOf: author, importance: 'high' },
    );
    try {
      await run.waitWithDeadlines(
        () => a.report !== undefined || run.decisionOutcome !== undefined,
        deadlines,
        () => a.lastProgressAt,
        {
          remind: async () => {
            run.log('reminder', `${reviewer} reminded to review`, { step, actor: reviewer });
            await run.notify([reviewer], `Reminder: ${plan.title} waits for your review`, `baton review ${run.workflowId} --approve | --request-changes --required "..."`, { onBehalfOf: author, importance: 'high' });
          },
          escalate: () => run.escalate(step, `${reviewer} has not reviewed "${plan.title}" yet.`, author),
        },
      );
    } finally {
      run.close(a);
      run.decision = undefined;
    }
    const decision = run.decisionOutcome;
    run.decisionOutcome = undefined;
    run.escalated = false;
    run.show({ waitingFor: [], needsHuman: false });
    const at = iso(Date.now());
    if (a.report?.kind === 'review') return { verdict: a.report.verdict, required: a.report.required, suggestions: a.report.suggestions, summary: a.report.summary, by: reviewer, at };
    if (decision!.approved) return { verdict: 'approve', required: [], suggestions: [], summary: decision!.text, by: decision!.by, at };
    return { verdict: 'request_changes', required: [decision!.text ?? 'changes requested'], suggestions: [], by: decision!.by, at };
  }
}

async function mergeStep(run: PatternRun, plan: CodeReviewPlan, author: string, deadlines: CodeReviewPlan['deadlines']): Promise<Record<string, unknown>> {
  const step = run.beginStep('merge', plan.merge ? 'baton' : author);
  step.attempts = 0;
  if (!plan.merge) {
    const confirmed = await workUntilDone(
      run,
      { name: 'merge', agent: author, task: `${plan.reviewer} approved "${plan.title}": merge it, then confirm with \`baton done ${run.workflowId} --summary "merged as <commit>"\`.`, files: [], exclusive: true, deadlines },
      { onFail: 'human', maxAttempts: 1 },
      step,
      false,
    );
    run.endStep(step, 'done', { summary: confirmed.summary });
    return { by: author, summary: confirmed.summary };
  }
  const merge = plan.merge;
  for (;;) {
    step.attempts += 1;
    run.show({ step: 'merge', waitingFor: [] });
    run.log('command', `running merge command: ${merge.command}`, { step: 'merge' });
    const result = await commandActs(merge.timeout).runCommand({ command: merge.command, cwd: merge.cwd, timeoutMs: merge.timeout, label: 'merge' });
    run.log('command', `merge command ${result.exitCode === 0 ? 'succeeded' : `failed (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''})`}`, { step: 'merge' });
    if (result.exitCode === 0) {
      run.endStep(step, 'done', { summary: `merged: ${merge.command}` });
      return { command: merge.command, exitCode: 0, output: result.output.slice(-2000) };
    }
    if (step.attempts >= 5) throw new PatternAborted(`the merge command failed ${step.attempts} times; last output: ${result.output.slice(-500)}`);
    const decision = await awaitHumanDecision(run, {
      step: 'merge',
      question: `The merge command failed (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''}). Output ends: ${result.output.slice(-400)}. Approve to run it again; reject to stop.`,
      deadlines,
      onBehalfOf: author,
    });
    if (!decision.approved) throw new PatternAborted(`the merge failed and ${decision.by} stopped: ${decision.text ?? 'rejected'}`);
  }
}
