import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type WorkflowExecutionInfo } from '@temporalio/client';
import type { z } from 'zod';
import { BatonError } from '../domain/errors';
import { member } from '../schemas/actor';
import { patternWorkflowId } from '../domain/ids';
import { checkDisjointFiles, checkDistinctAgents, checkReviewer } from '../domain/patterns/plan';
import { checkPattern } from '../domain/reservations/policy';
import { parseInput } from '../domain/validation';
import {
  ALL_PATTERN_NAMES,
  ApproveInput,
  CancelInput,
  CodeReviewPlan,
  DoneInput,
  FailInput,
  ParallelDevelopmentPlan,
  PATTERN_NAMES,
  PLAN_SCHEMAS,
  ProgressInput,
  RejectInput,
  ReviewInput,
  SequentialHandoffPlan,
  type ApprovalView,
  type HandoffNote,
  type PatternName,
  type PatternResult,
  type PatternStatus,
  type PlanInputOf,
  type ReportAck,
} from '../schemas/patterns';
import { BatonKind, BatonNeedsHuman, BatonProject, BatonStep, BatonWaitingFor } from '../search-attributes';
import { approveSignal, cancelSignal, doneUpdate, failUpdate, progressUpdate, rejectSignal, reviewUpdate, statusQuery, whoMayApproveQuery } from '../workflows/patterns/common/api';
import { AgentsClient } from './agents';
import { batonCall, toBatonError } from './errors';
import type { ProjectChannel } from './project';

/**
 * A member acting through the client: verified by the Baton server (or an operator's own process,
 * which has namespace access and so is trusted; README, "Trust model"). `epoch` as in MemberActor.
 */
export interface Identity {
  name: string;
  epoch?: number;
}

const asActor = (me: Identity) => member(me.name, me.epoch);

/** Workflow type and a one-line summary in words (the Web UI's static summary) per pattern. */
const PATTERNS: Record<PatternName, { type: string; label: string; summary: (plan: never) => string }> = {
  'sequential-handoff': {
    type: 'sequentialHandoffWorkflow',
    label: 'Sequential Handoff',
    summary: (p: SequentialHandoffPlan) => `${p.steps.map((s) => `${s.name} (${s.agent})`).join(' -> ')}`,
  },
  'code-review': {
    type: 'codeReviewWorkflow',
    label: 'Code Review',
    summary: (p: CodeReviewPlan) => `${p.author} writes, ${p.reviewer} reviews (up to ${p.maxRevisions} revisions); merge ${p.merge ? `by \`${p.merge.command}\`` : `by ${p.author}`}`,
  },
  'parallel-development': {
    type: 'parallelDevelopmentWorkflow',
    label: 'Parallel Development',
    summary: (p: ParallelDevelopmentPlan) => `${p.workers.map((w) => w.agent).join(' + ')} in parallel, then integration tests`,
  },
};

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

  /** Accepts a full workflow id (baton/<project>/<pattern>/<id>) or the short form <pattern>/<id>. */
  workflowId(ref: string): string {
    const trimmed = ref.trim();
    if (trimmed.startsWith('baton/')) return trimmed;
    const [pattern, ...rest] = trimmed.split('/');
    if (!pattern || rest.length === 0 || !(ALL_PATTERN_NAMES as readonly string[]).includes(pattern)) {
      throw new BatonError('INVALID_INPUT', `workflow: "${ref}" is not a pattern workflow id; use the id \`baton start\` printed (baton/<project>/<pattern>/<id>) or <pattern>/<id>.`);
    }
    return patternWorkflowId(this.channel.project, pattern, rest.join('/'));
  }

  private handle(ref: string) {
    return this.temporal.workflow.getHandle(this.workflowId(ref));
  }

  /**
   * Validate the plan (schema, disjoint files, author != reviewer, members registered, reviewer
   * trusted) and start the pattern's workflow. Nothing starts when the plan is refused.
   */
  async start<P extends PatternName>(pattern: P, plan: PlanInputOf<P>, options: { startedBy?: string } = {}): Promise<StartedPattern> {
    if (!(PATTERN_NAMES as readonly string[]).includes(pattern)) {
      throw new BatonError('INVALID_INPUT', `pattern: "${pattern}" is not a pattern; choose one of ${PATTERN_NAMES.join(', ')}.`);
    }
    const schema = PLAN_SCHEMAS[pattern] as z.ZodType<SequentialHandoffPlan | CodeReviewPlan | ParallelDevelopmentPlan>;
    const parsed = parseInput(schema, plan, `${PATTERNS[pattern].label} plan`);
    await this.checkPlan(pattern, parsed);
    const id = parsed.id ?? `${slug(parsed.title)}-${randomBytes(3).toString('hex')}`;
    const workflowId = patternWorkflowId(this.channel.project, pattern, id);
    const summary = `${PATTERNS[pattern].label}: ${parsed.title}`;
    try {
      const handle = await this.temporal.workflow.start(PATTERNS[pattern].type, {
        workflowId,
        taskQueue: this.channel.taskQueue,
        args: [{ project: this.channel.project, plan, startedBy: options.startedBy }],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [
          { key: BatonProject, value: this.channel.project },
          { key: BatonKind, value: pattern },
          { key: BatonStep, value: 'starting' },
          { key: BatonWaitingFor, value: [] },
          { key: BatonNeedsHuman, value: false },
        ],
        memo: { title: parsed.title },
        staticSummary: summary.length > 200 ? summary.slice(0, 197) + '...' : summary,
        staticDetails: PATTERNS[pattern].summary(parsed as never),
      });
      return { workflowId, runId: handle.firstExecutionRunId, pattern, title: parsed.title };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new BatonError('ALREADY_EXISTS', `A ${pattern} with id "${id}" already exists in project ${this.channel.project}; pick another id or omit it.`);
      }
      throw toBatonError(err);
    }
  }

  private async checkPlan(pattern: PatternName, plan: SequentialHandoffPlan | CodeReviewPlan | ParallelDevelopmentPlan): Promise<void> {
    let names: string[];
    if (pattern === 'code-review') {
      const p = plan as CodeReviewPlan;
      checkReviewer(p.author, p.reviewer);
      names = [p.author, p.reviewer];
    } else if (pattern === 'parallel-development') {
      const p = plan as ParallelDevelopmentPlan;
      checkDistinctAgents(p.workers.map((w) => w.agent), 'workers');
      checkDisjointFiles(p.workers);
      names = [...p.workers.map((w) => w.agent), ...('agent' in p.integration ? [p.integration.agent] : [])];
    } else {
      names = (plan as SequentialHandoffPlan).steps.map((s) => s.agent);
    }
    // The steps reserve these files: refuse what a reservation would refuse (absolute, `..`, hoarding)
    // before anything starts, as the Emergency Response client does.
    for (const file of planFiles(pattern, plan)) checkPattern(file);
    const members = new Map((await new AgentsClient(this.channel).list()).map((m) => [m.name.toLowerCase(), m]));
    const missing = [...new Set(names)].filter((n) => !members.has(n.toLowerCase()));
    if (missing.length) throw new BatonError('NOT_FOUND', `The plan names ${missing.join(', ')}, not registered in project ${this.channel.project}; \`baton agents\` lists who is here.`);
    if (pattern === 'code-review') {
      const reviewer = members.get((plan as CodeReviewPlan).reviewer.toLowerCase())!;
      if (reviewer.kind === 'agent' && reviewer.trust !== 'trusted') {
        throw new BatonError('INVALID_INPUT', `reviewer: ${reviewer.name} is a new agent (${reviewer.successfulTasks} successful tasks); reviewers are trusted agents or humans.`);
      }
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
    const kinds = ALL_PATTERN_NAMES.map((p) => `'${p}'`).join(', ');
    const query = `BatonProject = '${this.channel.project}' AND BatonKind IN (${kinds})${options.running ? " AND ExecutionStatus = 'Running'" : ''}`;
    return this.visibility(query, options.limit ?? 100);
  }

  /** Everything waiting for a human decision in this project: one visibility query, not a scan. */
  async approvals(): Promise<ApprovalView[]> {
    const query = `BatonProject = '${this.channel.project}' AND BatonNeedsHuman = true AND ExecutionStatus = 'Running'`;
    const rows = await this.visibility(query, 500);
    return rows.map((r) => ({ workflowId: r.workflowId, pattern: r.pattern, title: r.title, step: r.step, question: r.question ?? '', waitingFor: r.waitingFor, startedAt: r.startedAt }));
  }

  private async visibility(query: string, limit: number): Promise<(PatternListing & { question?: string })[]> {
    return batonCall(async () => {
      const out: (PatternListing & { question?: string })[] = [];
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

  async review(ref: string, me: Identity, review: { verdict: 'approve' | 'request_changes'; required?: string[]; suggestions?: string[]; summary?: string }): Promise<ReportAck> {
    const input = parseInput(ReviewInput, { agent: me.name, ...review }, 'review');
    return this.report(ref, () => this.handle(ref).executeUpdate(reviewUpdate, { args: [input] }));
  }

  /** An update to an ended workflow reads as "not found" from Temporal: say that it ended instead. */
  private async report<T>(ref: string, call: () => Promise<T>): Promise<T> {
    try {
      return await batonCall(call);
    } catch (err) {
      if (!(err instanceof BatonError) || err.code !== 'NOT_FOUND') throw err;
      const info = await batonCall(() => this.handle(ref).describe()).catch(() => undefined);
      if (info && info.status.name !== 'RUNNING') throw new BatonError('INVALID_STATE', `${info.workflowId} has ended (${info.status.name.toLowerCase()}); nothing waits for reports.`);
      throw err;
    }
  }

  // --- humans decide (signals, after a pre-check) --------------------------------------------------

  /**
   * Who may approve: the caller must be a human with a valid token, and the workflow must be waiting
   * for a decision this human may give. The workflow checks again when the signal arrives.
   */
  async whoMayApprove(ref: string, me: Identity, expectedDecisionId?: string) {
    const member = await new AgentsClient(this.channel).whoami(asActor(me));
    if (member.kind !== 'human') throw new BatonError('FORBIDDEN', `${member.name} is an agent; only a human may approve or reject (a human runs \`baton approve\` with their own credentials).`);
    const check = await batonCall(() => this.handle(ref).query(whoMayApproveQuery));
    if (check.state !== 'running') throw new BatonError('INVALID_STATE', `${this.workflowId(ref)} is ${check.state}; nothing waits for a decision.`);
    if (!check.decision) throw new BatonError('INVALID_STATE', `Nothing in ${this.workflowId(ref)} waits for a decision right now; \`baton status ${this.workflowId(ref)}\` shows what it waits for.`);
    if (expectedDecisionId !== undefined && expectedDecisionId !== check.decision.id) {
      throw new BatonError('CONFLICT', `That decision was already taken; ${this.workflowId(ref)} now asks: "${check.decision.question}" (step ${check.decision.step}). Answer that one if you mean it.`, { decision: check.decision });
    }
    if (check.decision.approvers && !check.decision.approvers.some((a) => a.toLowerCase() === member.name.toLowerCase())) {
      throw new BatonError('FORBIDDEN', `Only ${check.decision.approvers.join(', ')} may decide on "${check.decision.step}".`);
    }
    return check.decision;
  }

  /** `expectedDecisionId`: refuse (CONFLICT, with the current question) if another decision is pending. */
  async approve(ref: string, me: Identity, comment?: string, expectedDecisionId?: string) {
    const decision = await this.whoMayApprove(ref, me, expectedDecisionId);
    const input = parseInput(ApproveInput, { approver: me.name, comment }, 'approval');
    await batonCall(() => this.handle(ref).signal(approveSignal, input));
    return this.confirmDecision(ref, decision.id, me.name, 'approve');
  }

  async reject(ref: string, me: Identity, reason: string, expectedDecisionId?: string) {
    const input = parseInput(RejectInput, { approver: me.name, reason }, 'rejection');
    const decision = await this.whoMayApprove(ref, me, expectedDecisionId);
    await batonCall(() => this.handle(ref).signal(rejectSignal, input));
    return this.confirmDecision(ref, decision.id, me.name, 'reject');
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

  /** The signal is fire-and-forget: watch the status briefly so the caller hears a refusal. */
  private async confirmDecision(ref: string, decisionId: string, who: string, action: string) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const status = await this.status(ref);
      const refused = status.refused.filter((r) => r.who.toLowerCase() === who.toLowerCase() && r.action === action).pop();
      if (status.decision?.id !== decisionId) return { workflowId: status.workflowId, decided: true, state: status.state, step: status.step };
      if (refused && Date.parse(refused.at) >= Date.parse(status.decision.since)) throw new BatonError('FORBIDDEN', `The workflow refused the ${action}: ${refused.reason}`);
      if (Date.now() > deadline) return { workflowId: status.workflowId, decided: false, state: status.state, step: status.step };
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function listing(info: WorkflowExecutionInfo): PatternListing & { question?: string } {
  const attrs = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as { title?: string; decision?: string | null };
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

function planFiles(pattern: PatternName, plan: SequentialHandoffPlan | CodeReviewPlan | ParallelDevelopmentPlan): string[] {
  if (pattern === 'code-review') return (plan as CodeReviewPlan).files;
  if (pattern === 'parallel-development') {
    const p = plan as ParallelDevelopmentPlan;
    return [...p.workers.flatMap((w) => w.files), ...('files' in p.integration ? p.integration.files : [])];
  }
  return (plan as SequentialHandoffPlan).steps.flatMap((s) => s.files);
}
