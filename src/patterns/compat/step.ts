import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { Deadlines, HandoffNote, OnFail, StepRecord } from '../../schemas/patterns';
import type { z } from 'zod';
import { awaitHumanDecision } from './decision';
import { acts, describeDeadlines, PatternAborted, type Assignment, type PatternRun, type Report, type ReportKind } from './run';

/**
 * "Assign a step and wait for its report", the building block of every pattern:
 *   reserveFiles  - reserve on the agent's behalf; on conflict tell the holders who waits, retry, and
 *                   escalate past the deadline
 *   awaitReport   - open the step for the agent's reports and wait, with reminder and escalation
 *   runStep       - both, plus the task message, the failure policy and the release at the end
 */
export interface StepSpec {
  name: string;
  agent: string;
  task: string;
  files: string[];
  exclusive: boolean;
  deadlines: Deadlines;
  /** What the previous step handed over, quoted in the task message. */
  handoffFrom?: { agent: string; step: string; summary?: string; handoff?: HandoffNote };
  /** Extra lines for the task message (pattern-specific instructions). */
  notes?: string[];
  /** Position for people, e.g. "2 of 4". */
  position?: string;
}

const MAX_RESERVE_BACKOFF_MS = 5 * 60_000;

export async function reserveFiles(run: PatternRun, req: { step: string; agent: string; files: string[]; exclusive: boolean; deadlines: Deadlines; reason: string }): Promise<string[]> {
  if (req.files.length === 0) return [];
  const since = Date.now();
  const requestBase = wf.uuid4();
  let attempt = 0;
  let toldHolders = '';
  let reminded = false;
  let escalated = false;
  for (;;) {
    const answer = await acts.reserveForStep({
      project: run.project,
      workflowId: run.workflowId,
      agent: req.agent,
      files: req.files,
      exclusive: req.exclusive,
      ttlSeconds: Math.ceil(run.plan.leaseTtl / 1000),
      reason: req.reason,
      requestId: `${requestBase}-${attempt++}`,
    });
    if (answer.status === 'granted') {
      for (const id of answer.ids) run.held.set(id, req.agent);
      run.log('reserved', `${req.exclusive ? 'exclusive' : 'shared'} lease for ${req.agent} on ${run.describeFiles(req.files)}`, { step: req.step, actor: req.agent });
      if (escalated) run.escalated = false;
      return answer.ids;
    }
    const holders = [...new Set(answer.conflicts.map((c) => c.holder))];
    const held = answer.conflicts.map((c) => `${c.heldPattern} (held by ${c.holder} until ${c.expiresAt})`);
    run.show({ step: req.step, waitingFor: holders });
    if (holders.join(',') !== toldHolders) {
      toldHolders = holders.join(',');
      run.log('waiting-for-files', `${req.agent} waits for ${held.join('; ')}`, { step: req.step, actor: req.agent });
      await run.notify(
        holders,
        `${req.agent} waits for files you hold`,
        `${req.agent} needs ${run.describeFiles(req.files)} for step "${req.step}" of ${run.workflowId} (${run.title}).\nYou hold: ${held.join('; ')}.\nRelease them when you are done (baton release ...); the step starts as soon as they are free.`,
        { onBehalfOf: req.agent },
      );
    }
    const waited = Date.now() - since;
    if (!reminded && waited >= req.deadlines.reminderAfter) {
      reminded = true;
      run.log('reminder', `${holders.join(', ')} reminded: ${req.agent} has waited ${formatDuration(waited)} for their files`, { step: req.step });
      await run.notify(holders, `Reminder: ${req.agent} still waits for your files`, `Step "${req.step}" of ${run.workflowId} has waited ${formatDuration(waited)} for ${held.join('; ')}.`, { onBehalfOf: req.agent, importance: 'high' });
    } else if (reminded && !escalated && waited >= req.deadlines.escalateAfter) {
      escalated = true;
      await run.escalate(req.step, `${req.agent} has waited ${formatDuration(waited)} for ${held.join('; ')}. A human may force-release (baton force-release ...) or talk to ${holders.join(', ')}.`, req.agent);
    }
    // Poll with a gentle backoff; the deadlines above still fire on time.
    const backoff = Math.min(run.plan.reservationRetry * 1.5 ** Math.min(attempt - 1, 20), Math.max(run.plan.reservationRetry, MAX_RESERVE_BACKOFF_MS));
    const nextDeadline = since + (reminded ? req.deadlines.escalateAfter : req.deadlines.reminderAfter) - Date.now();
    await wf.sleep(Math.max(1, escalated ? backoff : Math.min(backoff, Math.max(nextDeadline, 1))));
  }
}

/** Send the task message: names the workflow and step, the files, and what the previous step handed over. */
export async function sendTask(run: PatternRun, spec: StepSpec, extra: string[] = []): Promise<void> {
  const lines = [
    `Workflow: ${run.workflowId} (${run.title})`,
    `Step: ${spec.name}${spec.position ? ` (${spec.position})` : ''}`,
    `Task: ${spec.task}`,
    `Files (${spec.exclusive ? 'exclusive' : 'shared'} lease held for you): ${run.describeFiles(spec.files)}`,
  ];
  if (spec.handoffFrom) {
    const h = spec.handoffFrom;
    lines.push('', `Handoff from ${h.agent} (step "${h.step}"):`);
    if (h.summary) lines.push(`  Summary: ${h.summary}`);
    if (h.handoff) lines.push(`  What was done: ${h.handoff.whatWasDone}`, `  Where: ${h.handoff.where.join(', ')}`, `  How to test: ${h.handoff.howToTest}`);
  }
  lines.push(...(spec.notes ?? []), ...extra);
  lines.push(
    '',
    'Report with:',
    `  baton progress ${run.workflowId} --note "..."`,
    `  baton done ${run.workflowId} --summary "..." --what "..." --where file1,file2 --how-to-test "..."`,
    `  baton fail ${run.workflowId} --reason "..."`,
    `Deadline: ${describeDeadlines(spec.deadlines)}.`,
  );
  run.log('assigned', `task sent to ${spec.agent}: ${spec.task}`, { step: spec.name, actor: spec.agent });
  await run.notify([spec.agent], `[${run.pattern}] ${run.title}: step "${spec.name}" is yours`, lines.join('\n'), { onBehalfOf: spec.agent, importance: 'high' });
}

/**
 * Open the step for the agent's reports and wait for one of `accepts` (progress notes keep the wait
 * alive: the deadlines count from the last sign of life). Reminder to the agent, then escalation.
 */
export async function awaitReport(
  run: PatternRun,
  req: { step: string; agent: string; accepts: ReportKind[]; expectHandoff?: boolean; deadlines: Deadlines },
  /** Runs once the step is open for reports (e.g. send the task), so a fast agent is never refused. */
  announce?: () => Promise<void>,
): Promise<Report> {
  const a: Assignment = run.open(req.step, req.agent, ['progress', ...req.accepts], req.expectHandoff ?? true);
  run.show({ step: req.step, waitingFor: [req.agent], needsHuman: false });
  try {
    await announce?.();
    await run.waitWithDeadlines(
      () => a.report !== undefined,
      req.deadlines,
      () => a.lastProgressAt,
      {
        remind: async () => {
          run.log('reminder', `${req.agent} reminded: no report for ${formatDuration(Date.now() - a.lastProgressAt)}`, { step: req.step, actor: req.agent });
          await run.notify([req.agent], `Reminder: step "${req.step}" of ${run.title} waits for you`, `No report from you for ${formatDuration(Date.now() - a.lastProgressAt)}.\nReport progress (baton progress ${run.workflowId} --note "..."), done or fail.`, {
            onBehalfOf: req.agent,
            importance: 'high',
          });
        },
        escalate: () => run.escalate(req.step, `${req.agent} has not reported on step "${req.step}" for ${formatDuration(Date.now() - a.lastProgressAt)}.`, req.agent),
      },
    );
  } finally {
    run.close(a);
  }
  run.escalated = false;
  return a.report!;
}

export type DoneReport = Extract<Report, { kind: 'done' }>;
export type FailurePolicy = { onFail: z.infer<typeof OnFail>; maxAttempts: number };

/** A hard cap on attempts at one step, whatever the humans decide, to keep the history bounded. */
const MAX_ATTEMPTS_EVER = 20;

/**
 * Send the task and wait until the agent reports done (with a handoff unless `expectHandoff` is
 * false). A failure goes back to the agent (onFail 'agent', up to maxAttempts) or to a human, who
 * approves another attempt or rejects (the pattern stops). No reservations here: see runStep.
 */
export async function workUntilDone(run: PatternRun, spec: StepSpec, policy: FailurePolicy, record?: StepRecord, expectHandoff = true): Promise<DoneReport> {
  let lastFailure: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (record) record.attempts += 1;
    const extra = lastFailure ? ['', `Attempt ${attempt}: the last attempt failed with "${lastFailure}".`] : [];
    const report = await awaitReport(run, { step: spec.name, agent: spec.agent, accepts: ['done', 'fail'], deadlines: spec.deadlines, expectHandoff }, () => sendTask(run, spec, extra));
    if (report.kind === 'done') return report;
    if (report.kind !== 'fail') continue;
    lastFailure = report.reason;
    if (attempt >= MAX_ATTEMPTS_EVER) throw new PatternAborted(`step "${spec.name}" failed ${attempt} times; last: ${report.reason}`);
    if (policy.onFail === 'agent' && attempt < policy.maxAttempts) {
      run.log('failed', `back to ${spec.agent} (attempt ${attempt + 1} of ${policy.maxAttempts})`, { step: spec.name, actor: spec.agent });
      continue;
    }
    const decision = await awaitHumanDecision(run, {
      step: spec.name,
      question: `${spec.agent} could not finish step "${spec.name}" (attempt ${attempt}): "${report.reason}". Approve to send it back to ${spec.agent} for another attempt; reject to stop the workflow.`,
      deadlines: run.plan.deadlines,
      onBehalfOf: spec.agent,
    });
    if (!decision.approved) {
      if (record) run.endStep(record, 'failed', { summary: report.reason });
      throw new PatternAborted(`step "${spec.name}" failed ("${report.reason}") and ${decision.by} stopped the workflow: ${decision.text ?? 'rejected'}`);
    }
    lastFailure = `${report.reason}; ${decision.by} sends it back to you${decision.text ? `: ${decision.text}` : ''}`;
  }
}

/**
 * The whole of an agent's step: reserve its files, send the task, wait for done (with a handoff) or
 * fail (policy above), release, and record the success for the agent's trust.
 */
export async function runStep(run: PatternRun, spec: StepSpec, policy: FailurePolicy): Promise<{ record: StepRecord; report: DoneReport }> {
  const record = run.beginStep(spec.name, spec.agent);
  // Nobody is waited for until the files are reserved and the step is open for reports.
  run.show({ step: spec.name, waitingFor: [] });
  // Independent round trips to the project workflow run side by side: handoff latency is the engine's.
  const [, ids] = await Promise.all([
    run.refreshCredentials([spec.agent]),
    reserveFiles(run, { step: spec.name, agent: spec.agent, files: spec.files, exclusive: spec.exclusive, deadlines: spec.deadlines, reason: `${run.title}: ${spec.name}` }),
  ]);
  const report = await workUntilDone(run, spec, policy, record);
  await Promise.all([run.release(spec.agent, ids), acts.recordTaskSuccess({ project: run.project, workflowId: run.workflowId, agent: spec.agent })]);
  run.endStep(record, 'done', report);
  return { record, report };
}
