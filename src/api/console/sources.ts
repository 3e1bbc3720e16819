import type { Client } from '@temporalio/client';
import type { BatonClient } from '../../client';
import { mailboxWorkflowId, projectWorkflowId } from '../../domain/ids';
import { overlapsBetweenHolders } from '../../domain/reservations/map';
import type { MemberActor } from '../../schemas/actor';
import type { DecisionItem, InboxSection, NotificationsSection, ProjectSection, RunSection, RunsSection, RunSummary } from '../../schemas/console';
import type { PatternStatus } from '../../schemas/patterns';
import type { LiveSource } from './live-hub';

/** Runs listed on a project page, and running ones whose status is followed. */
const RUNS_LISTED = 30;
const RUNS_FOLLOWED = 25;
/** Leases on the map (the section says how many there are in all). */
const LEASES_SHOWN = 2000;
const TIMELINE_SHOWN = 6;

/**
 * Where a workflow is: its run and history length, from Temporal's frontend (no worker involved).
 * Every change of a workflow's state is a new event in its history, so an unchanged mark means an
 * unchanged state, and a source reads the state (queries, which do run on a worker) only when the
 * mark moved.
 */
async function historyMark(temporal: Client, workflowId: string): Promise<string> {
  try {
    const info = await temporal.workflow.getHandle(workflowId).describe();
    return `${info.runId}:${info.historyLength}:${info.status.name}`;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return 'missing';
    throw err;
  }
}

/** Reads `load()` again only when the workflow's history moved. */
abstract class MarkedSource<T> implements LiveSource {
  private mark: string | undefined;
  private value: T | undefined;

  constructor(
    readonly key: string,
    protected readonly temporal: Client,
    private readonly workflowId: string,
  ) {}

  async load(): Promise<T> {
    const mark = await historyMark(this.temporal, this.workflowId);
    if (mark === this.mark && this.value !== undefined) return this.value;
    const value = await this.read(mark);
    this.mark = mark;
    this.value = value;
    return value;
  }

  protected abstract read(mark: string): Promise<T>;
}

/** `project:<key>`: members, the reservation map (with overlaps between holders), active alerts. */
export class ProjectSource extends MarkedSource<ProjectSection> {
  constructor(
    private readonly baton: BatonClient,
    private readonly project: string,
  ) {
    super(`project:${project}`, baton.temporal, projectWorkflowId(project));
  }

  protected async read(): Promise<ProjectSection> {
    const p = this.baton.project(this.project);
    const [members, list, alerts] = await Promise.all([p.agents.list(), p.reservations.list({ limit: LEASES_SHOWN }), p.alerts.list()]);
    const overlaps = overlapsBetweenHolders(list.reservations);
    return {
      members,
      reservations: list.reservations.map((r) => ({ ...r, overlaps: overlaps.get(r.id) ?? [] })),
      totalReservations: list.total,
      alerts: alerts.active,
      at: new Date().toISOString(),
    };
  }
}

/** `runs:<key>`: recent pattern runs, the running ones followed (status), and their pending decisions. */
export class RunsSource implements LiveSource {
  readonly key: string;
  private readonly followed = new Map<string, { mark: string; status?: PatternStatus }>();

  constructor(
    private readonly baton: BatonClient,
    private readonly project: string,
  ) {
    this.key = `runs:${project}`;
  }

  async load(): Promise<RunsSection> {
    const p = this.baton.project(this.project);
    const listing = await p.patterns.list({ limit: RUNS_LISTED });
    const running = listing.filter((r) => r.status === 'RUNNING').slice(0, RUNS_FOLLOWED);
    await Promise.all(
      running.map(async (r) => {
        const mark = await historyMark(this.baton.temporal, r.workflowId);
        const known = this.followed.get(r.workflowId);
        if (known?.mark === mark) return;
        const status = await p.patterns.status(r.workflowId).catch(() => undefined);
        this.followed.set(r.workflowId, { mark, status });
      }),
    );
    for (const id of this.followed.keys()) if (!running.some((r) => r.workflowId === id)) this.followed.delete(id);
    const runs: RunSummary[] = listing.map((r) => {
      const status = this.followed.get(r.workflowId)?.status;
      return {
        workflowId: r.workflowId,
        pattern: r.pattern,
        title: r.title || status?.title || '',
        status: r.status,
        step: status?.step ?? r.step,
        waitingFor: status?.waitingFor ?? r.waitingFor,
        needsHuman: status?.needsHuman ?? r.needsHuman,
        startedAt: r.startedAt,
        escalated: status?.escalated ?? false,
        timeline: status ? status.timeline.slice(-TIMELINE_SHOWN) : [],
      };
    });
    const decisions: DecisionItem[] = [];
    for (const r of running) {
      const status = this.followed.get(r.workflowId)?.status;
      const d = status?.state === 'running' ? status.decision : undefined;
      if (!status || !d) continue;
      decisions.push({
        project: this.project,
        workflowId: r.workflowId,
        pattern: status.pattern,
        title: status.title,
        step: d.step,
        question: d.question,
        decisionId: d.id,
        since: d.since,
        ...(d.deadline ? { deadline: d.deadline } : {}),
        ...(d.askedBy ? { askedBy: d.askedBy } : {}),
        approvers: d.approvers,
        escalated: status.escalated,
      });
    }
    return { runs, decisions };
  }
}

/** `run:<workflow id>`: one run in full, and the step names its plan lays out (for the pipeline). */
export class RunSource extends MarkedSource<RunSection> {
  private planned: string[] | undefined;

  constructor(
    private readonly baton: BatonClient,
    private readonly project: string,
    private readonly run: string,
  ) {
    super(`run:${run}`, baton.temporal, run);
  }

  protected async read(): Promise<RunSection> {
    const status = await this.baton.project(this.project).patterns.status(this.run);
    this.planned ??= await plannedSteps(this.baton.temporal, this.run).catch(() => []);
    return { status, planned: this.planned };
  }
}

/** `inbox:<key>:<name>` (sent to the page as `inbox:<key>`): the human's recent mail in the project. */
export class InboxSource extends MarkedSource<InboxSection> {
  constructor(
    private readonly baton: BatonClient,
    private readonly project: string,
    private readonly actor: MemberActor,
  ) {
    super(`inbox:${project}:${actor.name.toLowerCase()}`, baton.temporal, mailboxWorkflowId(project, actor.name));
  }

  protected async read(mark: string): Promise<InboxSection> {
    if (mark === 'missing') return { items: [], unread: 0 };
    const page = await this.baton.project(this.project).messages.inbox(this.actor, { limit: 30 });
    return { items: page.items, unread: page.unread };
  }
}

/** `notifications:<key>:<name>` (sent as `notifications:<key>`): the human's sinks, deliveries and dead letters. */
export class NotificationsSource extends MarkedSource<NotificationsSection> {
  constructor(
    private readonly baton: BatonClient,
    private readonly project: string,
    private readonly actor: MemberActor,
  ) {
    super(`notifications:${project}:${actor.name.toLowerCase()}`, baton.temporal, projectWorkflowId(project));
  }

  protected read(): Promise<NotificationsSection> {
    return this.baton.project(this.project).notifications.view(this.actor);
  }
}

/**
 * The step names a run's plan lays out, from the input its workflow was started with (the first
 * event of its history): a plan's `steps` (Sequential Handoff) or `workers` and an integration step
 * (Parallel Development). Other patterns draw the steps as they happen.
 */
async function plannedSteps(temporal: Client, workflowId: string): Promise<string[]> {
  const history = await temporal.workflowService.getWorkflowExecutionHistory({ namespace: temporal.options.namespace, execution: { workflowId }, maximumPageSize: 1 });
  const payload = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return [];
  const input = temporal.options.loadedDataConverter.payloadConverter.fromPayload(payload) as { plan?: { steps?: { name?: unknown }[]; workers?: { agent?: unknown }[] } };
  const plan = input?.plan;
  if (Array.isArray(plan?.steps)) return plan.steps.map((s) => String(s.name ?? '')).filter(Boolean);
  if (Array.isArray(plan?.workers)) return [...plan.workers.map((w) => `build (${String(w.agent ?? '')})`), 'integration'];
  return [];
}
