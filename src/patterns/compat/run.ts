import * as wf from '@temporalio/workflow';
import { hashToken } from '../../domain/agents/token-hash';
import { formatDuration } from '../../domain/patterns/duration';
import { checkHandoff } from '../../domain/patterns/handoff';
import {
  ApproveInput,
  CancelInput,
  DoneInput,
  FailInput,
  ProgressInput,
  RejectInput,
  ReviewInput,
  type ApprovalCheck,
  type Deadlines,
  type HandoffNote,
  type PatternState,
  type PatternStatus,
  type PendingDecision,
  type RefusedAttempt,
  type ReportAck,
  type StepRecord,
  type TimelineEntry,
  type TimelineKind,
} from '../../schemas/patterns';
import { BatonNeedsHuman, BatonStep, BatonWaitingFor } from '../../search-attributes';
import type { PatternName } from '../names';
import { reportToProject } from '../../workflows/alerts/report';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import type { MemberCredential } from '../../workflows/project/directory-api';
import type { Importance, PatternActivities } from './activities-api';
import { reviewUpdate } from '../code-review/api';
import { approveSignal, cancelSignal, doneUpdate, failUpdate, progressUpdate, rejectSignal, statusQuery, whoMayApproveQuery } from '../kit/api';

/** Short calls to the project workflow: retried while the worker or server restarts. */
export const acts = wf.proxyActivities<PatternActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

/** Configured commands (merge, integration tests): heartbeats show they are alive; not retried. */
export const commandActs = (timeoutMs: number) =>
  wf.proxyActivities<PatternActivities>({
    startToCloseTimeout: timeoutMs + 30_000,
    heartbeatTimeout: '20s',
    retry: { maximumAttempts: 1 },
  });

export type ReportKind = 'progress' | 'done' | 'fail' | 'review';

export type Report =
  | { kind: 'done'; at: number; summary: string; handoff?: HandoffNote }
  | { kind: 'fail'; at: number; reason: string }
  | { kind: 'review'; at: number; verdict: 'approve' | 'request_changes'; required: string[]; suggestions: string[]; summary?: string };

/** An open step for one agent: only this agent may report on it, with the report kinds listed. */
export interface Assignment {
  step: string;
  agent: string;
  accepts: ReportKind[];
  expectHandoff: boolean;
  openedAt: number;
  lastProgressAt: number;
  progressNotes: number;
  report?: Report;
}

export interface Decision {
  approved: boolean;
  by: string;
  /** The approver's comment or the rejecter's reason. */
  text?: string;
}

/** Thrown inside a pattern's story to stop it (a human rejected, a plan is impossible); the runner ends it cleanly. */
export class PatternAborted extends Error {
  override readonly name = 'PatternAborted';
}

/** Plan fields every pattern has (after zod parsing). */
export interface RunPlan {
  title: string;
  deadlines: Deadlines;
  leaseTtl: number;
  reservationRetry: number;
  approvers?: string[];
}

const MAX_TIMELINE = 300;
const KEEP_FIRST = 40;
const MAX_REFUSED = 100;

/**
 * The state and message handlers every pattern workflow shares: who is assigned, reports, human
 * decisions, cancel, the timeline, search attributes and details for the Web UI, the credential cache
 * used by validators, and the reservations held (released on any ending). A pattern's story (its own
 * file) drives it through the helpers in step.ts and decision.ts.
 */
export class PatternRun {
  readonly workflowId = wf.workflowInfo().workflowId;
  readonly startedAt = Date.now();
  state: PatternState = 'running';
  step?: string;
  waitingFor: string[] = [];
  needsHuman = false;
  escalated = false;
  decision?: PendingDecision;
  decisionOutcome?: Decision;
  cancelRequest?: { by: string; reason: string };
  readonly steps: StepRecord[] = [];
  readonly timeline: TimelineEntry[] = [];
  timelineOmitted = 0;
  readonly refused: RefusedAttempt[] = [];
  readonly refusedHandoffs: Record<string, number> = {};
  /** Reservation id -> the agent it was taken for. */
  readonly held = new Map<string, string>();
  private readonly assignments = new Map<string, Assignment>();
  private readonly credentials = new Map<string, MemberCredential>();
  private scope?: wf.CancellationScope;
  private shownAttributes = '';

  constructor(
    readonly project: string,
    readonly pattern: PatternName,
    readonly plan: RunPlan,
    readonly startedBy: string | undefined,
  ) {}

  /** Every message of one pattern run shares a thread, so the inbox groups them. */
  get thread(): string {
    return `t-${hashToken(this.workflowId).slice(0, 12)}`;
  }

  get title(): string {
    return this.plan.title;
  }

  // --- handlers --------------------------------------------------------------------------------

  install(scope: wf.CancellationScope): void {
    this.scope = scope;
    wf.setHandler(
      progressUpdate,
      (raw) => {
        const input = parseOrFail(ProgressInput, raw, 'progress report');
        const a = this.checkReporter(input, 'progress');
        a.lastProgressAt = Date.now();
        a.progressNotes += 1;
        // Progress is a sign of life for the project's silent-work alert (fire and forget).
        void reportToProject(this.project, this.workflowId, { kind: 'progress', agent: a.agent });
        this.log('progress', input.note, { step: a.step, actor: a.agent });
        return this.ack(a, 'Progress noted.');
      },
      { validator: (raw) => void this.checkReporter(parseOrFail(ProgressInput, raw, 'progress report'), 'progress') },
    );
    wf.setHandler(
      doneUpdate,
      (raw) => {
        const input = parseOrFail(DoneInput, raw, 'done report');
        const a = this.checkReporter(input, 'done');
        if (a.expectHandoff) {
          const check = checkHandoff(input.handoff);
          if (!check.ok) {
            // Refused in the handler (not the validator) so the refusal is recorded: unclear
            // handoffs are counted per agent.
            this.refusedHandoffs[a.agent] = (this.refusedHandoffs[a.agent] ?? 0) + 1;
            void reportToProject(this.project, this.workflowId, { kind: 'handoff-refused', agent: a.agent, step: a.step, missing: check.missing.map((m) => m.field) });
            this.log('handoff-refused', check.message, { step: a.step, actor: a.agent });
            this.recordRefused(a.agent, 'done', check.message);
            throw batonFailure('INVALID_INPUT', check.message, { missing: check.missing });
          }
        }
        a.report = { kind: 'done', at: Date.now(), summary: input.summary, handoff: input.handoff };
        this.log('done', input.summary, { step: a.step, actor: a.agent });
        return this.ack(a, 'Done accepted; your files are released and the next step is told.');
      },
      { validator: (raw) => void this.checkReporter(parseOrFail(DoneInput, raw, 'done report'), 'done') },
    );
    wf.setHandler(
      failUpdate,
      (raw) => {
        const input = parseOrFail(FailInput, raw, 'failure report');
        const a = this.checkReporter(input, 'fail');
        a.report = { kind: 'fail', at: Date.now(), reason: input.reason };
        this.log('failed', input.reason, { step: a.step, actor: a.agent });
        return this.ack(a, 'Failure noted; the plan decides whether it comes back to you or goes to a human.');
      },
      { validator: (raw) => void this.checkReporter(parseOrFail(FailInput, raw, 'failure report'), 'fail') },
    );
    wf.setHandler(
      reviewUpdate,
      (raw) => {
        const input = parseOrFail(ReviewInput, raw, 'review');
        const a = this.checkReporter(input, 'review');
        a.report = { kind: 'review', at: Date.now(), verdict: input.verdict, required: input.required, suggestions: input.suggestions, summary: input.summary };
        this.log('review', `${input.verdict === 'approve' ? 'approved' : 'requested changes'} (${input.required.length} required, ${input.suggestions.length} suggestions)`, { step: a.step, actor: a.agent });
        return this.ack(a, 'Review recorded.');
      },
      { validator: (raw) => void this.checkReporter(parseOrFail(ReviewInput, raw, 'review'), 'review') },
    );
    wf.setHandler(approveSignal, async (raw) => {
      const parsed = ApproveInput.safeParse(raw);
      if (!parsed.success) return this.recordRefused(String((raw as { approver?: unknown })?.approver ?? '?'), 'approve', 'malformed approval');
      const { approver, comment } = parsed.data;
      await this.decide(approver, 'approve', { approved: true, by: approver, text: comment });
    });
    wf.setHandler(rejectSignal, async (raw) => {
      const parsed = RejectInput.safeParse(raw);
      if (!parsed.success) return this.recordRefused(String((raw as { approver?: unknown })?.approver ?? '?'), 'reject', 'a rejection needs a reason');
      const { approver, reason } = parsed.data;
      await this.decide(approver, 'reject', { approved: false, by: approver, text: reason });
    });
    wf.setHandler(cancelSignal, async (raw) => {
      const parsed = CancelInput.safeParse(raw);
      if (!parsed.success) return this.recordRefused(String((raw as { by?: unknown })?.by ?? '?'), 'cancel', 'a cancel needs a reason');
      const { by, reason } = parsed.data;
      if (this.state !== 'running' || this.cancelRequest) return this.recordRefused(by, 'cancel', `the workflow is ${this.cancelRequest ? 'already being cancelled' : this.state}`);
      const human = await this.checkHumanFresh(by);
      if (!human.ok) return this.recordRefused(by, 'cancel', human.reason);
      this.cancelRequest = { by: human.name, reason };
      this.log('cancelled', reason, { actor: human.name });
      this.scope?.cancel();
    });
    wf.setHandler(statusQuery, () => this.status());
    wf.setHandler(whoMayApproveQuery, (): ApprovalCheck => ({ state: this.state, decision: this.decision ?? null }));
  }

  /** Validators call this too: it only reads. */
  private checkReporter(input: { agent: string }, kind: ReportKind): Assignment {
    if (this.state !== 'running') throw batonFailure('INVALID_STATE', `${this.workflowId} is ${this.state}; nothing waits for reports.`);
    const a = this.assignments.get(input.agent.toLowerCase());
    if (!a) {
      throw batonFailure('FORBIDDEN', `${input.agent} has no open step in ${this.workflowId}; only the assigned agent may report (${this.waitingText()}).`);
    }
    const cred = this.credentials.get(a.agent.toLowerCase());
    if (cred?.retired) throw batonFailure('FORBIDDEN', `${a.agent} is retired; a human reassigns the step (baton cancel, then start again).`);
    if (!a.accepts.includes(kind)) throw batonFailure('INVALID_STATE', `Step "${a.step}" expects ${a.accepts.filter((k) => k !== 'progress').join(' or ')} from ${a.agent}, not ${kind}.`);
    if (a.report && kind !== 'progress') throw batonFailure('INVALID_STATE', `${a.agent} already reported on step "${a.step}".`);
    return a;
  }

  private ack(a: Assignment, message: string): ReportAck {
    return { workflowId: this.workflowId, step: a.step, accepted: true, message };
  }

  // --- assignments -----------------------------------------------------------------------------

  open(step: string, agent: string, accepts: ReportKind[], expectHandoff: boolean): Assignment {
    const a: Assignment = { step, agent, accepts, expectHandoff, openedAt: Date.now(), lastProgressAt: Date.now(), progressNotes: 0 };
    this.assignments.set(agent.toLowerCase(), a);
    return a;
  }

  close(a: Assignment): void {
    if (this.assignments.get(a.agent.toLowerCase()) === a) this.assignments.delete(a.agent.toLowerCase());
  }

  openAssignments(): Assignment[] {
    return [...this.assignments.values()];
  }

  // --- identity --------------------------------------------------------------------------------

  /** Fetch kind, trust and status of these members and of every human from the project's directory. */
  async refreshCredentials(names: string[]): Promise<void> {
    const creds = await acts.fetchCredentials({ project: this.project, names });
    for (const c of creds) this.credentials.set(c.name.toLowerCase(), c);
  }

  credential(name: string): MemberCredential | undefined {
    return this.credentials.get(name.toLowerCase());
  }

  /** Members the plan names must exist before anything is reserved or sent. */
  async requireMembers(names: string[]): Promise<void> {
    await this.refreshCredentials(names);
    const missing = names.filter((n) => !this.credential(n) || this.credential(n)!.retired);
    if (missing.length) throw new PatternAborted(`The plan names ${missing.join(', ')}, not (or no longer) registered in project ${this.project}; register them with \`baton register\`.`);
  }

  private checkHuman(name: string): { ok: true; name: string } | { ok: false; reason: string } {
    const cred = this.credential(name);
    if (!cred) return { ok: false, reason: `${name} is not a member of project ${this.project}` };
    if (cred.kind !== 'human' || cred.retired) return { ok: false, reason: `${cred.name} is ${cred.retired ? 'retired' : 'an agent'}; only a human may decide` };
    return { ok: true, name: cred.name };
  }

  /** The cache may predate a human's registration: ask the directory once more before refusing. */
  private async checkHumanFresh(name: string) {
    if (!this.credential(name)) await this.refreshCredentials([name]);
    return this.checkHuman(name);
  }

  private async decide(who: string, action: 'approve' | 'reject', outcome: Decision): Promise<void> {
    const decision = this.decision;
    if (this.state !== 'running' || !decision || this.decisionOutcome) return this.recordRefused(who, action, `nothing in ${this.workflowId} waits for a decision`);
    const human = await this.checkHumanFresh(who);
    if (!human.ok) return this.recordRefused(who, action, human.reason);
    if (decision.approvers && !decision.approvers.some((a) => a.toLowerCase() === human.name.toLowerCase())) {
      return this.recordRefused(human.name, action, `only ${decision.approvers.join(', ')} may decide on "${decision.step}"`);
    }
    // The decision may have been settled while the credentials were fetched.
    if (this.decision !== decision || this.decisionOutcome) return this.recordRefused(who, action, 'the decision was already taken');
    this.decisionOutcome = { ...outcome, by: human.name };
    this.log(outcome.approved ? 'approved' : 'rejected', outcome.text ?? (outcome.approved ? 'approved' : 'rejected'), { step: decision.step, actor: human.name });
  }

  recordRefused(who: string, action: string, reason: string): void {
    this.refused.push({ at: iso(Date.now()), who, action, reason });
    if (this.refused.length > MAX_REFUSED) this.refused.shift();
    this.log('refused', `${action} by ${who} refused: ${reason}`, { actor: who });
  }

  // --- timeline, steps, Web UI -----------------------------------------------------------------

  log(kind: TimelineKind, text: string, extra: { step?: string; actor?: string } = {}): void {
    this.timeline.push({ at: iso(Date.now()), kind, text, ...extra });
    // Bounded: keep the beginning (the plan) and the most recent entries.
    if (this.timeline.length > MAX_TIMELINE) {
      this.timeline.splice(KEEP_FIRST, 1);
      this.timelineOmitted += 1;
    }
  }

  beginStep(name: string, agent: string): StepRecord {
    const rec: StepRecord = { name, agent, startedAt: iso(Date.now()), attempts: 0, outcome: 'running' };
    this.steps.push(rec);
    this.log('step-started', `${agent} takes step "${name}"`, { step: name, actor: agent });
    return rec;
  }

  endStep(rec: StepRecord, outcome: StepRecord['outcome'], report?: { summary?: string; handoff?: HandoffNote }): void {
    const now = Date.now();
    rec.endedAt = iso(now);
    rec.durationMs = now - Date.parse(rec.startedAt);
    rec.outcome = outcome;
    if (report?.summary) rec.summary = report.summary;
    if (report?.handoff) rec.handoff = report.handoff;
    this.log('step-finished', `step "${rec.name}" ${outcome} after ${formatDuration(rec.durationMs)}`, { step: rec.name, actor: rec.agent });
  }

  /** What the Web UI shows: search attributes (filterable) and current details (in words). */
  show(view: { step?: string; waitingFor?: string[]; needsHuman?: boolean }): void {
    if (view.step !== undefined) this.step = view.step;
    if (view.waitingFor !== undefined) this.waitingFor = view.waitingFor;
    if (view.needsHuman !== undefined) this.needsHuman = view.needsHuman;
    const key = JSON.stringify([this.step, this.waitingFor, this.needsHuman]);
    if (key !== this.shownAttributes) {
      this.shownAttributes = key;
      wf.upsertSearchAttributes([
        { key: BatonStep, value: this.step ?? '' },
        { key: BatonWaitingFor, value: this.waitingFor },
        { key: BatonNeedsHuman, value: this.needsHuman },
      ]);
      wf.upsertMemo({ decision: this.decision?.question ?? null, title: this.title });
    }
    wf.setCurrentDetails(this.details());
  }

  private details(): string {
    const lines = [`**${this.title}** (${this.pattern}) — ${this.state}`];
    if (this.step) lines.push(`Step: **${this.step}**`);
    if (this.waitingFor.length) lines.push(`Waiting for: ${this.waitingFor.join(', ')}`);
    if (this.decision) lines.push(`Needs a human decision: ${this.decision.question}`, `\`baton approve ${this.workflowId}\` or \`baton reject ${this.workflowId} --reason ...\``);
    if (this.escalated) lines.push('**Escalated to the humans**: a wait ran past its deadline.');
    const last = this.timeline[this.timeline.length - 1];
    if (last) lines.push(`Last: ${last.at} ${last.kind}: ${last.text}`);
    return lines.join('\n\n');
  }

  waitingText(): string {
    if (this.waitingFor.length === 0) return 'it waits for nobody right now';
    return `step "${this.step}" waits for ${this.waitingFor.join(', ')}`;
  }

  status(): PatternStatus {
    return {
      workflowId: this.workflowId,
      project: this.project,
      pattern: this.pattern,
      title: this.title,
      state: this.state,
      startedAt: iso(this.startedAt),
      startedBy: this.startedBy,
      step: this.step,
      waitingFor: this.waitingFor,
      assigned: [...this.assignments.values()].map((a) => ({ step: a.step, agent: a.agent, since: iso(a.openedAt), accepts: a.accepts })),
      needsHuman: this.needsHuman,
      escalated: this.escalated,
      decision: this.decision,
      steps: this.steps,
      timeline: this.timeline,
      timelineOmitted: this.timelineOmitted,
      refused: this.refused,
      refusedHandoffs: this.refusedHandoffs,
    };
  }

  // --- messages ---------------------------------------------------------------------------------

  /**
   * Send a system message. A message that cannot be delivered (after the activity's retries) is
   * recorded on the timeline rather than stopping the pattern: the status and the Web UI still show the
   * wait.
   */
  async notify(to: string[] | 'humans' | 'all', subject: string, body: string, options: { importance?: Importance; onBehalfOf?: string } = {}): Promise<void> {
    const recipients = to === 'humans' && this.plan.approvers?.length ? this.plan.approvers : to;
    try {
      await acts.notifyMembers({
        project: this.project,
        actor: { kind: 'workflow', workflowId: this.workflowId, onBehalfOf: options.onBehalfOf ?? this.startedBy ?? this.firstMember() },
        to: recipients,
        subject: subject.length > 200 ? subject.slice(0, 197) + '...' : subject,
        body,
        importance: options.importance ?? 'normal',
        thread: this.thread,
      });
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      this.log('refused', `could not send "${subject}" to ${Array.isArray(recipients) ? recipients.join(', ') : recipients}: ${(err as Error).message}`);
    }
  }

  private firstMember(): string {
    return this.steps[0]?.agent ?? [...this.credentials.values()][0]?.name ?? 'baton';
  }

  /** Tell the humans; the UI shows the escalation until the wait ends. */
  async escalate(step: string, text: string, onBehalfOf?: string): Promise<void> {
    this.escalated = true;
    this.log('escalated', text, { step });
    this.show({ waitingFor: [...new Set([...this.waitingFor, 'human'])] });
    await this.notify('humans', `[${this.pattern}] needs attention: ${this.title}`, `${text}\n\nWorkflow: ${this.workflowId}\nStatus: baton status ${this.workflowId}\nStop it: baton cancel ${this.workflowId} --reason "..."`, {
      importance: 'urgent',
      onBehalfOf,
    });
  }

  // --- waiting ----------------------------------------------------------------------------------

  /**
   * Wait until `ready()`, with the plan's deadlines counted from `since()` (the start of the wait, or
   * the last sign of life): first `remind`, then `escalate`, then keep waiting (a human now knows). A
   * newer `since()` (e.g. a progress report) starts the clock again.
   */
  async waitWithDeadlines(ready: () => boolean, deadlines: Deadlines, since: () => number, hooks: { remind: () => Promise<void>; escalate: () => Promise<void> }): Promise<void> {
    let reminded = false;
    let escalated = false;
    let clock = since();
    for (;;) {
      if (ready()) return;
      if (since() !== clock) {
        clock = since();
        reminded = escalated = false;
      }
      const moved = () => ready() || since() !== clock;
      if (escalated) {
        await wf.condition(moved);
        continue;
      }
      const left = clock + (reminded ? deadlines.escalateAfter : deadlines.reminderAfter) - Date.now();
      if (left > 0) {
        await wf.condition(moved, left);
        continue;
      }
      if (!reminded) {
        reminded = true;
        await hooks.remind();
      } else {
        escalated = true;
        await hooks.escalate();
      }
    }
  }

  // --- endings ----------------------------------------------------------------------------------

  /** Release every reservation this workflow still holds (any ending: done, cancel, abort). */
  async releaseAll(): Promise<void> {
    const byAgent = new Map<string, string[]>();
    for (const [id, agent] of this.held) byAgent.set(agent, [...(byAgent.get(agent) ?? []), id]);
    for (const [agent, ids] of byAgent) await this.release(agent, ids);
  }

  async release(agent: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await acts.releaseForStep({ project: this.project, workflowId: this.workflowId, agent, ids });
    for (const id of ids) this.held.delete(id);
    this.log('released', `released ${ids.length} reservation(s) of ${agent}`, { actor: agent });
  }

  finish(state: PatternState, reason?: string): void {
    this.state = state;
    for (const a of this.assignments.values()) this.close(a);
    this.decision = undefined;
    this.log(state === 'completed' ? 'completed' : state === 'cancelled' ? 'cancelled' : 'aborted', reason ?? state);
    this.show({ waitingFor: [], needsHuman: false, step: state });
  }

  describeFiles(files: string[]): string {
    return files.length ? files.join(', ') : '(no files)';
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function describeDeadlines(d: Deadlines): string {
  return `a reminder after ${formatDuration(d.reminderAfter)} without a report; the humans are told after ${formatDuration(d.escalateAfter)}`;
}
