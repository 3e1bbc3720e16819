import { formatDuration } from '../../domain/patterns/duration';
import type { Deadlines, HandoffNote, OnFail } from '../../schemas/patterns';
import type { Conflict, Reservation } from '../../schemas/reservations';
import type { z } from 'zod';
import { describeDeadlines, newGate, type GateState } from './gates';
import type { DoneReport, Report, ReportKind } from './reports';
import { PatternAborted, type PatternRun } from './run';
import type { Notice } from './writes';

/**
 * "Assign a step and wait for its report", the building block of every pattern, in three calls:
 *   reserveFiles  - take the step's files for its agent (only what it lacks), with the task notice in
 *                   the same write; on conflict tell the holders, retry, remind, escalate
 *   awaitReport   - wait for the agent's report, with reminder and escalation (progress restarts them)
 *   assignAndAwait- both, plus the failure policy (back to the agent, or a human decides), then the
 *                   handover: the step's files go with the next write, its success counts when someone
 *                   else accepts it.
 */
export interface StepSpec {
  name: string;
  agent: string;
  task: string;
  files: string[];
  exclusive: boolean;
  deadlines: Deadlines;
  /** What earlier steps handed over, quoted whole in the task (across child workflows too). */
  handoffs?: Handover[];
  /** Pattern-specific lines of the task. */
  notes?: string[];
  /** For people: "2 of 4". */
  position?: string;
  /** What a `done` leads to, said in the answer to it (from the plan: who is told next, what happens to the files). */
  onDone: string;
  /** A done report must carry a handoff (default true). */
  expectHandoff?: boolean;
}

/** What one step handed over to the next. */
export interface Handover {
  agent: string;
  step: string;
  summary?: string;
  handoff?: HandoffNote;
}

export type FailurePolicy = { onFail: z.infer<typeof OnFail>; maxAttempts: number };

/** A hard cap on attempts at one step, whatever the humans decide, to keep the history bounded. */
const MAX_ATTEMPTS_EVER = 20;
const MAX_RESERVE_BACKOFF_MS = 5 * 60_000;

/** A handover, whole: every field the agent gave, so nothing it handed over is lost on the way. */
export function describeHandover(h: Handover): string[] {
  const lines = [`Handoff from ${h.agent} (step "${h.step}"):`];
  if (h.summary) lines.push(`  Summary: ${h.summary}`);
  const n = h.handoff;
  if (n) {
    if (n.whatWasDone) lines.push(`  What was done: ${n.whatWasDone}`);
    if (n.where.length) lines.push(`  Where: ${n.where.join(', ')}`);
    if (n.howToTest) lines.push(`  How to test: ${n.howToTest}`);
    if (n.contract) lines.push('  Contract:', ...n.contract.split('\n').map((l) => `    ${l}`));
    if (n.results) lines.push('  Results:', ...n.results.split('\n').map((l) => `    ${l}`));
  }
  return lines;
}

/** The task message: the workflow and step, the files, what was handed over, how to report. */
export function taskNotice(run: PatternRun, spec: StepSpec, extra: string[] = []): Notice {
  const lines = [
    `Workflow: ${run.workflowId} (${run.title})`,
    `Step: ${spec.name}${spec.position ? ` (${spec.position})` : ''}`,
    `Task: ${spec.task}`,
    `Files (${spec.exclusive ? 'exclusive' : 'shared'} lease held for you while the step is open): ${spec.files.length ? spec.files.join(', ') : '(no files)'}`,
  ];
  for (const h of spec.handoffs ?? []) lines.push('', ...describeHandover(h));
  lines.push(...(spec.notes ?? []), ...extra);
  lines.push(
    '',
    'Report with:',
    `  baton progress ${run.workflowId} --note "..."`,
    `  baton done ${run.workflowId} --summary "..."${spec.expectHandoff === false ? '' : ' --what "..." --where file1,file2 --how-to-test "..." [--contract "..."] [--results "..."]'}`,
    `  baton fail ${run.workflowId} --reason "..."`,
    `Deadline: ${describeDeadlines(spec.deadlines)}.`,
  );
  return { to: [spec.agent], subject: `[${run.pattern}] ${run.title}: step "${spec.name}" is yours`, body: lines.join('\n'), importance: 'high', onBehalfOf: spec.agent };
}

interface ReserveState {
  gate: GateState;
  requestBase: string;
  attempt: number;
  holders: string[];
  told: string;
  granted?: string[];
}

/**
 * Reserve a step's files for its agent (only what it lacks: a lease it already holds stays its own),
 * in one write with the pending release of the previous step and, when given, the task notice (sent
 * only if the files were reserved). The agent's step is open for reports before that write, so a fast
 * agent is never refused. On conflict the holders are told who waits; retried with a gentle backoff;
 * the holders are reminded, then the humans told. With `priority` (an emergency) a conflict goes to
 * the humans at once, with the force-release of each lease in the way. Returns the ids of the leases
 * the step took.
 */
export function reserveFiles(
  run: PatternRun,
  req: { step: string; agent: string; files: string[]; exclusive: boolean; deadlines: Deadlines; reason: string; priority?: boolean; notice?: Notice; open?: { accepts: ReportKind[]; expectHandoff: boolean; onDone: string; releases?: boolean } },
): Promise<string[]> {
  return run.journal.wait(
    (): ReserveState => ({ gate: newGate(Date.now()), requestBase: `${run.workflowId}/${req.step}`.slice(-80), attempt: 0, holders: [], told: '' }),
    async (s) => {
      const reason = req.reason.slice(0, 280);
      const tryOnce = async (): Promise<string | void> => {
        const open = req.open && !run.reports.of(req.agent) ? run.reports.openFor(req.step, req.agent, req.open.accepts, { expectHandoff: req.open.expectHandoff, onDone: req.open.onDone, releases: req.open.releases, ready: false }) : undefined;
        const result = await run.writes.write({
          reserve: req.files.length ? { holder: req.agent, patterns: req.files, exclusive: req.exclusive, ttlSeconds: Math.ceil(run.plan.leaseTtl / 1000), reason, requestId: `${s.requestBase}-${s.attempt++}`.slice(-128) } : undefined,
          notice: req.notice && run.writes.notice(req.notice),
        });
        run.leases.applyResult(result);
        if (!result.reserve || result.reserve.status === 'granted') {
          const granted: { granted: Reservation[]; kept: string[]; keptBy?: string[]; own?: string[] } = result.reserve?.status === 'granted' ? result.reserve : { granted: [], kept: [] };
          s.granted = run.leases.add(req.step, granted.granted, run.plan.leaseTtl);
          s.holders = [];
          if (req.files.length) run.timeline.log('reserved', describeReserved(req, granted), { step: req.step, actor: req.agent });
          if (open) {
            open.ready = true;
            if (granted.own?.length) open.own = granted.own;
          }
          if (req.notice) run.timeline.log('assigned', `task sent to ${req.agent}: ${req.notice.subject}`, { step: req.step, actor: req.agent });
          run.changed();
          return;
        }
        if (open) run.reports.close(open);
        return onConflict(result.reserve.conflicts);
      };
      const onConflict = async (conflicts: Conflict[]): Promise<string | void> => {
        s.holders = [...new Set(conflicts.map((c) => c.holder))];
        run.changed();
        const held = conflicts.map((c) => `${c.heldPattern} (held by ${c.holder} until ${c.expiresAt}, ${c.reservationId})`);
        if (s.holders.join(',') === s.told) return;
        s.told = s.holders.join(',');
        run.timeline.log('waiting-for-files', `${req.agent} waits for ${held.join('; ')}`, { step: req.step, actor: req.agent });
        await run.writes.notify({
          to: s.holders,
          subject: req.priority ? `[emergency] release your files now: ${run.title}` : `${req.agent} waits for files you hold`,
          body: `${req.agent} needs ${req.files.join(', ')} for step "${req.step}" of ${run.workflowId} (${run.title}).\nYou hold: ${held.join('; ')}.\n${req.priority ? 'It is a production emergency: release them now' : 'Release them when you are done'} (baton release ...); the step starts as soon as they are free (Baton tells the run when your lease ends).`,
          importance: req.priority ? 'urgent' : 'normal',
          onBehalfOf: req.agent,
        });
        // A human may force-release the lease in the way (not all of its holder's leases).
        if (req.priority) return `${req.agent} needs ${held.join('; ')} for the emergency "${run.title}". Force-release if the holders do not answer:\n${conflicts.map((c) => `  baton force-release ${c.reservationId} --reason "emergency ${run.workflowId}"`).join('\n')}`;
      };
      await run.gates.wait(
        {
          step: req.step,
          who: () => s.holders,
          deadlines: req.priority ? undefined : req.deadlines,
          ready: () => s.granted !== undefined,
          onBehalfOf: req.agent,
          remind: async (waited) => {
            run.timeline.log('reminder', `${s.holders.join(', ')} reminded: ${req.agent} has waited ${formatDuration(waited)} for their files`, { step: req.step });
            await run.writes.notify({ to: s.holders, subject: `Reminder: ${req.agent} still waits for your files`, body: `Step "${req.step}" of ${run.workflowId} has waited ${formatDuration(waited)} for ${req.files.join(', ')}.`, importance: 'high', onBehalfOf: req.agent });
          },
          escalation: (waited) => `${req.agent} has waited ${formatDuration(waited)} for files held by ${s.holders.join(', ')} (step "${req.step}"). A human may force-release the leases in the way (\`baton reservations\` lists them) or talk to ${s.holders.join(', ')}.`,
          poll: {
            every: (polls) => (req.priority ? Math.min(run.plan.reservationRetry, 5000) : Math.min(run.plan.reservationRetry * 1.5 ** Math.min(polls - 1, 20), Math.max(run.plan.reservationRetry, MAX_RESERVE_BACKOFF_MS))),
            run: tryOnce,
          },
        },
        s.gate,
      );
      return s.granted!;
    },
  );
}

/**
 * The timeline's line for a step's reservation: the leases taken, and the files the agent's own leases
 * already cover (no lease taken for those; its own stay as they are).
 */
function describeReserved(req: { agent: string; files: string[]; exclusive: boolean }, granted: { granted: Reservation[]; kept: string[]; keptBy?: string[] }): string {
  const kept = new Set(granted.kept);
  const taken = req.files.filter((f) => !kept.has(f));
  const parts: string[] = [];
  if (taken.length) parts.push(`${req.exclusive ? 'exclusive' : 'shared'} lease for ${req.agent} on ${taken.join(', ')}`);
  const by = granted.keptBy ?? granted.kept;
  if (kept.size) parts.push(`${taken.length ? '' : 'no lease taken: '}${req.agent}'s own ${by.join(', ')} already ${by.length === 1 ? 'covers' : 'cover'} ${granted.kept.join(', ')} (left as ${by.length === 1 ? 'it was' : 'they were'})`);
  return parts.join('; ');
}

/** Open the step for its agent's reports, then send the task (so a fast agent is never refused). */
export async function sendTask(run: PatternRun, spec: StepSpec & { releases?: boolean; own?: string[] }, extra: string[] = []): Promise<void> {
  openStep(run, spec);
  run.log('assigned', `task sent to ${spec.agent}: ${spec.task}`, { step: spec.name, actor: spec.agent });
  await run.notify(taskNotice(run, spec, extra));
}

/** Open `agent`'s step for reports (journaled): do it before its task goes out. */
export function openStep(run: PatternRun, spec: { name: string; agent: string; onDone: string; expectHandoff?: boolean; releases?: boolean; own?: string[] }, accepts: ReportKind[] = ['done', 'fail']): void {
  run.journal.sync(() => void run.reports.openFor(spec.name, spec.agent, accepts, { expectHandoff: spec.expectHandoff ?? true, onDone: spec.onDone, releases: spec.releases, own: spec.own, ready: true }));
}

/**
 * Wait for the report on `agent`'s open step (a reminder to the agent, then the humans; a progress
 * report restarts the deadlines). The step is closed for reports afterwards.
 */
export function awaitReport(run: PatternRun, step: string, agent: string, deadlines: Deadlines): Promise<Report> {
  return run.journal.wait(
    () => newGate(Date.now()),
    async (state) => {
      const a = run.reports.of(agent);
      if (!a || a.step !== step) throw new PatternAborted(`internal: no open step "${step}" for ${agent}`);
      try {
        await run.gates.wait(
          {
            step,
            who: () => [agent],
            deadlines,
            ready: () => a.report !== undefined,
            lastSign: () => a.lastProgressAt,
            onBehalfOf: agent,
            remind: async (waited) => {
              run.timeline.log('reminder', `${agent} reminded: no report for ${formatDuration(waited)}`, { step, actor: agent });
              await run.writes.notify({
                to: [agent],
                subject: `Reminder: step "${step}" of ${run.title} waits for you`,
                body: `No report from you for ${formatDuration(waited)}.\nReport progress (baton progress ${run.workflowId} --note "..."), done or fail.`,
                importance: 'high',
                onBehalfOf: agent,
              });
            },
            escalation: (waited) => `${agent} has not reported on step "${step}" for ${formatDuration(waited)}.`,
          },
          state,
        );
      } finally {
        run.reports.close(a);
      }
      return a.report!;
    },
  );
}

/**
 * The whole of an agent's step: reserve its files with the task in the same write, wait for done
 * (with a handoff unless the spec says otherwise) or fail. A failure goes back to the agent (onFail
 * 'agent', up to maxAttempts) or to a human, who sends it back or stops the pattern. Done: the step's
 * leases go with the next write (`keepFiles` holds them for the caller), and the success counts for
 * the agent when someone else accepts it (`acceptedBy`; default: the human who started the run; null:
 * nobody yet, e.g. the caller credits it after a review). With `filesHeld` the agent already holds
 * the step's files (reserved by the caller) and the task goes out alone.
 */
export async function assignAndAwait(
  run: PatternRun,
  spec: StepSpec,
  policy: FailurePolicy,
  options: { acceptedBy?: string | null; keepFiles?: boolean; filesHeld?: boolean } = {},
): Promise<{ step: number; report: DoneReport; leases: string[] }> {
  const step = run.beginStep(spec.name, spec.agent);
  const expectHandoff = spec.expectHandoff ?? true;
  // The answer to done says which leases go only when the step's own leases go at done.
  const releases = !options.keepFiles && !options.filesHeld;
  // With filesHeld, the files were reserved for the agent before (an emergency's, for every step of its fix).
  if (options.filesHeld) await sendTask(run, { ...spec, expectHandoff });
  const leases = options.filesHeld ? [] : await reserveFiles(run, {
    step: spec.name,
    agent: spec.agent,
    files: spec.files,
    exclusive: spec.exclusive,
    deadlines: spec.deadlines,
    reason: `${run.title}: ${spec.name}`,
    notice: taskNotice(run, spec),
    open: { accepts: ['done', 'fail'], expectHandoff, onDone: spec.onDone, releases },
  });
  // The agent's own leases over the files, as the reservation found them: later attempts say them too.
  const own = run.reports.of(spec.agent)?.own;
  let lastFailure: string | undefined;
  for (let attempt = 1; ; attempt++) {
    run.attempt(step);
    if (attempt > 1) await sendTask(run, { ...spec, expectHandoff, releases, own }, ['', `Attempt ${attempt}: the last attempt failed with "${lastFailure}".`]);
    const report = await awaitReport(run, spec.name, spec.agent, spec.deadlines);
    if (report.kind === 'done') {
      if (!options.keepFiles) run.handOver(leases);
      if (options.acceptedBy !== null) run.credit(spec.agent, options.acceptedBy);
      run.endStep(step, 'done', report);
      return { step, report, leases };
    }
    if (report.kind !== 'fail') continue;
    lastFailure = report.reason;
    if (attempt >= MAX_ATTEMPTS_EVER) {
      run.endStep(step, 'failed', { summary: report.reason });
      throw new PatternAborted(`step "${spec.name}" failed ${attempt} times; last: ${report.reason}`);
    }
    if (policy.onFail === 'agent' && attempt < policy.maxAttempts) {
      run.log('failed', `back to ${spec.agent} (attempt ${attempt + 1} of ${policy.maxAttempts})`, { step: spec.name, actor: spec.agent });
      continue;
    }
    const decision = await run.decide({
      step: spec.name,
      question: `${spec.agent} could not finish step "${spec.name}" (attempt ${attempt}): "${report.reason}". Approve to send it back to ${spec.agent} for another attempt; reject to stop the workflow.`,
      deadlines: run.plan.deadlines,
      onBehalfOf: spec.agent,
    });
    if (!decision.approved) {
      run.endStep(step, 'failed', { summary: report.reason });
      throw new PatternAborted(`step "${spec.name}" failed ("${report.reason}") and ${decision.by} stopped the workflow: ${decision.text ?? 'rejected'}`);
    }
    lastFailure = `${report.reason}; ${decision.by} sends it back to you${decision.text ? `: ${decision.text}` : ''}`;
  }
}
