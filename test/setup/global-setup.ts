import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDevServer } from '../../src/server/dev-server';
import { writeWorkflowBundle } from '../support/workflow-bundle';

/**
 * One real Temporal dev server per jest run, from the provisioned binary (never a mock), plus one
 * workflow bundle shared by every test's worker. Tests isolate themselves with unique task queues,
 * project keys and workflow ids.
 */
/**
 * The suites drive workflows with the typed client (an operator's, which does not batch) from many
 * concurrent callers at once (56 agents racing); at Temporal's default of 10 in-flight updates per
 * workflow the server would refuse and abort most of them. The product path (the Baton server, the
 * worker) batches and runs at the defaults: test/reservations/group-commit.test.ts proves it on a
 * server of its own with no dynamic config.
 */
const TEST_DYNAMIC_CONFIG = ['history.maxInFlightUpdates=100'];

export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  // The CLI suites run the real bin/baton: the bundle must match the sources under test.
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build-cli.mjs'), '--quiet'], { stdio: 'inherit' });
  const server = await startDevServer({ home: config.home, serverLogLevel: 'never', logFile: path.join(config.home, 'logs', `temporal-test-${process.pid}.log`), dynamicConfig: TEST_DYNAMIC_CONFIG });
  (globalThis as Record<string, unknown>).__BATON_DEV_SERVER__ = server;
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.TEMPORAL_NAMESPACE = 'default';

  process.env.BATON_TEST_BUNDLE = await writeWorkflowBundle(path.join(config.home, 'test'));
  console.log(`\nTemporal dev server for tests at ${server.address} (${server.temporal.version ?? 'SDK download'}, via ${server.temporal.route})`);
}
