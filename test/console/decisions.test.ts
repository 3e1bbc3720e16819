import { createTestContext, type TestContext } from '../support/temporal';
import { callServer, runPath, team, until, waitingFor } from '../patterns/support';
import { startConsoleApi, type RunningApi } from './support';

/**
 * The console answers a decision by its id: an answer to a decision that is no longer the pending
 * one is refused with CONFLICT and the question pending now, so a human never approves something
 * they did not read.
 */
describe('answering a decision by its id', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await startConsoleApi(ctx);
  });
  afterAll(async () => {
    await api.close();
    await ctx.close();
  });

  it('refuses a stale decision id with the current question, and takes the current one', async () => {
    const t = await team(ctx, ['GreenCastle'], ['alice'], {}, 'decide');
    const { workflowId: id } = await t.project.patterns.start('sequential-handoff', { title: 'Search', steps: [{ name: 'index', agent: 'GreenCastle', task: 'Build the index', files: ['src/search/**'], onFail: 'human' }] }, { startedBy: 'alice' });
    await until(t.project, id, waitingFor('GreenCastle'));
    await t.project.patterns.fail(id, t.me('GreenCastle'), 'no schema yet');
    const { decision } = await until(t.project, id, (s) => s.needsHuman);

    const stale = await callServer(api, t, t.tokens.alice, `${runPath(id)}/approve`, { comment: 'ok', decisionId: 'an-older-decision' });
    expect(stale).toMatchObject({ status: 409, error: { code: 'CONFLICT', message: expect.stringContaining(`the question now is ${decision!.id}: "${decision!.question}"`), details: { current: { id: decision!.id, step: 'index', question: decision!.question } } } });
    expect((await t.project.patterns.status(id)).decision?.id).toBe(decision!.id);

    const current = await callServer(api, t, t.tokens.alice, `${runPath(id)}/reject`, { reason: 'wrong approach', decisionId: decision!.id });
    expect(current.status).toBe(200);
    await until(t.project, id, (s) => s.state === 'aborted');
  });
});
