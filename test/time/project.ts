import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { BatonClient } from '../../src/client';
import { loadConfig, type BatonConfig } from '../../src/config';
import { findTestServer } from '../../src/server/provision';
import { BATON_SEARCH_ATTRIBUTES } from '../../src/search-attributes';
import { indexedValueType } from './time-skipping';

/**
 * The project workflow in workflow time: the real workflows (the jest global setup's bundle) and the
 * real activities (deliveries signal the real mailbox workflows) on Temporal's time-skipping test
 * server, so a lease's hour passes in a moment. Drive it with `baton` (the operator's typed client) and
 * move time with `env.sleep`.
 */
export interface ProjectTimeContext {
  env: TestWorkflowEnvironment;
  baton: BatonClient;
  /** Runs `fn` with a Baton worker polling this context's task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export async function createProjectTimeContext(): Promise<ProjectTimeContext> {
  const base = loadConfig();
  const server = findTestServer(base.home);
  if (!server) throw new Error(`No Temporal test server under ${base.home}: run \`npm run temporal:install -- --test-server\` (npm test does it), or set BATON_TEST_SERVER_PATH.`);
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server.path } } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.entries(BATON_SEARCH_ATTRIBUTES).map(([name, type]) => [name, indexedValueType(type)])),
  });
  const config: BatonConfig = { ...base, namespace: env.namespace ?? 'default', taskQueue: `time-project-${randomUUID()}` };
  const baton = new BatonClient(env.client, config);
  return {
    env,
    baton,
    async withWorker(fn) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        workflowBundle: { codePath: process.env.BATON_TEST_BUNDLE! },
        activities: createActivities({ client: env.client, config }),
      });
      return worker.runUntil(fn);
    },
    close: () => env.teardown(),
  };
}
