import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { findTestServer } from '../../src/server/provision';
import { BATON_SEARCH_ATTRIBUTES, patternSearchAttributes } from '../../src/search-attributes';
import { statusQuery } from '../../src/patterns/kit/api';
import type { PatternStatus } from '../../src/schemas/patterns';
import type { MemberCredential } from '../../src/workflows/project/directory-api';
import type { CommandInput, CommandResult, KitActivities } from '../../src/patterns/kit/activities-api';
import type { EmergencyActivities } from '../../src/patterns/emergency-response/activities-api';
import type { OnboardingActivities } from '../../src/patterns/onboarding/activities-api';
import type { Conflict, Reservation } from '../../src/schemas/reservations';
import type { TransferRequest, TransferResult } from '../../src/schemas/transfer';
import type { Importance } from '../../src/schemas/messages';

/**
 * The fast, deterministic layer for time: the real pattern workflows (the jest global setup's bundle)
 * on Temporal's time-skipping test server, with the activities stubbed in memory. A wait of hours
 * passes in milliseconds; the timeline and every notice sent carry workflow time (a notice, the time
 * its activity was scheduled at), so tests can say "the reminder came at reminderAfter" without a wall
 * clock.
 */

let runtimeInstalled = false;

export interface Member {
  name: string;
  kind: 'agent' | 'human';
}

/** A notice a workflow sent, with the (skipped) time it was sent at. */
export interface SentNotice {
  atMs: number;
  to: string[] | 'humans' | 'all';
  subject: string;
  body: string;
  importance?: Importance;
}

/** A file held by someone else: every reservation that asks for it answers this conflict. */
export type HeldBy = Pick<Conflict, 'pattern' | 'holder' | 'heldPattern' | 'expiresAt' | 'reservationId'>;

/** A lease the stubbed project granted, with its expiry in workflow time. */
export interface StubLease {
  id: string;
  holder: string;
  pattern: string;
  expiresAt: number;
}

export interface TimeSkippingContext {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  project: string;
  notices: SentNotice[];
  /** While set, every reservation answers conflict with these holders (the files are someone else's). */
  heldBy: HeldBy[];
  /** The leases the stubbed project holds now (a test may drop one: a force-release). */
  leases: Map<string, StubLease>;
  /** Every write the runs made, in order, with its workflow time. */
  writes: { atMs: number; input: TransferRequest }[];
  /** What each command answers, by label, one answer per run in order; default (and when used up): exit 0. */
  commands: Map<string, Partial<CommandResult>[]>;
  /** Where a member's trust stands (memberTrust). */
  trust: Map<string, { successfulTasks: number; trusted: boolean }>;
  /** Runs `fn` with a worker polling this context's task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts a time-skipping test server (provisioned by `npm test`: see provisionTestServer) and registers
 * Baton's search attributes on it. `members` are the project's directory as the stubbed
 * fetchCredentials activity answers it.
 */
export async function createTimeSkippingContext(members: Member[]): Promise<TimeSkippingContext> {
  const config = loadConfig();
  const server = findTestServer(config.home);
  if (!server) {
    throw new Error(`No Temporal test server under ${config.home}: run \`npm run temporal:install -- --test-server\` (npm test does it), or set BATON_TEST_SERVER_PATH.`);
  }
  if (!runtimeInstalled) {
    // ERROR: the test server does not advertise newer server capabilities, which core warns about on
    // every worker start.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server.path } } });
  // The test server has no ListSearchAttributes (so no ensureSearchAttributes): add them all at once.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.entries(BATON_SEARCH_ATTRIBUTES).map(([name, type]) => [name, indexedValueType(type)])),
  });

  const taskQueue = `time-${randomUUID()}`;
  const notices: SentNotice[] = [];
  const credentials: MemberCredential[] = members.map((m) => ({ name: m.name, kind: m.kind, trusted: false, retired: false }));
  let leaseCount = 0;
  const state = {
    heldBy: [] as HeldBy[],
    leases: new Map<string, StubLease>(),
    writes: [] as { atMs: number; input: TransferRequest }[],
    commands: new Map<string, Partial<CommandResult>[]>(),
    trust: new Map<string, { successfulTasks: number; trusted: boolean }>(),
  };
  // The server's (skipped) time: the kit's writes are local activities, whose info carries the worker's clock.
  const nowOf = () => env.currentTimeMs();
  const record = (atMs: number, n: { to: SentNotice['to']; subject: string; body: string; importance?: Importance }) => {
    notices.push({ atMs, to: n.to, subject: n.subject, body: n.body, importance: n.importance });
    const deliveredTo = Array.isArray(n.to) ? n.to : members.filter((m) => n.to === 'all' || m.kind === 'human').map((m) => m.name);
    return { messageId: `m-${notices.length.toString(16).padStart(12, '0')}`, thread: 't-000000000000', sentAt: new Date(atMs).toISOString(), deliveredTo, skipped: [], duplicate: false };
  };
  const view = (l: StubLease): Reservation => ({ id: l.id, project: 'time', holder: l.holder, pattern: l.pattern, exclusive: true, reason: 'stub', createdAt: new Date(l.expiresAt).toISOString(), expiresAt: new Date(l.expiresAt).toISOString() });
  /** The project as far as the kit's one write needs it: leases with expiries, notices recorded. */
  const transfer = async (input: TransferRequest): Promise<TransferResult> => {
    const atMs = await nowOf();
    state.writes.push({ atMs, input });
    const result: TransferResult = { released: [], renewed: [], lost: [] };
    const alive = (id: string) => {
      const l = state.leases.get(id);
      return l !== undefined && l.expiresAt > atMs;
    };
    for (const r of input.release) {
      for (const id of r.ids) {
        (alive(id) ? result.released : result.lost).push(id);
        state.leases.delete(id);
      }
    }
    for (const r of input.renew) {
      for (const id of r.ids) {
        if (!alive(id)) {
          result.lost.push(id);
          continue;
        }
        const l = state.leases.get(id)!;
        l.expiresAt = Math.max(atMs, l.expiresAt) + r.ttlSeconds * 1000;
        result.renewed.push({ id, expiresAt: new Date(l.expiresAt).toISOString() });
      }
    }
    for (const c of input.check) for (const id of c.ids) if (!alive(id)) result.lost.push(id);
    if (input.reserve) {
      if (state.heldBy.length) result.reserve = { status: 'conflict', conflicts: state.heldBy.map((h) => ({ ...h, exclusive: true, reason: 'theirs', example: h.heldPattern, rule: 'stub' })) };
      else {
        const granted = input.reserve.patterns.map((pattern) => {
          const lease = { id: `r-${++leaseCount}`, holder: input.reserve!.holder, pattern, expiresAt: atMs + input.reserve!.ttlSeconds * 1000 };
          state.leases.set(lease.id, lease);
          return view(lease);
        });
        result.reserve = { status: 'granted', granted, kept: [] };
      }
    }
    if (input.notice && result.reserve?.status !== 'conflict') result.notice = record(atMs, input.notice);
    if (input.message) result.message = record(atMs, { ...input.message, to: input.message.broadcast ? 'all' : input.message.to });
    return result;
  };
  const activities: KitActivities & EmergencyActivities & OnboardingActivities = {
    transfer,
    async fetchCredentials(input) {
      const wanted = new Set(input.names.map((n) => n.toLowerCase()));
      return credentials.filter((c) => c.kind === 'human' || wanted.has(c.name.toLowerCase()));
    },
    async runCommand(input: CommandInput) {
      return { exitCode: 0, signal: null, timedOut: false, durationMs: 1000, output: `${input.label} ran`, ...state.commands.get(input.label)?.shift() };
    },
    async listAgentNames() {
      return members.filter((m) => m.kind === 'agent').map((m) => m.name);
    },
    async monitorHealth() {
      return { healthy: true, checks: 1, durationMs: 1000 };
    },
    async memberTrust({ name }) {
      const t = state.trust.get(name) ?? { successfulTasks: 0, trusted: false };
      return { name, trustAfterTasks: 2, ...t };
    },
  };

  const ctx: Omit<TimeSkippingContext, keyof typeof state> = {
    env,
    taskQueue,
    project: `time-${randomUUID().slice(0, 8)}`,
    notices,
    async withWorker(fn) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: { codePath: process.env.BATON_TEST_BUNDLE! },
        activities,
      });
      return worker.runUntil(fn);
    },
    close: () => env.teardown(),
  };
  return Object.assign(state, ctx);
}

/** 'KeywordList' -> INDEXED_VALUE_TYPE_KEYWORD_LIST, as the operator service wants it. */
export function indexedValueType(type: string): temporal.api.enums.v1.IndexedValueType {
  const key = `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}` as keyof typeof temporal.api.enums.v1.IndexedValueType;
  const value = temporal.api.enums.v1.IndexedValueType[key];
  if (value === undefined) throw new Error(`no indexed value type for search attribute type ${type}`);
  return value;
}

/** Start a pattern run on the time-skipping server, as the typed client would (plan checks aside). */
export function startPattern(ctx: TimeSkippingContext, workflowType: string, pattern: string, id: string, plan: unknown, startedBy = 'alice'): Promise<WorkflowHandle> {
  return ctx.env.client.workflow.start(workflowType, {
    taskQueue: ctx.taskQueue,
    workflowId: `baton/${ctx.project}/${pattern}/${id}`,
    args: [{ project: ctx.project, plan, startedBy }],
    typedSearchAttributes: patternSearchAttributes(ctx.project, pattern),
  });
}

/**
 * Poll a run's status until `ready` holds. Time is locked between client calls (it moves only in
 * env.sleep and result()), so this waits for the worker, not for a deadline.
 */
export async function untilStatus(handle: WorkflowHandle, what: string, ready: (s: PatternStatus) => boolean): Promise<PatternStatus> {
  let last: PatternStatus | undefined;
  for (let i = 0; i < 600; i++) {
    last = await handle.query(statusQuery);
    if (ready(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} never came; last status: ${JSON.stringify(last && { step: last.step, waitingFor: last.waitingFor, timeline: last.timeline.slice(-5) })}`);
}

/** Workflow times (ms) of the timeline entries of a kind (and step). */
export const timesOf = (status: PatternStatus, kind: string, step?: string): number[] => status.timeline.filter((e) => e.kind === kind && (step === undefined || e.step === step)).map((e) => Date.parse(e.at));

/** Notices sent to `who` whose subject matches. */
export const sentTo = (notices: SentNotice[], who: string, subject: RegExp): SentNotice[] => notices.filter((n) => (Array.isArray(n.to) ? n.to.includes(who) : n.to === who) && subject.test(n.subject));
