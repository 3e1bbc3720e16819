import * as wf from '@temporalio/workflow';
import { ApproveInput, RejectInput, type DecidedView, type Deadlines, type PendingDecision } from '../../schemas/patterns';
import { approveSignal, rejectSignal } from './api';
import { newGate, type Gates, type GateState } from './gates';
import type { Members } from './members';
import type { Refusals } from './refusals';
import type { Timeline } from './timeline';
import type { ProjectWrites } from './writes';

/** A human's answer to a pending decision. */
export interface Outcome {
  decisionId: string;
  approved: boolean;
  by: string;
  /** The approver's comment or the rejecter's reason. */
  text?: string;
}

export interface DecisionRequest {
  step: string;
  question: string;
  /** Who may decide; default: the plan's approvers, or any human. */
  approvers?: string[] | null;
  deadlines: Deadlines;
  onBehalfOf?: string;
}

export interface DecisionsState {
  pending?: PendingDecision & { onBehalfOf?: string };
  outcome?: Outcome;
  decided: DecidedView[];
}

/** What an `ask` keeps when the run continues as new while a human has not answered yet. */
export interface AskState {
  id?: string;
  gate: GateState;
}

const DECIDED_KEPT = 50;

/**
 * An answered decision stops being pending at once (not when the story next looks at it, which may be
 * after a wait for files): `approvals`, the status and the search attributes stop listing it, and a
 * second answer is refused. Runs from before kept it pending until taken (patched).
 */
export const DECISION_CLOSED_ON_ANSWER_PATCH = 'baton-decision-closed-on-answer-v1';

/**
 * Human decisions. Each pending decision has an id and a question; approvals and rejections are
 * signals (the design fixes that) that may name the decision they answer: one naming a decision that
 * is no longer pending is refused and recorded with the question now pending, so an approval never
 * lands on a question its human has not seen. Only a human of the project (and one of the approvers,
 * when the decision names them) decides; every refusal is recorded. Owns the pending decision, its
 * answer and the decisions taken.
 */
export class Decisions {
  private pendingDecision?: PendingDecision & { onBehalfOf?: string };
  private outcome?: Outcome;
  private readonly decided: DecidedView[];
  private readonly closesOnAnswer = wf.patched(DECISION_CLOSED_ON_ANSWER_PATCH);

  constructor(
    private readonly run: { workflowId: string; approvers?: string[]; isRunning(): boolean; members: Members; refusals: Refusals; timeline: Timeline; changed(): void },
    carried?: DecisionsState,
  ) {
    this.pendingDecision = carried?.pending;
    this.outcome = carried?.outcome;
    this.decided = carried?.decided ?? [];
  }

  install(): void {
    wf.setHandler(approveSignal, async (raw) => {
      const parsed = ApproveInput.safeParse(raw);
      if (!parsed.success) return this.run.refusals.record(String((raw as { approver?: unknown })?.approver ?? '?'), 'approve', 'malformed approval');
      const { approver, decisionId, comment, requestId } = parsed.data;
      await this.decide(approver, 'approve', decisionId, { approved: true, text: comment }, requestId);
    });
    wf.setHandler(rejectSignal, async (raw) => {
      const parsed = RejectInput.safeParse(raw);
      if (!parsed.success) return this.run.refusals.record(String((raw as { approver?: unknown })?.approver ?? '?'), 'reject', 'a rejection needs a reason');
      const { approver, decisionId, reason, requestId } = parsed.data;
      await this.decide(approver, 'reject', decisionId, { approved: false, text: reason }, requestId);
    });
  }

  get pending(): PendingDecision | undefined {
    if (!this.pendingDecision) return undefined;
    const { onBehalfOf: _ignored, ...pending } = this.pendingDecision;
    return pending;
  }

  /** Opens a question (the caller tells the approvers); a run has one pending decision at a time. */
  open(request: DecisionRequest): PendingDecision {
    const id = `d-${wf.uuid4().replace(/-/g, '').slice(0, 8)}`;
    const since = Date.now();
    this.pendingDecision = {
      id,
      step: request.step,
      question: request.question,
      approvers: request.approvers ?? this.run.approvers ?? null,
      since: new Date(since).toISOString(),
      // When every human is told that nobody decided (the console shows it; the sinks hear it).
      deadline: new Date(since + request.deadlines.escalateAfter).toISOString(),
      ...(request.onBehalfOf ? { askedBy: request.onBehalfOf } : {}),
      onBehalfOf: request.onBehalfOf,
    };
    this.outcome = undefined;
    this.run.timeline.log('decision-requested', `${id}: ${request.question}`, { step: request.step });
    this.run.changed();
    return this.pending!;
  }

  /** The answer to decision `id`, once a human gave it; the decision is then closed. */
  take(id: string): Outcome | undefined {
    if (this.outcome?.decisionId !== id) return undefined;
    const outcome = this.outcome;
    this.outcome = undefined;
    if (this.pendingDecision?.id === id) this.pendingDecision = undefined;
    this.run.changed();
    return outcome;
  }

  answered(id: string): boolean {
    return this.outcome?.decisionId === id;
  }

  /** The question is withdrawn unanswered (the wait it belonged to ended another way). */
  withdraw(id: string): void {
    if (this.pendingDecision?.id === id) this.pendingDecision = undefined;
    if (this.outcome?.decisionId === id) this.outcome = undefined;
    this.run.changed();
  }

  /** The two commands that answer decision `id`, for messages and the Web UI. */
  howTo(id: string): string {
    return `Approve: baton approve ${this.run.workflowId} ${id} --comment "..."\nReject:  baton reject ${this.run.workflowId} ${id} --reason "..."`;
  }

  /**
   * Ask a human and wait for the answer (a gate: the approvers are reminded, then every human is told).
   * Resumes where it was when the run continued as new in between.
   */
  async ask(request: DecisionRequest, state: AskState, gates: Gates, writes: ProjectWrites, title: string, pattern: string): Promise<Outcome> {
    const to = request.approvers ?? this.run.approvers ?? 'humans';
    if (!state.id) {
      const opened = this.open(request);
      state.id = opened.id;
      // The humans' notification sinks hear of it once per decision (src/workflows/project/notifications.ts).
      const event = { kind: 'decision' as const, workflowId: this.run.workflowId, pattern, title: title.slice(0, 200), decisionId: opened.id, step: request.step.slice(0, 200), question: request.question.slice(0, 2000), ...(opened.deadline ? { deadline: opened.deadline } : {}), ...(opened.askedBy ? { askedBy: opened.askedBy } : {}) };
      await writes.notify({ to, subject: `[${pattern}] decision needed: ${title}`, body: `${request.question}\n\nWorkflow: ${this.run.workflowId}\nStep: ${request.step}\nDecision: ${state.id}\n${this.howTo(state.id)}`, importance: 'high', onBehalfOf: request.onBehalfOf, event });
    }
    const id = state.id;
    await gates.wait(
      {
        step: request.step,
        who: () => (Array.isArray(to) ? to : ['human']),
        deadlines: request.deadlines,
        ready: () => this.answered(id),
        onBehalfOf: request.onBehalfOf,
        remind: async () => {
          this.run.timeline.log('reminder', `still waiting for decision ${id}: ${request.question}`, { step: request.step });
          await writes.notify({ to, subject: `[${pattern}] reminder: decision needed on ${title}`, body: `${request.question}\n\n${this.howTo(id)}`, importance: 'high', onBehalfOf: request.onBehalfOf });
        },
        escalation: () => `Nobody has decided yet (${id}): ${request.question}`,
      },
      state.gate,
    );
    return this.take(id)!;
  }

  private async decide(who: string, action: 'approve' | 'reject', decisionId: string | undefined, answer: { approved: boolean; text?: string }, requestId?: string): Promise<void> {
    const extra = { ...(decisionId ? { decisionId } : {}), ...(requestId ? { requestId } : {}) };
    const refuse = (reason: string) => this.run.refusals.record(who, action, reason, extra);
    const pending = this.pendingDecision;
    if (!this.run.isRunning() || !pending || this.outcome) return refuse(`nothing in ${this.run.workflowId} waits for a decision${decisionId ? ` (${decisionId} is not pending)` : ''}`);
    const human = await this.run.members.checkHumanFresh(who);
    if (!human.ok) return refuse(human.reason);
    if (decisionId && decisionId !== pending.id) {
      return refuse(`decision ${decisionId} is no longer pending; the question now is ${pending.id}: "${pending.question}" (\`baton approve ${this.run.workflowId} ${pending.id}\` if you agree to that)`);
    }
    if (pending.approvers && !pending.approvers.some((a) => a.toLowerCase() === human.name.toLowerCase())) {
      return this.run.refusals.record(human.name, action, `only ${pending.approvers.join(', ')} may decide on "${pending.step}"`, extra);
    }
    // The decision may have been settled (or replaced) while the directory was asked.
    if (this.pendingDecision !== pending || this.outcome) return refuse(`decision ${pending.id} was already taken`);
    this.outcome = { decisionId: pending.id, approved: answer.approved, by: human.name, text: answer.text };
    if (this.closesOnAnswer) this.pendingDecision = undefined;
    this.decided.push({ id: pending.id, step: pending.step, question: pending.question, approved: answer.approved, by: human.name, at: new Date(Date.now()).toISOString(), text: answer.text, ...(requestId ? { requestId } : {}) });
    if (this.decided.length > DECIDED_KEPT) this.decided.shift();
    this.run.timeline.log(answer.approved ? 'approved' : 'rejected', answer.text ?? (answer.approved ? 'approved' : 'rejected'), { step: pending.step, actor: human.name });
    this.run.changed();
  }

  view(): { decision?: PendingDecision; decisions: DecidedView[] } {
    return { decision: this.pending, decisions: this.decided };
  }

  snapshot(): DecisionsState {
    return { pending: this.pendingDecision, outcome: this.outcome, decided: this.decided };
  }
}

export const newAsk = (now: number): AskState => ({ gate: newGate(now) });
