import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { findTestServer } from '../../src/server/provision';
import { BATON_SEARCH_ATTRIBUTES } from '../../src/search-attributes';
import type { MemberCredential } from '../../src/workflows/project/directory-api';
import type { HeldBy, NotifyMembersInput, PatternActivities } from '../../src/patterns/kit/activities-api';
import type { AlertActivities } from '../../src/workflows/alerts/report';

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

/** A notice a workflow sent, with the workflow (skipped) time it was scheduled at. */
export interface SentNotice {
  atMs: number;
  to: NotifyMembersInput['to'];
  subject: string;
  body: string;
  importance: NotifyMembersInput['importance'];
}

export interface TimeSkippingContext {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  project: string;
  notices: SentNotice[];
  /** While set, every reserveForStep answers conflict with these holders (the files are someone else's). */
  heldBy: HeldBy[];
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
  let leases = 0;
  const context = { heldBy: [] as HeldBy[] };
  const activities: PatternActivities & AlertActivities = {
    async reserveForStep() {
      if (context.heldBy.length) return { status: 'conflict', conflicts: context.heldBy };
      return { status: 'granted', ids: [`r-${++leases}`] };
    },
    async releaseForStep(input) {
      return { released: input.ids.length };
    },
    async notifyMembers(input) {
      const atMs = Context.current().info.currentAttemptScheduledTimestampMs;
      notices.push({ atMs, to: input.to, subject: input.subject, body: input.body, importance: input.importance });
      const deliveredTo = Array.isArray(input.to) ? input.to : members.filter((m) => input.to === 'all' || m.kind === 'human').map((m) => m.name);
      return { messageId: `m-${notices.length.toString(16).padStart(12, "0")}`, thread: input.thread ?? "t-000000000000", sentAt: new Date(atMs).toISOString(), deliveredTo, skipped: [], duplicate: false };
    },
    async fetchCredentials(input) {
      const wanted = new Set(input.names.map((n) => n.toLowerCase()));
      return credentials.filter((c) => c.kind === 'human' || wanted.has(c.name.toLowerCase()));
    },
    async recordTaskSuccess() {},
    async runCommand() {
      throw new Error('no command runs in the time-skipping suite');
    },
    async reportToProject() {},
  };

  const ctx: Omit<TimeSkippingContext, 'heldBy'> = {
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
  return Object.assign(context, ctx);
}

/** 'KeywordList' -> INDEXED_VALUE_TYPE_KEYWORD_LIST, as the operator service wants it. */
function indexedValueType(type: string): temporal.api.enums.v1.IndexedValueType {
  const key = `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}` as keyof typeof temporal.api.enums.v1.IndexedValueType;
  const value = temporal.api.enums.v1.IndexedValueType[key];
  if (value === undefined) throw new Error(`no indexed value type for search attribute type ${type}`);
  return value;
}
