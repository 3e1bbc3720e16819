import NodeEnvironment from 'jest-environment-node';
import { retryOnInfrastructureError, retryReason } from './infrastructure-retry';

/**
 * The suites' test environment: Node's, plus one rule. A test whose body fails with a recognised
 * infrastructure error (gRPC UNAVAILABLE, a connection the server closed: infrastructure-errors.ts) is
 * run once more; every other failure fails at once. jest.retryTimes cannot make that distinction (it
 * re-runs every failed test), so the rule wraps each test body when jest starts it. Each retry is
 * printed when it happens and recorded in the test's retryReasons, which retry-reporter.mjs counts at
 * the end of the run. Tests written with a `done` callback are left as they are.
 */

/** The parts of jest-circus's test_start event used here (jest-circus 29). */
interface TestStartEvent {
  name: 'test_start';
  test: CircusTest;
}
interface CircusTest {
  name: string;
  fn: (this: unknown, ...args: unknown[]) => unknown;
  retryReasons: unknown[];
  parent?: { name: string; parent?: unknown };
}

export default class InfrastructureRetryEnvironment extends NodeEnvironment {
  private readonly wrapped = new WeakSet<CircusTest>();

  async handleTestEvent(event: { name: string }): Promise<void> {
    if (event.name !== 'test_start') return;
    const { test } = event as TestStartEvent;
    if (this.wrapped.has(test) || test.fn.length > 0) return;
    this.wrapped.add(test);
    test.fn = retryOnInfrastructureError(test.fn as (this: unknown) => unknown, (reason, error) => {
      test.retryReasons.push(retryReason(reason, error));
      process.stderr.write(`\n[infrastructure retry] "${fullName(test)}" failed with ${reason}: running it once more\n`);
    });
  }
}

function fullName(test: CircusTest): string {
  const names = [test.name];
  for (let block = test.parent; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent as CircusTest['parent']) names.unshift(block.name);
  return names.join(' › ');
}
