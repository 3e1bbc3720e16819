import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/**
 * Replays recorded histories of full runs against today's workflow code: a change that would break
 * running workflows (non-determinism) fails here, not in production.
 *
 * Every file in test/replay/histories/ is replayed. Name a fixture `<workflowType>--<what it shows>.json`
 * (e.g. `sequentialHandoffWorkflow--completed.json`); the type must match the history's first event.
 * Any engineer adds fixtures for their workflows by dropping files there, e.g. with `recordHistory()` in
 * test/patterns/support.ts; `npm run record-histories` regenerates the pattern fixtures.
 */
const dir = path.join(__dirname, 'histories');
const fixtures = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

/**
 * Fixtures are the History message's own JSON (JSON.stringify of what `handle.fetchHistory()` returns);
 * protobufjs' fromObject reads that back exactly. (historyToJSON/historyFromJSON trip over the second
 * protobufjs copy under @temporalio/common here.)
 */
const load = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));

describe('replay of recorded histories', () => {
  it('has fixtures for the pattern workflows and the project workflow', () => {
    const types = new Set(fixtures.map((f) => f.split('--')[0]));
    for (const type of ['projectWorkflow', 'sequentialHandoffWorkflow', 'codeReviewWorkflow', 'parallelDevelopmentWorkflow']) expect(types).toContain(type);
  });

  it.each(fixtures)('%s names the workflow it records', (file) => {
    const history = load(file);
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(file.split('--')[0]);
  });

  it('replays every fixture without non-determinism', async () => {
    // Replay under the recorded workflow id: workflows derive ids (children, threads) from their own.
    const idOf = new Map<string, string>();
    const histories = fixtures.map((file) => {
      const history = load(file);
      const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId || file;
      idOf.set(workflowId, file);
      return { workflowId, history };
    });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.BATON_TEST_BUNDLE! } }, histories)) {
      if (result.error) failures.push(`${idOf.get(result.workflowId) ?? result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
