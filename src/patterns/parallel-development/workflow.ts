import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { guarded, parseOrFail } from '../../workflows/failure';
import { compatParallelDevelopment } from '../compat/parallel-development';
import { assignAndAwait, reserveFiles, sendTask, type Handover, type StepSpec } from '../kit/assign';
import { newCheckpoints, syncUntilReport } from '../kit/checkpoints';
import { commandStep } from '../kit/command-step';
import { PATTERN_KIT_PATCH, PatternAborted, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import { checkParallelPlan, integrationAgent, ParallelDevelopmentPlan, type ParallelDevelopmentPlanInput } from './plan';

/**
 * Parallel Development: several agents build independent parts at once, without conflicts.
 *
 * 1. Plan division of work: file sets must be disjoint (refused before anything starts, naming the
 *    overlap) and the plan is broadcast.
 * 2. Reserve non-overlapping files: each agent's, before anyone starts.
 * 3. Work independently: each agent gets its task.
 * 4. Sync at planned checkpoints (every 2 h by default): an agent with no report since the last one is
 *    nudged; still silent after the grace period, the humans are told.
 * 5. Release reservations: once every share is done, all at once.
 * 6. Integration testing: a configured command, or an agent's step given every share's handoff.
 */
export async function parallelDevelopmentWorkflow(input: PatternWorkflowInput<ParallelDevelopmentPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatParallelDevelopment(input);
  const plan = parseOrFail(ParallelDevelopmentPlan, input.plan, 'Parallel Development plan');
  guarded(() => checkParallelPlan(plan));
  const run = new PatternRun(input, 'parallel-development', plan);
  const tester = integrationAgent(plan);

  return runPattern(run, async () => {
    await run.requireMembers([...plan.workers.map((w) => w.agent), ...(tester ? [tester] : [])]);

    // 1. Plan division of work (broadcast).
    run.at('plan');
    await run.notify({
      to: 'all',
      subject: `[parallel-development] plan: ${plan.title}`,
      body: [
        `Workflow: ${run.workflowId}`,
        ...plan.workers.map((w) => `- ${w.agent}: ${w.task} (files: ${w.files.join(', ')})`),
        `Check-ins every ${formatDuration(plan.checkpointEvery)} (baton progress ${run.workflowId} --note "...").`,
        `Then integration testing: ${'command' in plan.integration ? plan.integration.command : `${plan.integration.agent}: ${plan.integration.task}`}.`,
      ].join('\n'),
    });

    // 2. Reserve non-overlapping files, every agent's before anyone starts.
    const shares = [];
    for (const worker of plan.workers) {
      const spec: StepSpec = {
        name: `build (${worker.agent})`,
        agent: worker.agent,
        task: worker.task,
        files: worker.files,
        exclusive: true,
        deadlines: plan.deadlines,
        notes: ['', `Others work in parallel on their own files. Check in at least every ${formatDuration(plan.checkpointEvery)} with baton progress; report done with a handoff for the integration step.`],
        onDone: `your files stay reserved until every share is done (${plan.workers.length} agents work in parallel); then they are all released and integration testing runs with your handoff.`,
      };
      const step = run.beginStep(spec.name, worker.agent);
      const leases = await reserveFiles(run, { step: spec.name, agent: worker.agent, files: worker.files, exclusive: true, deadlines: plan.deadlines, reason: `${plan.title}: ${worker.task}` });
      shares.push({ spec, step, leases, done: undefined as Handover | undefined });
    }

    // 3. Work independently.
    for (const share of shares) {
      run.attempt(share.step);
      await sendTask(run, share.spec);
    }

    // 4. Sync at checkpoints until everyone is done.
    const checkpoints = run.carry('checkpoints', newCheckpoints(run.now()));
    for (let pending = shares; pending.length; pending = shares.filter((s) => !s.done)) {
      const { agent, report } = await syncUntilReport(run, pending.map((s) => ({ agent: s.spec.agent, step: s.spec.name })), { every: plan.checkpointEvery, grace: plan.checkpointGrace }, checkpoints);
      const share = shares.find((s) => s.spec.agent === agent)!;
      if (report.kind === 'done') {
        share.done = { agent, step: share.spec.name, summary: report.summary, handoff: report.handoff };
        continue;
      }
      if (report.kind !== 'fail') continue;
      const decision = await run.decide({
        step: share.spec.name,
        question: `${agent} cannot finish "${share.spec.task}": "${report.reason}". Approve to send it back to ${agent}; reject to stop the parallel work.`,
        deadlines: plan.deadlines,
        onBehalfOf: agent,
      });
      if (!decision.approved) throw new PatternAborted(`${agent} failed ("${report.reason}") and ${decision.by} stopped the work: ${decision.text ?? 'rejected'}`);
      if (run.attempt(share.step) > 20) throw new PatternAborted(`${agent} failed ${share.spec.name} 20 times`);
      await sendTask(run, share.spec, ['', `Another attempt: ${decision.by} sends it back to you${decision.text ? `: ${decision.text}` : ''}.`]);
    }

    // 5. Release reservations: every share's, with the next write.
    for (const share of shares) {
      run.handOver(share.leases);
      run.credit(share.spec.agent);
      run.endStep(share.step, 'done', share.done);
    }

    // 6. Integration testing, with every share's handoff.
    const handoffs = shares.map((s) => s.done!);
    if ('agent' in plan.integration) {
      const { report } = await assignAndAwait(
        run,
        {
          name: 'integration',
          agent: plan.integration.agent,
          task: plan.integration.task,
          files: plan.integration.files,
          exclusive: false,
          deadlines: plan.deadlines,
          handoffs,
          notes: ['', 'What the parallel agents handed over is above, whole.'],
          onDone: 'integration testing is done: the parallel development completes and its starter is told.',
        },
        { onFail: 'human', maxAttempts: 1 },
      );
      return { checkpoints: checkpoints.next - 1, integration: { by: plan.integration.agent, summary: report.summary, handoff: report.handoff } };
    }
    await run.flush();
    const outcome = await commandStep(run, plan, { step: 'integration', label: 'integration tests', command: plan.integration, retry: 'human', onBehalfOf: shares[0]!.spec.agent });
    await run.notify({ to: shares.map((s) => s.spec.agent), subject: `Integration tests passed: ${plan.title}`, body: outcome.summary, onBehalfOf: shares[0]!.spec.agent });
    return { checkpoints: checkpoints.next - 1, integration: { command: plan.integration.command, exitCode: 0, durationMs: outcome.result.durationMs, output: outcome.result.output.slice(-2000) } };
  });
}
