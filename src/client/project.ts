import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition, QueryDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { projectWorkflowId } from '../domain/ids';
import type { Founder, ProjectEnded, ProjectSettingsInput } from '../schemas/project';
import { projectWorkflow } from '../workflows/project/project';
import { BatonProject, BatonKind } from '../search-attributes';
import { batonCall } from './errors';
import { BATCHABLE_UPDATES, type ProjectBatcher } from './batcher';
import { BatonError } from '../domain/errors';
import type { Checked } from '../workflows/failure';

/** Whether a project exists, and if it ended, who ended it, when and why. */
export type ProjectState =
  | { status: 'running'; runId: string }
  | { status: 'missing' }
  | { status: 'ended'; runId: string; closedAt?: string; how: string; endedBy?: string; reason?: string };

/**
 * Low-level access to one project's workflow. A project exists only once someone created it on
 * purpose (`baton init`, BatonClient.initProject); a call to a project that does not exist, or whose
 * workflow ended, fails with an error that says so, and never starts a fresh one.
 */
export class ProjectChannel {
  private readonly batcher?: ProjectBatcher;

  /**
   * With `batching` (the Baton server and the worker), concurrent updates of this project share
   * `batch` updates (group commit, src/client/batcher.ts); pass the same batcher for every channel of
   * one project so they group together.
   */
  constructor(
    readonly client: Client,
    readonly project: string,
    readonly taskQueue: string,
    batching?: (channel: ProjectChannel) => ProjectBatcher,
  ) {
    this.batcher = batching?.(this);
  }

  get workflowId(): string {
    return projectWorkflowId(this.project);
  }

  handle() {
    return this.client.workflow.getHandle(this.workflowId);
  }

  /**
   * Starts the project workflow with its first human. `replacing` re-creates a key whose workflow
   * ended (the caller checked that a human of the old project asked for it).
   */
  async create(options: { founder: Founder; settings?: ProjectSettingsInput; replacing?: { by: string; endedRunId: string } }): Promise<void> {
    try {
      await this.client.workflow.start(projectWorkflow, {
        workflowId: this.workflowId,
        taskQueue: this.taskQueue,
        args: [{ project: this.project, settings: options.settings ?? {}, generation: 0, founder: options.founder, ...(options.replacing ? { replaces: options.replacing } : {}) }],
        workflowIdConflictPolicy: 'FAIL',
        // A key that ever existed is re-created only on purpose (`--replace`), never by a race.
        workflowIdReusePolicy: options.replacing ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: BatonProject, value: this.project },
          { key: BatonKind, value: 'project' },
        ],
        staticSummary: `Baton project ${this.project}: directory, reservations, messages, alerts`,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const state = await this.state();
        if (state.status === 'running') throw new BatonError('ALREADY_EXISTS', `Project ${this.project} already exists; its humans invite you (\`baton invite\`), agents join with \`baton register --project ${this.project}\`.`);
        throw this.absent(state);
      }
      throw err;
    }
  }

  /** Where the project stands: running, never created, or ended (with who ended it and why). */
  async state(): Promise<ProjectState> {
    let info;
    try {
      info = await this.handle().describe();
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return { status: 'missing' };
      throw err;
    }
    const runId = info.runId;
    if (info.status.name === 'RUNNING') return { status: 'running', runId };
    const closedAt = info.closeTime?.toISOString();
    if (info.status.name === 'COMPLETED') {
      const ended = (await this.handle().result().catch(() => undefined)) as ProjectEnded | undefined;
      if (ended?.endedBy) return { status: 'ended', runId, closedAt: ended.endedAt, how: 'shut down', endedBy: ended.endedBy, reason: ended.reason };
    }
    if (info.status.name === 'TERMINATED') {
      const last = await this.lastEvent(runId);
      const t = last?.workflowExecutionTerminatedEventAttributes;
      return { status: 'ended', runId, closedAt, how: 'terminated', endedBy: t?.identity || undefined, reason: t?.reason || undefined };
    }
    return { status: 'ended', runId, closedAt, how: info.status.name.toLowerCase().replace(/_/g, ' ') };
  }

  private async lastEvent(runId: string): Promise<temporal.api.history.v1.IHistoryEvent | undefined> {
    const answer = await this.client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: this.client.options.namespace,
      execution: { workflowId: this.workflowId, runId },
      maximumPageSize: 1,
    });
    return answer.history?.events?.[0] ?? undefined;
  }

  /** The error for a call to a project that is not running: never created, or ended. */
  absent(state: Exclude<ProjectState, { status: 'running' }>): BatonError {
    if (state.status === 'missing') {
      return new BatonError('NOT_FOUND', `No project ${this.project}. Create it with \`baton init --project ${this.project} --human <your name>\` (it prints your human token), or check the key (--project, BATON_PROJECT).`, {
        project: this.project,
        status: 'missing',
      });
    }
    const who = state.endedBy ? ` by ${state.endedBy}` : '';
    const when = state.closedAt ? ` at ${state.closedAt}` : '';
    const why = state.reason ? ` (${state.reason})` : '';
    return new BatonError(
      'INVALID_STATE',
      `Project ${this.project} has ended: ${state.how}${who}${when}${why}. Nothing was started in its place; a human of it may re-create the key with \`baton init --project ${this.project} --human <name> --replace\`.`,
      { project: this.project, status: 'ended', how: state.how, endedBy: state.endedBy ?? null, reason: state.reason ?? null, endedAt: state.closedAt ?? null },
    );
  }

  /**
   * An update to the running project workflow; a missing or ended project is an error that says so.
   * With batching, it may travel inside a batch with other callers' updates (same answer either way).
   */
  update<Ret, Args extends unknown[]>(def: UpdateDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
    if (this.batcher && BATCHABLE_UPDATES.has(def.name)) return this.batcher.submit(def.name, args[0]) as Promise<Ret>;
    return this.direct(def.name, args);
  }

  /** One update by name, as it is: retried while not admitted or while the workflow drains. */
  direct<Ret>(name: string, args: unknown[]): Promise<Ret> {
    return retryWhileMoving(() => this.directOnce<Ret>(name, args));
  }

  private directOnce<Ret>(name: string, args: unknown[]): Promise<Ret> {
    // One update id for every resend of this call: should a refused attempt have been admitted after
    // all, the server answers the resend with that attempt's outcome instead of running it twice.
    const updateId = randomUUID();
    return retryUnadmitted(() =>
      batonCall(async () => {
        try {
          // The SDK accepts an update by name: the batcher knows operations by name only.
          return await this.handle().executeUpdate(name as unknown as UpdateDefinition<Ret, [unknown]>, { args: args as [unknown], updateId });
        } catch (err) {
          if (!isNotRunning(err)) throw err;
          throw await this.explainAbsence(err);
        }
      }),
    );
  }

  query<Ret, Args extends unknown[]>(def: QueryDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
    return batonCall(async () => {
      try {
        return await this.handle().query(def, ...args);
      } catch (err) {
        if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        throw await this.explainAbsence(err);
      }
    });
  }

  /** Queries also answer for an ended run (Temporal replays it): used to check a human of an ended project. */
  queryRun<Ret, Args extends unknown[]>(runId: string, def: QueryDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
    return batonCall(() => this.client.workflow.getHandle(this.workflowId, runId).query(def, ...args));
  }

  private async explainAbsence(err: unknown): Promise<unknown> {
    const state = await this.state().catch(() => undefined);
    return state && state.status !== 'running' ? this.absent(state) : err;
  }

  /** A query answering with a Checked envelope: unwraps it, throwing the BatonError it carries. */
  async checkedQuery<Ret, Args extends unknown[]>(def: QueryDefinition<Checked<Ret>, Args>, ...args: Args): Promise<Ret> {
    const answer = await this.query(def, ...args);
    if (!answer.ok) throw new BatonError(answer.code, answer.message, answer.details);
    return answer.value;
  }
}

/**
 * The project workflow refuses new updates while it drains before continue-as-new (a retryable
 * UNAVAILABLE naming it); the next run takes them. Bounded: a drain lasts as long as its in-flight
 * handlers, seconds at most.
 */
async function retryWhileMoving<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const moving = err instanceof BatonError && err.code === 'UNAVAILABLE' && (err.details as { retry?: string } | undefined)?.retry === 'continue-as-new';
      if (!moving || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

/** The project workflow does not exist, or its last run ended. */
function isNotRunning(err: unknown): boolean {
  const e = err as { name?: string; message?: string; cause?: { message?: string } };
  if (e?.name === 'WorkflowNotFoundError') return true;
  const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
  return /workflow execution already completed|workflow not found|not found for ID/i.test(text);
}

/**
 * Updates the server refused before the workflow accepted them (BUSY: over the cap of in-flight
 * updates per workflow, or aborted when the server dropped the workflow's cached state). None of them
 * ran, so sending again is safe. The SDK already resends each a few times with its own back-off, but
 * with 50+ agents on one project at Temporal's default cap of 10 that budget runs out; this one is
 * bounded too (attempts and time), and the final BUSY says how long it tried.
 *
 * The back-off is deliberately slow and jittered: in Temporal 1.32 each refusal at the cap also
 * clears the workflow's cached state, which aborts the updates already admitted (measured on the
 * cluster: as many aborts as refusals), so resending fast makes everyone slower.
 */
const UNADMITTED_RETRY_MS = 120_000;
const UNADMITTED_MAX_ATTEMPTS = 60;
const UNADMITTED_FIRST_DELAY_MS = 500;
const UNADMITTED_MAX_DELAY_MS = 5_000;

async function retryUnadmitted<T>(call: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof BatonError) || err.code !== 'BUSY') throw err;
      const elapsed = Date.now() - started;
      if (attempt >= UNADMITTED_MAX_ATTEMPTS || elapsed > UNADMITTED_RETRY_MS) {
        throw new BatonError('BUSY', `${err.message} Gave up after ${attempt} attempts over ${Math.round(elapsed / 1000)} s.`, err.details);
      }
      const delay = Math.min(UNADMITTED_MAX_DELAY_MS, UNADMITTED_FIRST_DELAY_MS * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}
