import { randomUUID } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { AgentsClient } from '../client/agents';
import { batonCall, toBatonError } from '../client/errors';
import type { ProjectChannel } from '../client/project';
import { BatonError } from '../domain/errors';
import { patternWorkflowId } from '../domain/ids';
import { checkRegistered, type MemberFacts } from '../domain/patterns/plan';
import { checkPattern } from '../domain/reservations/policy';
import { parseInput } from '../domain/validation';
import { member } from '../schemas/actor';
import type { MemberView } from '../schemas/agents';
import {
  ApproveInput,
  CancelInput,
  DoneInput,
  FailInput,
  ProgressInput,
  RejectInput,
  type ApprovalView,
  type HandoffNote,
  type PatternResult,
  type PatternStatus,
  type PendingDecision,
  type ReportAck,
} from '../schemas/patterns';
import { BatonKind, BatonNeedsHuman, BatonStep, BatonWaitingFor, patternSearchAttributes } from '../search-attributes';
import { describeQuery } from '../workflows/project/api';
import { parsePlan, type PlanDraft } from './definition';
import { approveSignal, cancelSignal, doneUpdate, failUpdate, progressUpdate, rejectSignal, statusQuery, whoMayApproveQuery } from './kit/api';
import { isPatternName, PATTERN_NAMES, type PatternName } from './names';
import { describeNames, findPattern, requirePattern } from './registry';


/** The last part of a run's workflow id: a plan's `id` or a generated slug, and children's suffixed ids (never a `/`). */
const RUN_ID = /^[a-z0-9][a-z0-9._-]{0,159}$/;
/**
 * A member acting through the client: verified by the Baton server (or an operator's own process,
 * which has namespace access and so is trusted; README, "Trust model"). `epoch` as in MemberActor.
 */
export interface Identity {
  name: string;
  epoch?: number;
}

const asActor = (me: Identity) => member(me.name, me.epoch);

export interface StartedPattern {
  workflowId: string;
  runId: string;
  pattern: PatternName;
  title: string;
}

/** A running or finished pattern as the visibility store lists it. */
export interface PatternListing {
  workflowId: string;
  pattern: string;
  title: string;
  status: string;
  step: string;
  waitingFor: string[];
  needsHuman: boolean;
  startedAt: string;
}

/**
 * Start coordination patterns and take part in them: agents report (progress, done, fail, review),
 * humans decide (approve, reject, cancel) after a pre-check that gives a clear error, anyone reads the
 * status; `approvals()` lists what waits for a human across the project (one visibility query).
 */
export class PatternsClient {
  constructor(private readonly channel: ProjectChannel) {}

  private get temporal() {
    return this.channel.client;
  }

  /**
   * A pattern run's workflow id from the full id (baton/<project>/<pattern>/<id>), the short form
   * <pattern>/<id>, or a bare id of the `fallback` pattern (`baton claim payments-1a2b3c`). A full id of
   * another project is refused: whoever acts here is a member of this project, not of that one.
   */
  workflowId(ref: string, fallback?: PatternName): string {
    const trimmed = ref.trim();
    const own = `baton/${this.channel.project}/`;
    if (trimmed.startsWith('baton/') && !trimmed.startsWith(own)) throw new BatonError('INVALID_INPUT', `workflow: ${trimmed} is not a pattern run of project ${this.channel.project}; a member acts only in its own project (with the CLI, --project names the project).`);
    // A full id is read like the short form after its project: it must name a pattern run, never the
    // project's or a mailbox's workflow (an agent must not reach those through a pattern's door).
    const full = trimmed.startsWith(own);
    const [written, ...rest] = (full ? trimmed.slice(own.length) : trimmed).split('/');
    if (!full && rest.length === 0 && fallback && written && RUN_ID.test(written)) return patternWorkflowId(this.channel.project, fallback, written);
    // The short form takes the registry's aliases too, as `baton start` does (`handoff/docs-dfaca5`);
    // a full id is the workflow's own, so its pattern is the exact name.
    const pattern = written && !full ? (findPattern(written)?.name ?? written) : written;
    // One id after the pattern, in the run-id alphabet: `code-review/a/project` must not reach the
    // workflows of a project whose key happens to start with this one's.
    if (!pattern || rest.length !== 1 || !isPatternName(pattern) || !RUN_ID.test(rest[0]!)) {
      throw new BatonError('INVALID_INPUT', `workflow: "${ref}" is not a pattern run; use the id \`baton start\` printed (baton/<project>/<pattern>/<id>) or <pattern>/<id>, with <pattern> one of ${describeNames()}.`);
    }
    return patternWorkflowId(this.channel.project, pattern, rest[0]!);
  }

  handle(ref: string, fallback?: PatternName) {
    return this.temporal.workflow.getHandle(this.workflowId(ref, fallback));
  }

  /**
   * Starts a pattern (any name or alias the registry knows) from a plan, with `startedBy` recorded as
   * its starter. Nothing starts when the plan is refused: the schema (every error names the flag or
   * field and an example), the pattern's own checks, the reservation policy on its files, who may start
   * it (a human for some patterns; a human for a plan with commands, unless the project's
   * planCommandsBy setting allows members) and the members it names (registered, reviewers trusted).
   */
  async start(pattern: string, draft: PlanDraft, options: { startedBy: string; epoch?: number }): Promise<StartedPattern> {
    const def = requirePattern(pattern);
    const plan = parsePlan(def, draft) as PlanDraft & { id?: string; title: string };
    def.checkPlan?.(plan);
    // The steps reserve these files: refuse what a reservation would refuse (absolute, `..`, hoarding).
    for (const file of def.files(plan)) checkPattern(file);
    const agents = new AgentsClient(this.channel);
    const starter = await agents.whoami(member(options.startedBy, options.epoch));
    if (def.starter === 'human' && starter.kind !== 'human') {
      throw new BatonError('FORBIDDEN', `${starter.name} is an agent; a human starts a ${def.label} (the plan is broadcast as theirs). Start it with a human's credentials.`);
    }
    const commands = def.commands(plan);
    if (commands.length && starter.kind !== 'human' && (await this.channel.query(describeQuery)).settings.planCommandsBy !== 'members') {
      throw new BatonError(
        'FORBIDDEN',
        `${starter.name} is an agent, and in project ${this.channel.project} only humans put commands in a plan (${commands.map((c) => `\`${c}\``).join(', ')} would run on Baton's worker). Ask a human to start it, or a human may allow members: \`baton settings set planCommandsBy=members\`.`,
      );
    }
    const members = new Map((await agents.list()).map((m) => [m.name.toLowerCase(), facts(m)]));
    const who = (name: string) => members.get(name.toLowerCase());
    checkRegistered(def.members(plan), who, this.channel.project);
    def.checkMembers?.(plan, who);
    const id = plan.id ?? `${slug(plan.title)}-${randomBytes(3).toString('hex')}`;
    const workflowId = patternWorkflowId(this.channel.project, def.name, id);
    const shown = def.describe(plan);
    try {
      const handle = await this.temporal.workflow.start(def.workflowType, {
        workflowId,
        taskQueue: this.channel.taskQueue,
        args: [{ project: this.channel.project, plan: def.prepare ? def.prepare(draft) : draft, startedBy: starter.name }],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: patternSearchAttributes(this.channel.project, def.name),
        memo: { title: plan.title },
        staticSummary: shown.summary.length > 200 ? shown.summary.slice(0, 197) + '...' : shown.summary,
        staticDetails: shown.details,
      });
      return { workflowId, runId: handle.firstExecutionRunId, pattern: def.name, title: plan.title };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new BatonError('ALREADY_EXISTS', `A ${def.name} with id "${id}" already exists in project ${this.channel.project}; pick another id or omit it.`);
      }
      throw toBatonError(err);
    }
  }

  status(ref: string): Promise<PatternStatus> {
    return batonCall(() => this.handle(ref).query(statusQuery));
  }

  /** Waits for the pattern to end and returns its result (every step, agent, duration, handoff). */
  result(ref: string): Promise<PatternResult> {
    return batonCall(() => this.handle(ref).result() as Promise<PatternResult>);
  }

  /** Patterns of this project (visibility query; most recent first). */
  async list(options: { running?: boolean; limit?: number } = {}): Promise<PatternListing[]> {
    const kinds = PATTERN_NAMES.map((p) => `'${p}'`).join(', ');
    const query = `BatonProject = '${this.channel.project}' AND BatonKind IN (${kinds})${options.running ? " AND ExecutionStatus = 'Running'" : ''}`;
    return this.visibility(query, options.limit ?? 100);
  }

  /** Everything waiting for a human decision in this project: one visibility query, not a scan. */
  async approvals(): Promise<ApprovalView[]> {
    const query = `BatonProject = '${this.channel.project}' AND BatonNeedsHuman = true AND ExecutionStatus = 'Running'`;
    const rows = await this.visibility(query, 500);
    return rows.map((r) => ({ workflowId: r.workflowId, pattern: r.pattern, title: r.title, step: r.step, decisionId: r.decisionId, question: r.question ?? '', waitingFor: r.waitingFor, startedAt: r.startedAt }));
  }

  private async visibility(query: string, limit: number): Promise<(PatternListing & { question?: string; decisionId?: string })[]> {
    return batonCall(async () => {
      const out: (PatternListing & { question?: string; decisionId?: string })[] = [];
      for await (const info of this.temporal.workflow.list({ query })) {
        out.push(listing(info));
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  // --- agents report -------------------------------------------------------------------------------

  async progress(ref: string, me: Identity, note: string): Promise<ReportAck> {
    const input = parseInput(ProgressInput, { agent: me.name, note }, 'progress report');
    return this.report(ref, () => this.handle(ref).executeUpdate(progressUpdate, { args: [input] }));
  }

  /** Done with a handoff for the next agent; a vague or empty handoff is refused saying what is missing. */
  async done(ref: string, me: Identity, report: { summary: string; handoff?: Partial<HandoffNote> }): Promise<ReportAck> {
    const input = parseInput(DoneInput, { agent: me.name, ...report }, 'done report');
    return this.report(ref, () => this.handle(ref).executeUpdate(doneUpdate, { args: [input] }));
  }

  async fail(ref: string, me: Identity, reason: string): Promise<ReportAck> {
    const input = parseInput(FailInput, { agent: me.name, reason }, 'failure report');
    return this.report(ref, () => this.handle(ref).executeUpdate(failUpdate, { args: [input] }));
  }

  /** An update to an ended workflow reads as "not found" from Temporal: say that it ended instead. */
  async report<T>(ref: string, call: () => Promise<T>): Promise<T> {
    try {
      return await whileMoving(() => batonCall(call));
    } catch (err) {
      if (!(err instanceof BatonError) || err.code !== 'NOT_FOUND') throw err;
      const info = await batonCall(() => this.handle(ref).describe()).catch(() => undefined);
      if (info && info.status.name !== 'RUNNING') throw new BatonError('INVALID_STATE', `${info.workflowId} has ended (${info.status.name.toLowerCase()}); nothing waits for reports.`);
      throw err;
    }
  }

  // --- humans decide (signals, after a pre-check) --------------------------------------------------

  /**
   * Approve the pending decision, or the one named by `decisionId` (what `baton approvals` showed the
   * human). The signal always names a decision: the one given, or the one pending when checked, so an
   * approval never lands on a newer question. Refused (and recorded by the workflow, with the question
   * now pending): a decision that is no longer pending, and an agent's approval. Answers what was
   * decided: the decision's id, step and question.
   */
  approve(ref: string, me: Identity, comment?: string, options: { decisionId?: string } = {}): Promise<DecisionAnswer> {
    const input = parseInput(ApproveInput, { approver: me.name, comment, decisionId: options.decisionId, requestId: randomUUID() }, 'approval');
    return this.decide(ref, me, 'approve', input.decisionId, input.requestId!, (decisionId) => this.handle(ref).signal(approveSignal, { ...input, decisionId }));
  }

  reject(ref: string, me: Identity, reason: string, options: { decisionId?: string } = {}): Promise<DecisionAnswer> {
    const input = parseInput(RejectInput, { approver: me.name, reason, decisionId: options.decisionId, requestId: randomUUID() }, 'rejection');
    return this.decide(ref, me, 'reject', input.decisionId, input.requestId!, (decisionId) => this.handle(ref).signal(rejectSignal, { ...input, decisionId }));
  }

  private async decide(ref: string, me: Identity, action: 'approve' | 'reject', asked: string | undefined, requestId: string, send: (decisionId: string | undefined) => Promise<void>): Promise<DecisionAnswer> {
    const member = await new AgentsClient(this.channel).whoami(asActor(me));
    const check = await batonCall(() => this.handle(ref).query(whoMayApproveQuery));
    const id = this.workflowId(ref);
    if (member.kind !== 'human') {
      // The workflow refuses it too, and records the attempt where people look (`baton status`).
      if (check.state === 'running') await batonCall(() => send(asked ?? check.decision?.id));
      throw new BatonError('FORBIDDEN', `${member.name} is an agent; only a human may ${action} (a human runs \`baton ${action}\` with their own credentials). The attempt is recorded in ${id}.`);
    }
    if (check.state !== 'running') throw new BatonError('INVALID_STATE', `${id} is ${check.state}; nothing waits for a decision.`);
    const pending = check.decision;
    if (asked && asked !== pending?.id) {
      await batonCall(() => send(asked));
      throw staleDecision(id, asked, pending);
    }
    if (!pending) throw new BatonError('INVALID_STATE', `Nothing in ${id} waits for a decision right now; \`baton status ${id}\` shows what it waits for.`);
    if (pending.approvers && !pending.approvers.some((a) => a.toLowerCase() === member.name.toLowerCase())) {
      throw new BatonError('FORBIDDEN', `Only ${pending.approvers.join(', ')} may decide on "${pending.step}".`);
    }
    await batonCall(() => send(pending.id));
    return this.confirmDecision(ref, pending, member.name, action, requestId);
  }

  /**
   * A human stops the pattern; every reservation it holds is released. Waits (at most `waitMs`) for
   * the run to end and says what happened: ended, refused (with the workflow's reason), or still
   * releasing its files when the wait ran out. It never waits without a deadline.
   */
  async cancel(ref: string, me: Identity, reason: string, waitMs = 15_000): Promise<{ status: PatternStatus; ended: boolean }> {
    const input = parseInput(CancelInput, { by: me.name, reason }, 'cancel');
    const member = await new AgentsClient(this.channel).whoami(asActor(me));
    if (member.kind !== 'human') throw new BatonError('FORBIDDEN', `${member.name} is an agent; only a human may cancel a pattern.`);
    const before = await this.status(ref);
    if (before.state !== 'running') throw new BatonError('INVALID_STATE', `${before.workflowId} is already ${before.state}.`);
    const sentAt = Date.now();
    await batonCall(() => this.handle(ref).signal(cancelSignal, input));
    const deadline = sentAt + waitMs;
    for (;;) {
      const status = await this.status(ref);
      if (status.state !== 'running') return { status, ended: true };
      const refused = status.refused.filter((r) => r.who.toLowerCase() === member.name.toLowerCase() && r.action === 'cancel' && Date.parse(r.at) >= sentAt - 1000).pop();
      if (refused) throw new BatonError('FORBIDDEN', `The workflow refused the cancel: ${refused.reason}`);
      if (Date.now() > deadline) return { status, ended: false };
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The signal is fire-and-forget: watch the status briefly so the caller hears how it was taken (the
   * decision recorded, or refused with the workflow's reason). The run records the call's request id with
   * the decision or the refusal, so two answers of one human at once each learn their own fate; runs from
   * before request ids are matched by who and what; runs from before decision ids record no decision:
   * for them, a decision no longer pending was taken.
   */
  private async confirmDecision(ref: string, asked: PendingDecision, who: string, action: string, requestId: string): Promise<DecisionAnswer> {
    const deadline = Date.now() + 5000;
    const decision = { id: asked.id, step: asked.step, question: asked.question };
    for (;;) {
      const status = await this.status(ref);
      const answer = { workflowId: status.workflowId, decision, state: status.state, step: status.step };
      const taken = status.decisions?.find((d) => d.id === asked.id);
      const mine = taken && (taken.requestId !== undefined ? taken.requestId === requestId : taken.by.toLowerCase() === who.toLowerCase() && taken.approved === (action === 'approve'));
      if (taken && mine) return { ...answer, decided: true };
      const refused = status.refused.find((r) => r.requestId === requestId) ?? status.refused.filter((r) => r.requestId === undefined && r.who.toLowerCase() === who.toLowerCase() && r.action === action && (r.decisionId === asked.id || (!r.decisionId && Date.parse(r.at) >= Date.parse(asked.since)))).pop();
      if (taken && (taken.requestId === undefined || refused)) {
        const by = taken.by.toLowerCase() === who.toLowerCase() ? `${taken.by} (in another request)` : taken.by;
        throw new BatonError('CONFLICT', `Decision ${asked.id} ("${asked.question}") was already ${taken.approved ? 'approved' : 'rejected'} by ${by}.`, { decision: taken });
      }
      if (refused) throw new BatonError(/no longer pending|already taken/.test(refused.reason) ? 'CONFLICT' : 'FORBIDDEN', `The workflow refused the ${action}: ${refused.reason}`, { decision: status.decision ?? null });
      if (!status.decisions && status.decision?.id !== asked.id) return { ...answer, decided: true };
      if (Date.now() > deadline) return { ...answer, decided: false };
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * A run moving to its next run (continue-as-new) refuses updates for a moment with a retryable
 * UNAVAILABLE: send again (bounded; the next run takes them).
 */
async function whileMoving<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const moving = err instanceof BatonError && err.code === 'UNAVAILABLE' && (err.details as { retry?: string } | undefined)?.retry === 'continue-as-new';
      if (!moving || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    }
  }
}

/** What a decision call answers: which decision it was about, and whether the workflow took it yet. */
export interface DecisionAnswer {
  workflowId: string;
  decided: boolean;
  decision: { id: string; step: string; question: string };
  state: string;
  step?: string;
}

/** A decision id that is not the pending one: the error says what is pending now (or that nothing is). */
function staleDecision(workflowId: string, asked: string, pending: PendingDecision | null): BatonError {
  const now = pending ? `the question now is ${pending.id}: "${pending.question}" (\`baton approve ${workflowId} ${pending.id}\` if you agree to that)` : 'nothing waits for a decision now';
  return new BatonError('CONFLICT', `Decision ${asked} is no longer pending in ${workflowId}: ${now}. Your answer was recorded as refused.`, { current: pending ? { id: pending.id, step: pending.step, question: pending.question } : null });
}

function listing(info: WorkflowExecutionInfo): PatternListing & { question?: string; decisionId?: string } {
  const attrs = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as { title?: string; decision?: string | null; decisionId?: string | null };
  return {
    workflowId: info.workflowId,
    pattern: attrs.get(BatonKind) ?? info.type,
    title: memo.title ?? '',
    status: info.status.name,
    step: attrs.get(BatonStep) ?? '',
    waitingFor: attrs.get(BatonWaitingFor) ?? [],
    needsHuman: attrs.get(BatonNeedsHuman) ?? false,
    startedAt: info.startTime.toISOString(),
    question: memo.decision ?? undefined,
    decisionId: memo.decisionId ?? undefined,
  };
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run'
  );
}

/** What a plan check needs of a member (MemberFacts), from the directory's view of it. */
const facts = (m: MemberView): MemberFacts => ({ name: m.name, kind: m.kind, trusted: m.trust === 'trusted', retired: m.status === 'retired' });
