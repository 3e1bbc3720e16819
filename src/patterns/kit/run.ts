import * as wf from '@temporalio/workflow';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { hashToken } from '../../domain/agents/token-hash';
import { CancelInput, type ApprovalCheck, type Deadlines, type HandoffNote, type PatternResult, type PatternState, type PatternStatus, type PatternWorkflowInput, type RefusedAttempt, type StepRecord, type TimelineKind } from '../../schemas/patterns';
import { patternSearchAttributes } from '../../search-attributes';
import { batonFailure } from '../../workflows/failure';
import type { MemberCredential } from '../../workflows/project/directory-api';
import type { PatternName } from '../names';
import { cancelSignal, filesFreedSignal, statusQuery, whoMayApproveQuery } from './api';
import { Decisions, newAsk, type DecisionRequest, type DecisionsState, type Outcome } from './decisions';
import { Gates, newGate, type GateSpec, type GateState } from './gates';
import { Journal, type JournalState } from './journal';
import { Leases } from './leases';
import { Members } from './members';
import { Refusals } from './refusals';
import { Reports, type ReportsState } from './reports';
import { Steps } from './steps';
import { Timeline, type TimelineState } from './timeline';
import { View, type ViewState } from './view';
import { ProjectWrites, type Notice, type WriteParts, type WritesState } from './writes';

/** Plan fields every pattern has (after zod parsing). */
export interface RunPlan {
  title: string;
  deadlines: Deadlines;
  leaseTtl: number;
  reservationRetry: number;
  approvers?: string[];
}

/**
 * Runs started before the kit replay and end on the code they started with (src/patterns/compat/):
 * every pattern workflow checks this patch first.
 */
export const PATTERN_KIT_PATCH = 'baton-pattern-kit';

/** Thrown inside a story to stop it (a human rejected, a plan is impossible); the runner ends it cleanly. */
export class PatternAborted extends Error {
  override readonly name = 'PatternAborted';
}

/**
 * A run continues as new well before Temporal's limit of 2,000 updates per run (or when Temporal
 * suggests it, or its history grows long): a step flooded with progress reports keeps working.
 */
export const MAX_UPDATES_PER_RUN = 500;
export const MAX_HISTORY_EVENTS = 5000;

/** Everything a run carries into the next when it continues as new. */
export interface CarriedRun {
  startedAt: number;
  generation: number;
  journal: JournalState;
  timeline: TimelineState;
  refused: RefusedAttempt[];
  steps: StepRecord[];
  members: MemberCredential[];
  writes: WritesState;
  leases: ReturnType<Leases['snapshot']>;
  decisions: DecisionsState;
  reports: ReportsState;
  view: ViewState;
  /** What the pattern's own handlers recorded (an emergency's claim, an onboarding's introduction). */
  own: Record<string, unknown>;
}

/**
 * One pattern run: its parts, each owning its state (timeline, steps, refusals, members, writes to
 * the project, leases, open waits, decisions, reports, what people see), and the calls a story makes.
 *
 * A story (src/patterns/<name>/workflow.ts) uses only the calls below that are journaled (src/patterns/
 * kit/journal.ts): log, beginStep, attempt, endStep, notify, send, requireMembers, decide, wait, call,
 * child, credit, handOver, flush. Handlers and the bodies of waits act on the parts directly (they run
 * live, never twice).
 */
export class PatternRun {
  readonly workflowId = wf.workflowInfo().workflowId;
  readonly project: string;
  readonly startedBy?: string;
  readonly startedAt: number;
  readonly generation: number;
  readonly journal: Journal;
  readonly timeline: Timeline;
  readonly refusals: Refusals;
  readonly steps: Steps;
  readonly members: Members;
  readonly writes: ProjectWrites;
  readonly leases: Leases;
  readonly gates: Gates;
  /** How many times the project said a lease this run waited for ended (filesFreedSignal). */
  private filesFreed = 0;
  readonly decisions: Decisions;
  readonly reports: Reports;
  readonly view: View;
  cancelRequest?: { by: string; reason: string };
  private runState: PatternState = 'running';
  private draining = false;
  private updates = 0;
  private scope?: wf.CancellationScope;
  private readonly own: Record<string, unknown>;
  private readonly installers: (() => void)[] = [];

  constructor(
    private readonly input: PatternWorkflowInput<unknown>,
    readonly pattern: PatternName,
    readonly plan: RunPlan,
  ) {
    const carried = input.carried as CarriedRun | undefined;
    this.project = input.project;
    this.startedBy = input.startedBy;
    this.startedAt = carried?.startedAt ?? Date.now();
    this.generation = carried?.generation ?? 0;
    this.own = carried?.own ?? {};
    this.journal = new Journal(carried?.journal);
    this.timeline = new Timeline(carried?.timeline);
    this.refusals = new Refusals(this.timeline, carried?.refused);
    this.steps = new Steps(this.timeline, carried?.steps);
    this.members = new Members(this, carried?.members);
    this.writes = new ProjectWrites(this, carried?.writes);
    this.gates = new Gates(this);
    this.leases = new Leases(this, carried?.leases);
    this.gates.keepAlive = { nextAt: () => this.leases.nextAt(), run: () => this.leases.keepAlive() };
    this.decisions = new Decisions(this, carried?.decisions);
    this.reports = new Reports(this, carried?.reports);
    this.view = new View(this, carried?.view);
  }

  get title(): string {
    return this.plan.title;
  }

  get approvers(): string[] | undefined {
    return this.plan.approvers;
  }

  /** Every message of one pattern run shares a thread, so the inbox groups them. */
  get thread(): string {
    return `t-${hashToken(this.workflowId).slice(0, 12)}`;
  }

  state(): PatternState {
    return this.runState;
  }

  isRunning(): boolean {
    return this.runState === 'running';
  }

  /** Whom the run acts for when nobody in particular: its starter. */
  onBehalfOf(): string {
    return this.startedBy ?? this.members.snapshot()[0]?.name ?? 'baton';
  }

  /** The project's word that files this run waited for are free (a count: the gates wake when it grows). */
  freed(): number {
    return this.filesFreed;
  }

  /** Something people see changed. */
  changed(): void {
    this.view.refresh();
  }

  /** Workflow time for the story (see Journal.now). */
  now(): number {
    return this.journal.now();
  }

  // --- the story's calls (journaled) ---------------------------------------------------------------

  log(kind: TimelineKind, text: string, extra: { step?: string; actor?: string } = {}): void {
    this.journal.sync(() => this.timeline.log(kind, text, extra));
  }

  /** What the story is doing when no wait is open (shown as the step); safe to repeat. */
  at(label: string): void {
    this.view.at(label);
  }

  /** A step begins (it is also what the run shows as its step until a wait says more). */
  beginStep(name: string, agent: string): number {
    const step = this.journal.sync(() => this.steps.begin(name, agent));
    this.view.at(name);
    return step;
  }

  attempt(step: number): number {
    return this.journal.sync(() => this.steps.attempt(step));
  }

  endStep(step: number, outcome: StepRecord['outcome'], report?: { summary?: string; handoff?: HandoffNote }): void {
    this.journal.sync(() => this.steps.end(step, outcome, report));
  }

  notify(n: Notice): Promise<void> {
    return this.journal.effect(async () => void (await this.writes.notify(n)));
  }

  /** A write of its own (a message from a member, contacts, ...), with whatever is pending. */
  send(parts: WriteParts): Promise<void> {
    return this.journal.effect(async () => void this.leases.applyResult(await this.writes.write(parts)));
  }

  /** Send what is pending now (a finished step's release and credit) instead of with the next write. */
  flush(): Promise<void> {
    return this.journal.effect(async () => {
      if (this.writes.pending) this.leases.applyResult(await this.writes.write());
    });
  }

  async requireMembers(names: string[]): Promise<void> {
    await this.journal.effect(() => this.members.require(names));
  }

  /** Ask a human (the approvers are reminded, then every human is told) and wait for the answer. */
  decide(request: DecisionRequest): Promise<Outcome> {
    return this.journal.wait(
      () => newAsk(Date.now()),
      (state) => this.decisions.ask(request, state, this.gates, this.writes, this.title, this.pattern),
    );
  }

  /** A wait with a reminder and an escalation (see gates.ts); `spec` may read the wait's own state. */
  wait(spec: (state: GateState) => GateSpec): Promise<void> {
    return this.journal.wait(
      () => newGate(Date.now()),
      (state) => this.gates.wait(spec(state), state),
    );
  }

  /** A pattern's own activity (listed in its activities-api.ts), done once. */
  call<T>(fn: () => Promise<T>): Promise<T> {
    return this.journal.effect(fn);
  }

  /** A child pattern run (Parallel Development and Code Review inside a Full-Stack Feature). */
  child(pattern: PatternName, workflowType: string, id: string, plan: Record<string, unknown> & { title: string }, summary: string): Promise<PatternResult> {
    return this.journal.effect(() =>
      wf.executeChild(workflowType, {
        workflowId: `baton/${this.project}/${pattern}/${id}`,
        args: [{ project: this.project, plan, startedBy: this.startedBy }],
        typedSearchAttributes: patternSearchAttributes(this.project, pattern),
        memo: { title: plan.title },
        staticSummary: summary.slice(0, 200),
      }) as Promise<PatternResult>,
    );
  }

  /** A done step counts for its agent's trust when someone else accepts it (see Members.counts). */
  credit(worker: string, acceptedBy: string | undefined = this.members.defaultAcceptor()): void {
    this.journal.sync(() => {
      if (this.members.counts(worker, acceptedBy)) this.writes.creditLater(worker);
    });
  }

  /** A step ended: its leases go with the next write. */
  handOver(ids: string[]): void {
    this.journal.sync(() => this.leases.handOver(ids));
  }

  /**
   * State a pattern's own handlers record (a claim, an introduction): carried into the next run.
   * Handlers change the object in place; the story only reads it.
   */
  carry<T extends object>(key: string, initial: T): T {
    return (this.own[key] ??= initial) as T;
  }

  /** An update of the pattern's own; its validator runs `admit` first, its handler counts as accepted. */
  handle<R, I>(update: UpdateDefinition<R, [I]>, spec: { validate(raw: unknown): void; handle(raw: unknown): R | Promise<R> }): void {
    this.installers.push(() =>
      wf.setHandler(
        update,
        (raw: I) => {
          this.accept(update.name);
          return spec.handle(raw);
        },
        {
          validator: (raw: I) => {
            this.admit();
            spec.validate(raw);
          },
        },
      ),
    );
  }

  query<R>(query: QueryDefinition<R, []>, answer: () => R): void {
    this.installers.push(() => wf.setHandler(query, answer));
  }

  // --- lifecycle (the runner) -----------------------------------------------------------------------

  /** Handlers go in once the story is live (at once for a fresh run; after catching up for a continued one). */
  install(scope: wf.CancellationScope): void {
    this.scope = scope;
    this.journal.whenLive(() => {
      this.reports.install();
      this.decisions.install();
      wf.setHandler(cancelSignal, (raw) => this.cancel(raw));
      wf.setHandler(filesFreedSignal, () => void this.filesFreed++);
      wf.setHandler(statusQuery, () => this.status());
      wf.setHandler(whoMayApproveQuery, (): ApprovalCheck => ({ state: this.runState, decision: this.decisions.pending ?? null }));
      for (const install of this.installers) install();
      this.changed();
    });
  }

  /** For validators: refuses when the run takes no update now. */
  admit(): void {
    if (this.runState !== 'running') throw batonFailure('INVALID_STATE', `${this.workflowId} is ${this.runState}; nothing waits for reports.`);
    if (this.draining) throw batonFailure('UNAVAILABLE', `${this.workflowId} is moving to a new run (continue-as-new); send it again.`, { retry: 'continue-as-new' });
  }

  /** For handlers: one more accepted update in this run. */
  accept(_kind: string): void {
    this.updates += 1;
  }

  get continueAsNewDue(): boolean {
    const info = wf.workflowInfo();
    return this.updates >= MAX_UPDATES_PER_RUN || info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  }

  /** From now on validators refuse new updates (retryable): the run is about to continue as new. */
  drain(): void {
    this.draining = true;
  }

  snapshot(): CarriedRun {
    return {
      startedAt: this.startedAt,
      generation: this.generation + 1,
      journal: this.journal.snapshot(),
      timeline: this.timeline.snapshot(),
      refused: this.refusals.snapshot(),
      steps: this.steps.snapshot(),
      members: this.members.snapshot(),
      writes: this.writes.snapshot(),
      leases: this.leases.snapshot(),
      decisions: this.decisions.snapshot(),
      reports: this.reports.snapshot(),
      view: this.view.snapshot(),
      own: this.own,
    };
  }

  /** The next run's input: the same plan and starter, and everything this run carries. */
  nextInput(): PatternWorkflowInput<unknown> {
    return { project: this.project, plan: this.input.plan, startedBy: this.startedBy, carried: this.snapshot() };
  }

  finish(state: PatternState, reason?: string): void {
    this.runState = state;
    this.reports.closeAll();
    this.timeline.log(state === 'completed' ? 'completed' : state === 'cancelled' ? 'cancelled' : 'aborted', reason ?? state);
    this.changed();
  }

  private async cancel(raw: unknown): Promise<void> {
    const parsed = CancelInput.safeParse(raw);
    if (!parsed.success) return this.refusals.record(String((raw as { by?: unknown })?.by ?? '?'), 'cancel', 'a cancel needs a reason');
    const { by, reason } = parsed.data;
    if (this.runState !== 'running' || this.cancelRequest) return this.refusals.record(by, 'cancel', `the workflow is ${this.cancelRequest ? 'already being cancelled' : this.runState}`);
    const human = await this.members.checkHumanFresh(by);
    if (!human.ok) return this.refusals.record(by, 'cancel', human.reason);
    this.cancelRequest = { by: human.name, reason };
    this.timeline.log('cancelled', reason, { actor: human.name });
    this.scope?.cancel();
  }

  status(): PatternStatus {
    const gates = this.gates.list();
    return {
      workflowId: this.workflowId,
      project: this.project,
      pattern: this.pattern,
      title: this.title,
      state: this.runState,
      startedAt: new Date(this.startedAt).toISOString(),
      startedBy: this.startedBy,
      step: this.view.step,
      waitingFor: this.view.waitingFor,
      ...this.reports.view(),
      needsHuman: this.view.needsHuman,
      escalated: gates.some((g) => g.escalation),
      escalations: gates.flatMap((g) => (g.escalation ? [g.escalation] : [])),
      ...this.decisions.view(),
      steps: this.steps.view(),
      ...this.timeline.view(),
      refused: this.refusals.view(),
      leases: this.leases.view(),
      generation: this.generation,
    };
  }
}
