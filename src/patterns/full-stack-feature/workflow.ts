import * as wf from '@temporalio/workflow';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { guarded, parseOrFail } from '../../workflows/failure';
import type { CodeReviewPlanInput } from '../code-review/plan';
import { compatFullStackFeature } from '../compat/full-stack-feature';
import { assignAndAwait, describeHandover, type Handover } from '../kit/assign';
import { PATTERN_KIT_PATCH, PatternAborted, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import type { ParallelDevelopmentPlanInput } from '../parallel-development/plan';
import { checkFullStackMembers, checkFullStackPlan, featureAgents, featureFiles, FullStackPlan, reviewAuthorOf, type FullStackPlanInput } from './plan';

/**
 * Full-Stack Feature (e.g. user authentication), the seed's five steps, composed of the other
 * patterns:
 *
 * 1. Planning: the human who starts it broadcasts the plan.
 * 2. Database: the Database agent's step (migration); its handoff goes to Backend as "DB ready".
 * 3. Backend + Frontend in parallel on separate files (Parallel Development, a child workflow);
 *    Frontend builds the UI without API calls...
 * 4. Integration: ...then Backend's handoff (the API contract, whole) reaches Frontend, who integrates
 *    and tests locally (the child's integration step).
 * 5. Testing: the Test agent takes shared leases on every file of the feature, runs E2E tests and
 *    reports; a Code Review (a child workflow) closes the feature.
 */
export async function fullStackFeatureWorkflow(input: PatternWorkflowInput<FullStackPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatFullStackFeature(input);
  const plan = parseOrFail(FullStackPlan, input.plan, 'Full-Stack Feature plan');
  guarded(() => checkFullStackPlan(plan));
  const run = new PatternRun(input, 'full-stack-feature', plan);
  const { database, backend, frontend, test } = plan;
  const reviewAuthor = reviewAuthorOf(plan);
  const files = featureFiles(plan);
  const base = run.workflowId.split('/').pop()!;
  const seconds = (ms: number) => ms / 1000;
  // What the children inherit from this plan (their plans take durations in seconds).
  const common = {
    deadlines: { reminderAfter: seconds(plan.deadlines.reminderAfter), escalateAfter: seconds(plan.deadlines.escalateAfter) },
    leaseTtl: seconds(plan.leaseTtl),
    reservationRetry: seconds(plan.reservationRetry),
    approvers: plan.approvers,
    workdir: plan.workdir,
    env: plan.env,
  };
  const policy = { onFail: 'human' as const, maxAttempts: 1 };

  return runPattern(run, async () => {
    await run.requireMembers([...featureAgents(plan), plan.reviewer]);
    checkFullStackMembers(plan, run.members.lookup);

    // 1. Planning: the plan, broadcast by the human who started it.
    run.at('planning');
    await run.notify({
      to: 'all',
      subject: `[full-stack] plan: ${plan.title}`,
      body: [
        `Workflow: ${run.workflowId}`,
        `1. Database: ${database.agent}: ${database.task} (${database.files.join(', ')})`,
        `2. In parallel: Backend ${backend.agent}: ${backend.task} (${backend.files.join(', ')}); Frontend ${frontend.agent}: ${frontend.task} (${frontend.files.join(', ')}, no API calls yet)`,
        `3. Integration: ${backend.agent} hands ${frontend.agent} the API contract; ${frontend.agent} integrates and tests locally`,
        `4. E2E tests: ${test.agent} (shared leases on every file of the feature)`,
        `5. Code review: ${reviewAuthor} -> ${plan.reviewer}`,
      ].join('\n'),
    });

    // 2. Database, then "DB ready" to Backend with the database step's handoff, whole.
    const db = await assignAndAwait(
      run,
      {
        name: 'database',
        agent: database.agent,
        task: database.task,
        files: database.files,
        exclusive: true,
        deadlines: plan.deadlines,
        position: '1 of 5',
        notes: ['', `When you are done, your handoff goes to ${backend.agent} (Backend) as "DB ready".`],
        onDone: `${backend.agent} (Backend) gets your handoff as "DB ready".`,
      },
      policy,
    );
    const dbReady: Handover = { agent: database.agent, step: 'database', summary: db.report.summary, handoff: db.report.handoff };
    await run.notify({ to: [backend.agent], subject: `[full-stack] DB ready: ${plan.title}`, body: [...describeHandover(dbReady), '', 'Your Backend task arrives next (in parallel with Frontend).'].join('\n'), importance: 'high', onBehalfOf: database.agent });

    // 3 + 4. Backend and Frontend in parallel, then Frontend integrates Backend's API contract.
    const parallelPlan: ParallelDevelopmentPlanInput = {
      ...common,
      title: `${plan.title}: backend + frontend`.slice(0, 200),
      checkpointEvery: seconds(plan.checkpointEvery),
      checkpointGrace: seconds(plan.checkpointGrace),
      workers: [
        {
          agent: backend.agent,
          task: `${backend.task}. The database is ready (${database.agent}: ${db.report.summary}). Put the API contract in your handoff (--contract: endpoints, request and response shapes, errors): ${frontend.agent} integrates against it.`,
          files: backend.files,
        },
        { agent: frontend.agent, task: `${frontend.task} (no API calls yet: the API contract comes from ${backend.agent} for the integration step).`, files: frontend.files },
      ],
      integration: { agent: frontend.agent, task: `Integrate the API calls using ${backend.agent}'s API contract (in the handoffs below, whole), and test locally.`, files: frontend.files },
    };
    const layers = await run.child('parallel-development', 'parallelDevelopmentWorkflow', `${base}-layers`, parallelPlan, `Parallel Development (full-stack ${plan.title})`);
    const layersId = `baton/${run.project}/parallel-development/${base}-layers`;
    if (layers.outcome !== 'completed') throw new PatternAborted(`backend + frontend (${layersId}) ${layers.outcome}: ${layers.reason ?? ''}`);
    run.log('step-finished', `backend + frontend done and integrated (${layersId})`, { step: 'backend + frontend' });

    // 5. Testing: E2E tests on shared leases of every file of the feature, given every layer's handoff.
    const handoffs = layers.steps.filter((s) => s.handoff).map((s): Handover => ({ agent: s.agent, step: s.name, summary: s.summary, handoff: s.handoff }));
    const e2e = await assignAndAwait(
      run,
      {
        name: 'e2e tests',
        agent: test.agent,
        task: test.task,
        files: [...new Set([...files, ...test.files])],
        exclusive: false,
        deadlines: plan.deadlines,
        position: '4 of 5',
        handoffs: [dbReady, ...handoffs],
        notes: ['', 'Shared leases: read and run, do not edit.', 'Report done with the results (--results: what ran, what passed; where the reports are, how to re-run them), or fail with what broke.'],
        onDone: `the code review opens (${reviewAuthor} -> ${plan.reviewer}).`,
      },
      policy,
    );

    // ... and a Code Review closes the feature.
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
    await run.flush();
    const review = await run.child('code-review', 'codeReviewWorkflow', `${base}-review`, reviewPlan, `Code Review (full-stack ${plan.title})`);
    const reviewId = `baton/${run.project}/code-review/${base}-review`;
    if (review.outcome !== 'completed') throw new PatternAborted(`the code review (${reviewId}) ${review.outcome}: ${review.reason ?? ''}`);
    run.log('step-finished', `code review approved (${reviewId})`, { step: 'code review' });

    return {
      children: { layers: layersId, review: reviewId },
      database: { agent: database.agent, summary: db.report.summary },
      layers: layers.steps.map((s) => ({ name: s.name, agent: s.agent, outcome: s.outcome, summary: s.summary })),
      e2e: { agent: test.agent, summary: e2e.report.summary, handoff: e2e.report.handoff },
      review: review.details,
      files,
    };
  });
}
