import * as wf from '@temporalio/workflow';
import { patternWorkflowId } from '../../domain/ids';
import { checkDisjointFiles, checkReviewer } from '../../domain/patterns/plan';
import { featureFiles, FullStackPlanFields, type FullStackPlanInput } from '../full-stack-feature/plan';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { patternSearchAttributes } from '../../search-attributes';
import type { CodeReviewPlanInput } from '../code-review/plan';
import type { ParallelDevelopmentPlanInput } from '../parallel-development/plan';
import { guarded, parseOrFail } from '../../workflows/failure';
import { PatternAborted, PatternRun, runPattern, runStep } from './index';

/**
 * Full-Stack Feature (e.g. user authentication), composed of the other patterns:
 *
 * 1. Planning: the human who starts it broadcasts the plan.
 * 2. Database: the Database agent's step (migration); its handoff goes to Backend as "DB ready".
 * 3. Backend + Frontend in parallel on separate files: Parallel Development as a child workflow;
 *    Frontend builds the UI without API calls...
 * 4. ...then integrates: the child's integration step is Frontend's, with Backend's handoff (the API
 *    contract) in its task.
 * 5. Testing: the Test agent takes shared leases on every file of the feature, runs E2E tests, reports.
 * 6. Code Review (a child workflow) closes it.
 */
export async function compatFullStackFeature(input: PatternWorkflowInput<FullStackPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(FullStackPlanFields, input.plan, 'Full-Stack Feature plan');
  const { database, backend, frontend, test } = plan;
  const reviewAuthor = plan.reviewAuthor ?? backend.agent;
  guarded(() => checkDisjointFiles([backend, frontend]));
  guarded(() => checkReviewer(reviewAuthor, plan.reviewer));
  const run = new PatternRun(input.project, 'full-stack-feature', plan, input.startedBy);
  const files = featureFiles(plan);
  const baseId = run.workflowId.split('/').pop()!;
  const seconds = (ms: number) => ms / 1000;
  const common = {
    deadlines: { reminderAfter: seconds(plan.deadlines.reminderAfter), escalateAfter: seconds(plan.deadlines.escalateAfter) },
    leaseTtl: seconds(plan.leaseTtl),
    reservationRetry: seconds(plan.reservationRetry),
    approvers: plan.approvers,
  };
  const policy = { onFail: 'human' as const, maxAttempts: 1 };

  return runPattern(run, async () => {
    const agents = [...new Set([database.agent, backend.agent, frontend.agent, test.agent, reviewAuthor])];
    await run.requireMembers([...agents, plan.reviewer]);
    if (plan.requireTrusted) {
      const untrusted = agents.filter((a) => !run.credential(a)!.trusted);
      if (untrusted.length) throw new PatternAborted(`complex work is for trusted agents: ${untrusted.join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} new (trust comes from successful tasks, e.g. through Onboarding); or start with requireTrusted: false.`);
    }

    // 1. The plan, broadcast by the human who started it.
    await run.notify(
      'all',
      `[full-stack] plan: ${plan.title}`,
      [
        `Workflow: ${run.workflowId}`,
        `1. Database: ${database.agent}: ${database.task} (${database.files.join(', ')})`,
        `2. In parallel: Backend ${backend.agent}: ${backend.task} (${backend.files.join(', ')}); Frontend ${frontend.agent}: ${frontend.task} (${frontend.files.join(', ')}, no API calls yet)`,
        `3. Integration: ${backend.agent} hands ${frontend.agent} the API contract; ${frontend.agent} integrates and tests locally`,
        `4. E2E tests: ${test.agent} (shared leases on every file of the feature)`,
        `5. Code review: ${reviewAuthor} -> ${plan.reviewer}`,
      ].join('\n'),
      { onBehalfOf: input.startedBy },
    );

    // 2. Database, then "DB ready" to Backend.
    const db = await runStep(
      run,
      { name: 'database', agent: database.agent, task: database.task, files: database.files, exclusive: true, deadlines: plan.deadlines, position: '1 of 5', notes: ['', `When you are done, your handoff goes to ${backend.agent} (Backend) as "DB ready".`] },
      policy,
    );
    const h = db.report.handoff;
    await run.notify(
      [backend.agent],
      `[full-stack] DB ready: ${plan.title}`,
      [`${database.agent}: ${db.report.summary}`, ...(h ? [`What was done: ${h.whatWasDone}`, `Where: ${h.where.join(', ')}`, `How to test: ${h.howToTest}`] : []), '', 'Your Backend task arrives next (in parallel with Frontend).'].join('\n'),
      { onBehalfOf: database.agent, importance: 'high' },
    );

    // 3 + 4. Backend and Frontend in parallel, then Frontend integrates Backend's API contract.
    const parallelId = patternWorkflowId(run.project, 'parallel-development', `${baseId}-layers`);
    const parallelPlan: ParallelDevelopmentPlanInput = {
      ...common,
      title: `${plan.title}: backend + frontend`.slice(0, 200),
      checkpointEvery: seconds(plan.checkpointEvery),
      checkpointGrace: seconds(plan.checkpointGrace),
      workers: [
        { agent: backend.agent, task: `${backend.task}. The database is ready (${database.agent}: ${db.report.summary}). Put the API contract in your handoff (endpoints, request and response shapes, errors): ${frontend.agent} integrates against it.`, files: backend.files },
        { agent: frontend.agent, task: `${frontend.task} (no API calls yet: the API contract comes from ${backend.agent} for the integration step).`, files: frontend.files },
      ],
      integration: { agent: frontend.agent, task: `Integrate the API calls using ${backend.agent}'s API contract (in the handoffs below), and test locally.`, files: frontend.files },
    };
    run.log('step-started', `backend + frontend in parallel: ${parallelId}`, { step: 'backend + frontend' });
    run.show({ step: 'backend + frontend', waitingFor: [backend.agent, frontend.agent] });
    const layers = await wf.executeChild<(input: PatternWorkflowInput<ParallelDevelopmentPlanInput>) => Promise<PatternResult>>('parallelDevelopmentWorkflow', {
      workflowId: parallelId,
      args: [{ project: run.project, plan: parallelPlan, startedBy: input.startedBy }],
      typedSearchAttributes: patternSearchAttributes(run.project, 'parallel-development'),
      memo: { title: parallelPlan.title },
      staticSummary: `Parallel Development (full-stack ${plan.title})`.slice(0, 200),
    });
    if (layers.outcome !== 'completed') throw new PatternAborted(`backend + frontend (${parallelId}) ${layers.outcome}: ${layers.reason ?? ''}`);
    run.log('step-finished', `backend + frontend done and integrated (${parallelId})`, { step: 'backend + frontend' });

    // 5. E2E tests on shared leases of every file of the feature.
    const handoffs = layers.steps.filter((s) => s.handoff).map((s) => `  - ${s.agent} (${s.name}): ${s.summary ?? ''}; where: ${s.handoff!.where.join(', ')}; test: ${s.handoff!.howToTest}`);
    const e2e = await runStep(
      run,
      {
        name: 'e2e tests',
        agent: test.agent,
        task: test.task,
        files: [...new Set([...files, ...test.files])],
        exclusive: false,
        deadlines: plan.deadlines,
        position: '4 of 5',
        notes: ['', 'Shared leases: read and run, do not edit. What the layers handed over:', ...handoffs, '', 'Report done with the results (what ran, where the reports are, how to re-run them), or fail with what broke.'],
      },
      policy,
    );

    // 6. Code Review closes it.
    const reviewId = patternWorkflowId(run.project, 'code-review', `${baseId}-review`);
    const reviewPlan: CodeReviewPlanInput = {
      ...common,
      title: `${plan.title}: review`.slice(0, 200),
      author: reviewAuthor,
      reviewer: plan.reviewer,
      task: `Open "${plan.title}" for review: every layer is done and E2E tests passed (${e2e.report.summary}). Report done with the handoff the reviewer needs.`,
      files,
      maxRevisions: plan.maxRevisions,
      merge: plan.merge ? { command: plan.merge.command, cwd: plan.merge.cwd, timeout: seconds(plan.merge.timeout) } : undefined,
    };
    run.log('step-started', `code review: ${reviewId}`, { step: 'code review' });
    run.show({ step: 'code review', waitingFor: [reviewAuthor, plan.reviewer] });
    const review = await wf.executeChild<(input: PatternWorkflowInput<CodeReviewPlanInput>) => Promise<PatternResult>>('codeReviewWorkflow', {
      workflowId: reviewId,
      args: [{ project: run.project, plan: reviewPlan, startedBy: input.startedBy }],
      typedSearchAttributes: patternSearchAttributes(run.project, 'code-review'),
      memo: { title: reviewPlan.title },
      staticSummary: `Code Review (full-stack ${plan.title})`.slice(0, 200),
    });
    if (review.outcome !== 'completed') throw new PatternAborted(`the code review (${reviewId}) ${review.outcome}: ${review.reason ?? ''}`);
    run.log('step-finished', `code review approved (${reviewId})`, { step: 'code review' });

    return {
      children: { layers: parallelId, review: reviewId },
      database: { agent: database.agent, summary: db.report.summary },
      layers: layers.steps.map((s) => ({ name: s.name, agent: s.agent, outcome: s.outcome, summary: s.summary })),
      e2e: { agent: test.agent, summary: e2e.report.summary },
      review: review.details,
      files,
    };
  });
}
