import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import { checkDisjointFiles, checkDistinctAgents } from '../../domain/patterns/plan';
import type { PatternResult, PatternWorkflowInput, StepRecord } from '../../schemas/patterns';
import { ParallelDevelopmentPlanFields, type ParallelDevelopmentPlan, type ParallelDevelopmentPlanInput, type ParallelWorker } from '../parallel-development/plan';
import { reportToProject } from '../../workflows/alerts/report';
import { guarded, parseOrFail } from '../../workflows/failure';
import { acts, awaitHumanDecision, commandActs, PatternAborted, PatternRun, reserveFiles, runPattern, runStep, sendTask, type Assignment, type StepSpec } from './index';

interface Share {
  worker: ParallelWorker;
  spec: StepSpec;
  record: StepRecord;
  leases: string[];
  assignment: Assignment;
  done: boolean;
  /** When the agent was nudged for a missed checkpoint (cleared by its next report). */
  nudgedAt?: number;
  toldHumans: boolean;
}

/**
 * Parallel Development: several agents build independent parts at once, without conflicts.
 *
 * 1. Plan division of work: file sets must be disjoint (checked before anything starts; an overlap is
 *    refused, naming it) and the plan is broadcast.
 * 2. Reserve each agent's files.
 * 3. Work independently: each agent gets its task.
 * 4. Sync at checkpoints (every 2 h by default): an agent with no report since the last checkpoint is
 *    nudged; still silent after the grace period, the humans are told.
 * 5. When all are done, release every reservation.
 * 6. Integration testing: a configured command (an activity with heartbeats) or an agent's step.
 */
export async function compatParallelDevelopment(input: PatternWorkflowInput<ParallelDevelopmentPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(ParallelDevelopmentPlanFields, input.plan, 'Parallel Development plan');
  guarded(() => checkDistinctAgents(plan.workers.map((w) => w.agent), 'workers'));
  guarded(() => checkDisjointFiles(plan.workers));
  const run = new PatternRun(input.project, 'parallel-development', plan, input.startedBy);
  const integrationAgent = 'agent' in plan.integration ? plan.integration.agent : undefined;

  return runPattern(run, async () => {
    await run.requireMembers([...plan.workers.map((w) => w.agent), ...(integrationAgent ? [integrationAgent] : [])]);

    // 1. Broadcast the division of work.
    await run.notify(
      'all',
      `[parallel-development] plan: ${plan.title}`,
      [
        `Workflow: ${run.workflowId}`,
        ...plan.workers.map((w) => `- ${w.agent}: ${w.task} (files: ${w.files.join(', ')})`),
        `Check-ins every ${formatDuration(plan.checkpointEvery)} (baton progress ${run.workflowId} --note "...").`,
        `Then integration testing: ${'command' in plan.integration ? plan.integration.command : `${plan.integration.agent}: ${plan.integration.task}`}.`,
      ].join('\n'),
      { importance: 'normal', onBehalfOf: input.startedBy ?? plan.workers[0]!.agent },
    );

    // 2. Reserve every agent's files before anyone starts.
    const shares: Share[] = [];
    for (const worker of plan.workers) {
      const spec: StepSpec = {
        name: `build (${worker.agent})`,
        agent: worker.agent,
        task: worker.task,
        files: worker.files,
        exclusive: true,
        deadlines: plan.deadlines,
        notes: ['', `Others work in parallel on their own files. Check in at least every ${formatDuration(plan.checkpointEvery)} with baton progress; report done with a handoff for the integration step.`],
      };
      const record = run.beginStep(spec.name, worker.agent);
      const leases = await reserveFiles(run, { step: spec.name, agent: worker.agent, files: worker.files, exclusive: true, deadlines: plan.deadlines, reason: `${plan.title}: ${worker.task}`.slice(0, 280) });
      shares.push({ worker, spec, record, leases, assignment: undefined as unknown as Assignment, done: false, toldHumans: false });
    }

    // 3. Work independently.
    for (const share of shares) {
      share.record.attempts = 1;
      share.assignment = run.open(share.spec.name, share.worker.agent, ['progress', 'done', 'fail'], true);
      await sendTask(run, share.spec);
    }

    // 4. Sync at checkpoints until everyone is done.
    const workStarted = Date.now();
    let checkpoint = 1;
    const pending = () => shares.filter((s) => !s.done);
    while (pending().length > 0) {
      run.show({ step: 'parallel work', waitingFor: pending().map((s) => s.worker.agent), needsHuman: false });
      const nextCheckpoint = workStarted + checkpoint * plan.checkpointEvery;
      const graceEnds = pending()
        .filter((s) => s.nudgedAt !== undefined && !s.toldHumans)
        .map((s) => s.nudgedAt! + plan.checkpointGrace);
      const wakeAt = Math.min(nextCheckpoint, ...graceEnds);
      const progressSeen = pending().map((s) => s.assignment.lastProgressAt);
      await wf.condition(
        () => pending().some((s, i) => s.assignment.report !== undefined || s.assignment.lastProgressAt !== progressSeen[i]),
        Math.max(1, wakeAt - Date.now()),
      );

      for (const share of pending()) {
        const a = share.assignment;
        if (share.nudgedAt !== undefined && a.lastProgressAt > share.nudgedAt) {
          share.nudgedAt = undefined;
          share.toldHumans = false;
        }
        if (a.report?.kind === 'done') {
          share.done = true;
          run.close(a);
          share.record.summary = a.report.summary;
          share.record.handoff = a.report.handoff;
        } else if (a.report?.kind === 'fail') {
          run.close(a);
          const decision = await awaitHumanDecision(run, {
            step: share.spec.name,
            question: `${share.worker.agent} cannot finish "${share.worker.task}": "${a.report.reason}". Approve to send it back to ${share.worker.agent}; reject to stop the parallel work.`,
            deadlines: plan.deadlines,
            onBehalfOf: share.worker.agent,
          });
          if (!decision.approved) throw new PatternAborted(`${share.worker.agent} failed ("${a.report.reason}") and ${decision.by} stopped the work: ${decision.text ?? 'rejected'}`);
          if (share.record.attempts >= 20) throw new PatternAborted(`${share.worker.agent} failed ${share.record.attempts} times`);
          share.record.attempts += 1;
          share.assignment = run.open(share.spec.name, share.worker.agent, ['progress', 'done', 'fail'], true);
          await sendTask(run, share.spec, ['', `Attempt ${share.record.attempts}: ${decision.by} sends it back to you${decision.text ? `: ${decision.text}` : ''}.`]);
        }
      }

      const now = Date.now();
      if (now >= nextCheckpoint && pending().length > 0) {
        const since = nextCheckpoint - plan.checkpointEvery;
        const missed = pending().filter((s) => s.assignment.lastProgressAt <= since && s.nudgedAt === undefined);
        const ok = pending().filter((s) => s.assignment.lastProgressAt > since);
        run.log('checkpoint', `checkpoint ${checkpoint}: ${ok.map((s) => s.worker.agent).join(', ') || 'nobody'} checked in${missed.length ? `; missed: ${missed.map((s) => s.worker.agent).join(', ')}` : ''}`, { step: 'parallel work' });
        for (const share of missed) {
          share.nudgedAt = now;
          // The project's "no sync points" alert.
          await reportToProject(run.project, run.workflowId, { kind: 'checkpoint-missed', agent: share.worker.agent, step: share.spec.name, silentForMs: now - share.assignment.lastProgressAt });
          await run.notify(
            [share.worker.agent],
            `Checkpoint missed: ${plan.title}`,
            `No check-in from you since the last sync point. Share your progress and any blockers now:\n  baton progress ${run.workflowId} --note "..."\nThe humans are told in ${formatDuration(plan.checkpointGrace)} otherwise.`,
            { onBehalfOf: share.worker.agent, importance: 'high' },
          );
        }
        // Skip checkpoints that passed while the worker was down; one sync is enough to catch up.
        checkpoint = Math.floor((now - workStarted) / plan.checkpointEvery) + 1;
      }
      for (const share of pending()) {
        if (share.nudgedAt !== undefined && !share.toldHumans && Date.now() >= share.nudgedAt + plan.checkpointGrace) {
          share.toldHumans = true;
          await run.escalate(share.spec.name, `${share.worker.agent} missed a checkpoint of "${plan.title}" and did not answer the nudge within ${formatDuration(plan.checkpointGrace)}.`, share.worker.agent);
        }
      }
    }
    run.escalated = false;

    // 5. Everyone is done: release, and count the successes.
    for (const share of shares) {
      await run.release(share.worker.agent, share.leases);
      run.endStep(share.record, 'done', { summary: share.record.summary, handoff: share.record.handoff });
      await acts.recordTaskSuccess({ project: run.project, workflowId: run.workflowId, agent: share.worker.agent });
    }

    // 6. Integration testing.
    const integration = await integrationStep(run, plan, shares);
    return { checkpoints: checkpoint - 1, integration };
  });
}

async function integrationStep(run: PatternRun, plan: ParallelDevelopmentPlan, shares: Share[]): Promise<Record<string, unknown>> {
  const handoffs = shares.map((s) => `${s.worker.agent}: ${s.record.summary ?? ''}${s.record.handoff ? ` (where: ${s.record.handoff.where.join(', ')}; test: ${s.record.handoff.howToTest})` : ''}`);
  if ('agent' in plan.integration) {
    const { report } = await runStep(
      run,
      {
        name: 'integration',
        agent: plan.integration.agent,
        task: plan.integration.task,
        files: plan.integration.files,
        exclusive: false,
        deadlines: plan.deadlines,
        notes: ['', 'What the parallel agents handed over:', ...handoffs.map((h) => `  - ${h}`)],
      },
      { onFail: 'human', maxAttempts: 1 },
    );
    return { by: plan.integration.agent, summary: report.summary };
  }
  const command = plan.integration;
  const record = run.beginStep('integration', 'baton');
  for (;;) {
    record.attempts += 1;
    run.show({ step: 'integration', waitingFor: [] });
    run.log('command', `running integration tests: ${command.command}`, { step: 'integration' });
    const result = await commandActs(command.timeout).runCommand({ command: command.command, cwd: command.cwd, timeoutMs: command.timeout, label: 'integration tests' });
    const passed = result.exitCode === 0;
    run.log('command', `integration tests ${passed ? 'passed' : `failed (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''})`} in ${formatDuration(result.durationMs)}`, { step: 'integration' });
    if (passed) {
      run.endStep(record, 'done', { summary: `passed: ${command.command}` });
      await run.notify(shares.map((s) => s.worker.agent), `Integration tests passed: ${plan.title}`, `${command.command} passed in ${formatDuration(result.durationMs)}.`, { onBehalfOf: shares[0]!.worker.agent });
      return { command: command.command, exitCode: 0, durationMs: result.durationMs, output: result.output.slice(-2000) };
    }
    if (record.attempts >= 5) throw new PatternAborted(`integration tests failed ${record.attempts} times; output ends: ${result.output.slice(-500)}`);
    const decision = await awaitHumanDecision(run, {
      step: 'integration',
      question: `Integration tests failed (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''}). Output ends: ${result.output.slice(-400)}. Approve to run them again (after a fix); reject to stop.`,
      deadlines: plan.deadlines,
      onBehalfOf: shares[0]!.worker.agent,
    });
    if (!decision.approved) throw new PatternAborted(`integration tests failed and ${decision.by} stopped: ${decision.text ?? 'rejected'}`);
  }
}
