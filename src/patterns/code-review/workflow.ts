import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import { ReviewInput, type PatternResult, type PatternWorkflowInput } from '../../schemas/patterns';
import { guarded, parseOrFail } from '../../workflows/failure';
import { compatCodeReview } from '../compat/code-review';
import { assignAndAwait, describeHandover, reserveFiles, type Handover } from '../kit/assign';
import { commandStep } from '../kit/command-step';
import { newGate } from '../kit/gates';
import type { DoneReport } from '../kit/reports';
import { PATTERN_KIT_PATCH, PatternAborted, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import { reviewUpdate } from './api';
import { checkCodeReviewMembers, checkCodeReviewPlan, CodeReviewPlan, type CodeReviewPlanInput } from './plan';

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
 * 2. Review: the author's step lease is released (never a lease it held before) and the reviewer (never the author; a trusted agent or a
 *    human) takes a shared one with the request to review, in one write; it approves or requests
 *    changes, required changes apart from suggestions.
 * 3. Revisions: the author re-reserves, addresses the required changes and asks for a re-review; at most
 *    `maxRevisions` rounds, then a human decides.
 * 4. Approval: the reviewer's approval counts for the author's trust; then the merge (a configured
 *    command, or the author merges and confirms).
 */
export async function codeReviewWorkflow(input: PatternWorkflowInput<CodeReviewPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatCodeReview(input);
  const plan = parseOrFail(CodeReviewPlan, input.plan, 'Code Review plan');
  guarded(() => checkCodeReviewPlan(plan));
  const run = new PatternRun(input, 'code-review', plan);
  const { author, reviewer, files, deadlines } = plan;
  const policy = { onFail: 'human' as const, maxAttempts: 1 };
  let humanReviewer = false;

  run.reports.define(reviewUpdate, ReviewInput, 'review', 'review', (a, review) => {
    a.report = { kind: 'review', at: Date.now(), verdict: review.verdict, required: review.required, suggestions: review.suggestions, summary: review.summary };
    run.timeline.log('review', `${review.verdict === 'approve' ? 'approved' : 'requested changes'} (${review.required.length} required, ${review.suggestions.length} suggestions)`, { step: a.step, actor: a.agent });
    return 'Review recorded.';
  });

  return runPattern(run, async () => {
    await run.requireMembers([author, reviewer]);
    checkCodeReviewMembers(plan, run.members.lookup);
    humanReviewer = run.members.get(reviewer)!.kind === 'human';
    const reviews: Verdict[] = [];

    // 1. Implementation, under the author's exclusive lease.
    let ready = await implement('implementation', plan.task, []);

    for (let round = 1; ; round++) {
      // 2. Review: the author's files are released in the same write that gives the reviewer theirs.
      const verdict = await review(round, ready);
      reviews.push(verdict);
      if (verdict.verdict === 'approve') {
        run.credit(author, verdict.by);
        break;
      }
      // 3. Revisions, bounded: past the limit a human settles it.
      if (round > plan.maxRevisions) {
        const decision = await run.decide({
          step: `review ${round}`,
          question: `${round} review rounds and ${reviewer} still requests changes (${verdict.required.join('; ')}). Approve to merge as it stands; reject to stop the review.`,
          deadlines,
          onBehalfOf: author,
        });
        if (!decision.approved) throw new PatternAborted(`revision limit (${plan.maxRevisions}) reached and ${decision.by} stopped the review: ${decision.text ?? 'rejected'}`);
        run.credit(author, decision.by);
        break;
      }
      ready = await implement(`revision ${round}`, `Address ${reviewer}'s review of "${plan.title}" (round ${round} of at most ${plan.maxRevisions}).`, [
        '',
        'Required changes:',
        ...verdict.required.map((c) => `  - ${c}`),
        ...(verdict.suggestions.length ? ['Suggestions (optional):', ...verdict.suggestions.map((c) => `  - ${c}`)] : []),
        '',
        'When done, report done with a handoff: it asks for a re-review.',
      ]);
    }

    // 4. Merge: a configured command, or the author merges and confirms.
    const merge = await mergeStep();
    return { rounds: reviews.length, reviews, merge };
  });

  /** The author's work (first implementation or a revision): exclusive lease, done with a handoff. */
  async function implement(name: string, task: string, notes: string[]): Promise<DoneReport & { step: string }> {
    const { report } = await assignAndAwait(
      run,
      { name, agent: author, task, files, exclusive: true, deadlines, notes: ['', `When it is ready for review by ${reviewer}, report done with a handoff (what, where, how to test).`, ...notes], onDone: `${reviewer} is asked to review (with your handoff).` },
      policy,
      // The author's success counts once the reviewer approves, not before.
      { acceptedBy: null },
    );
    return { ...report, step: name };
  }

  /**
   * One review round: the reviewer's shared lease and the request (with the author's handoff, whole)
   * in one write; a human reviewer may also answer with `baton approve` / `baton reject --reason` (the
   * reason becomes the required change).
   */
  async function review(round: number, ready: DoneReport & { step: string }): Promise<Verdict> {
    const name = `review ${round}`;
    const step = run.beginStep(name, reviewer);
    const decisionId = humanReviewer ? run.journal.sync(() => run.decisions.open({ step: name, question: `Review "${plan.title}" by ${author}: approve, or reject with the changes required.`, approvers: [reviewer], deadlines }).id) : undefined;
    const handover: Handover = { agent: author, step: ready.step, summary: ready.summary, handoff: ready.handoff };
    const leases = await reserveFiles(run, {
      step: name,
      agent: reviewer,
      files,
      exclusive: false,
      deadlines,
      reason: `${plan.title}: ${name}`,
      open: { accepts: ['review'], expectHandoff: false, onDone: '' },
      notice: {
        to: [reviewer],
        subject: `[code-review] ${plan.title}: ${round === 1 ? 'review' : 're-review'} requested by ${author}`,
        body: [
          `Workflow: ${run.workflowId}`,
          `Step: ${name} (shared lease held for you on ${files.join(', ')})`,
          `Task: ${plan.task}`,
          '',
          ...describeHandover(handover),
          '',
          'Check logic, tests and patterns; separate required changes from suggestions:',
          `  baton review ${run.workflowId} --approve [--suggestion "..."]`,
          `  baton review ${run.workflowId} --request-changes --required "..." [--suggestion "..."]`,
          ...(decisionId ? [`  (or baton approve ${run.workflowId} ${decisionId} / baton reject ${run.workflowId} ${decisionId} --reason "...")`] : []),
        ].join('\n'),
        importance: 'high',
        onBehalfOf: author,
      },
    });
    run.attempt(step);
    const verdict = await run.journal.wait(
      () => newGate(Date.now()),
      async (state): Promise<Verdict> => {
        const a = run.reports.of(reviewer)!;
        try {
          await run.gates.wait(
            {
              step: name,
              who: () => [reviewer],
              deadlines,
              ready: () => a.report !== undefined || (decisionId !== undefined && run.decisions.answered(decisionId)),
              lastSign: () => a.lastProgressAt,
              onBehalfOf: author,
              remind: async (waited) => {
                run.timeline.log('reminder', `${reviewer} reminded to review (waiting ${formatDuration(waited)})`, { step: name, actor: reviewer });
                await run.writes.notify({ to: [reviewer], subject: `Reminder: ${plan.title} waits for your review`, body: `baton review ${run.workflowId} --approve | --request-changes --required "..."`, importance: 'high', onBehalfOf: author });
              },
              escalation: (waited) => `${reviewer} has not reviewed "${plan.title}" for ${formatDuration(waited)}.`,
            },
            state,
          );
        } finally {
          run.reports.close(a);
        }
        const at = new Date(Date.now()).toISOString();
        const decision = decisionId !== undefined ? run.decisions.take(decisionId) : undefined;
        if (decisionId !== undefined && !decision) run.decisions.withdraw(decisionId);
        if (a.report?.kind === 'review') return { verdict: a.report.verdict, required: a.report.required, suggestions: a.report.suggestions, summary: a.report.summary, by: reviewer, at };
        if (decision!.approved) return { verdict: 'approve', required: [], suggestions: [], summary: decision!.text, by: decision!.by, at };
        return { verdict: 'request_changes', required: [decision!.text ?? 'changes requested'], suggestions: [], by: decision!.by, at };
      },
    );
    run.handOver(leases);
    run.endStep(step, 'done', { summary: `${verdict.verdict === 'approve' ? 'approved' : 'changes requested'}${verdict.summary ? `: ${verdict.summary}` : ''}` });
    return verdict;
  }

  async function mergeStep(): Promise<Record<string, unknown>> {
    if (plan.merge) {
      const outcome = await commandStep(run, plan, { step: 'merge', label: 'the merge command', command: plan.merge, retry: 'human', onBehalfOf: author });
      return { command: plan.merge.command, exitCode: 0, output: outcome.result.output.slice(-2000) };
    }
    const { report } = await assignAndAwait(
      run,
      {
        name: 'merge',
        agent: author,
        task: `${reviewer} approved "${plan.title}": merge it, then confirm with \`baton done ${run.workflowId} --summary "merged as <commit>"\`.`,
        files: [],
        exclusive: true,
        deadlines,
        expectHandoff: false,
        onDone: 'the review is complete; its starter is told.',
      },
      policy,
      { acceptedBy: null },
    );
    return { by: author, summary: report.summary };
  }
}
