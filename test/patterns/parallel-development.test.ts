import os from 'node:os';
import type { RunningApi } from '../../src/api/main';
import { cancelSignal } from '../../src/patterns/kit/api';
import { createTestContext, type TestContext } from '../support/temporal';
import { asMember, callServer, goodHandoff, has, inboxHas, recordHistory, runPath, team, until, waitingFor } from './support';

describe('Parallel Development (real server, scripted agents and human)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('refuses a plan whose file sets overlap, naming the overlap, before anything starts', async () => {
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const plan = {
      id: 'overlap',
      title: 'Auth',
      workers: [
        { agent: 'SwiftEagle', task: 'API', files: ['src/auth/**'] },
        { agent: 'GreenCastle', task: 'UI', files: ['web/**', 'src/auth/form.tsx'] },
      ],
      integration: { command: 'true' },
      workdir: os.tmpdir(),
    };
    const err = await t.project.patterns.start('parallel-development', plan, { startedBy: 'alice' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(err.message).toContain(`SwiftEagle's "src/auth/**" and GreenCastle's "src/auth/form.tsx" both match src/auth/form.tsx`);
    await expect(t.project.patterns.status('parallel-development/overlap')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.project.patterns.list()).toEqual([]);
  });

  it('broadcasts the plan, reserves each share, nudges then escalates a missed checkpoint, releases when all are done, runs the integration command', async () => {
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'parallel-development',
      {
        title: 'Auth feature',
        deadlines: { reminderAfter: '30s', escalateAfter: '60s' },
        checkpointEvery: '3s',
        checkpointGrace: '2s',
        workers: [
          { agent: 'SwiftEagle', task: 'Auth API', files: ['src/auth/**'] },
          { agent: 'GreenCastle', task: 'Login form', files: ['web/login/**'] },
        ],
        integration: { command: 'echo integration-start; sleep 3; echo integration-ok', timeout: '1m' },
        workdir: os.tmpdir(),
      },
      { startedBy: 'alice' },
    );
    await until(project, id, (s) => s.assigned.length === 2);
    const plan = await inboxHas(t, 'alice', (m) => m.subject.startsWith('[parallel-development] plan'));
    expect(plan.body).toContain('SwiftEagle: Auth API (files: src/auth/**)');
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.pattern]).sort()).toEqual([
      ['GreenCastle', 'web/login/**'],
      ['SwiftEagle', 'src/auth/**'],
    ]);

    // SwiftEagle checks in and finishes; GreenCastle stays silent past the checkpoint.
    await project.patterns.progress(id, t.me('SwiftEagle'), 'endpoints stubbed');
    await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'auth API ready', handoff: goodHandoff('Implemented login and logout endpoints with sessions', ['src/auth/api.ts']) });
    const nudged = await until(project, id, has('checkpoint', 'missed: GreenCastle'), 15_000);
    expect(nudged.waitingFor).toEqual(['GreenCastle']);
    await inboxHas(t, 'GreenCastle', (m) => m.subject.startsWith('Checkpoint missed'));
    const escalated = await until(project, id, (s) => s.escalated, 15_000);
    expect(escalated.timeline.find((e) => e.kind === 'escalated')?.text).toContain('GreenCastle missed a checkpoint');
    await inboxHas(t, 'alice', (m) => m.subject.includes('needs attention') && m.body.includes('GreenCastle missed a checkpoint'));

    await project.patterns.done(id, t.me('GreenCastle'), { summary: 'form ready', handoff: goodHandoff('Built the login form without API calls yet', ['web/login/form.tsx']) });
    const integrating = await until(project, id, (s) => s.step === 'integration');
    expect(integrating.assigned).toEqual([]);
    expect((await project.reservations.list()).total).toBe(0);

    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.details.integration).toMatchObject({ exitCode: 0, output: expect.stringContaining('integration-ok') });
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['build (SwiftEagle)', 'done'],
      ['build (GreenCastle)', 'done'],
      ['integration', 'done'],
    ]);
    await recordHistory(ctx, id, 'checkpoint-nudge-escalation-integration-command');
  });

  it('a cancel by a human (through the server) releases every reservation; an agent may not cancel (client check, server door, workflow)', async () => {
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'parallel-development',
      {
        title: 'Cancelled work',
        workers: [
          { agent: 'SwiftEagle', task: 'API', files: ['src/api/**'] },
          { agent: 'GreenCastle', task: 'UI', files: ['web/**'] },
        ],
        integration: { agent: 'SwiftEagle', task: 'Run the E2E tests' },
      },
      { startedBy: 'alice' },
    );
    await until(project, id, waitingFor('GreenCastle'));
    expect((await project.reservations.list()).total).toBe(2);
    await expect(project.patterns.cancel(id, t.me('SwiftEagle'), 'bored')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('only a human may cancel') });
    // Through the server, an agent's token never reaches the workflow.
    const byAgent = await callServer(api, t, t.tokens.SwiftEagle, `${runPath(id)}/cancel`, { reason: 'bored' });
    expect(byAgent).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token: SwiftEagle is an agent") } });
    expect(await project.patterns.status(id)).toMatchObject({ state: 'running', refused: [] });
    // An operator's raw cancel signal naming an agent reaches the workflow, which refuses and records it.
    await ctx.client.workflow.getHandle(id).signal(cancelSignal, { by: 'SwiftEagle', reason: 'bored' });
    const refused = await until(project, id, (s) => s.refused.length > 0);
    expect(refused.refused).toEqual([expect.objectContaining({ who: 'SwiftEagle', action: 'cancel', reason: expect.stringContaining('only a human may decide') })]);
    expect(refused.state).toBe('running');
    expect((await project.reservations.list()).total).toBe(2);

    const outcome = await asMember(api, t, 'alice').patterns.cancel(id, 'requirements changed');
    expect(outcome.ended).toBe(true);
    expect(outcome.status.state).toBe('cancelled');
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('cancelled');
    expect(result.reason).toBe('cancelled by alice: requirements changed');
    expect((await project.reservations.list()).total).toBe(0);
    await inboxHas(t, 'GreenCastle', (m) => m.subject.includes('cancelled') && m.body.includes('released'));
    await expect(project.patterns.progress(id, t.me('GreenCastle'), 'still here')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await recordHistory(ctx, id, 'cancelled-leases-released');
  });
});
