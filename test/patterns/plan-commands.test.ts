import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { member } from '../../src/schemas/actor';
import { createTestContext, type TestContext } from '../support/temporal';
import { goodHandoff, team, until, waitingFor } from './support';

/**
 * The commands a plan gives Baton's worker (#14 item 5): they run in the project's checkout the plan
 * names, with an environment built from an allow-list plus the plan's own variables (never the
 * worker's Temporal or Baton settings), and only humans put them in a plan unless the project allows
 * members.
 */
describe('commands in a plan (real server, the worker runs them)', () => {
  let ctx: TestContext;
  let checkout: string;
  const secret = 'BATON_TEST_WORKER_SECRET';
  beforeAll(async () => {
    // The worker runs in this process: what it has in its environment, a command must not see.
    process.env[secret] = 'sesame';
    ctx = await createTestContext();
    await ctx.startWorker();
    checkout = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-checkout-')));
  });
  afterAll(async () => {
    delete process.env[secret];
    await ctx.close();
    fs.rmSync(checkout, { recursive: true, force: true });
  });

  const plan = (command: string, extra: Record<string, unknown> = {}) => ({
    title: 'Auth',
    deadlines: { reminderAfter: '10m', escalateAfter: '20m' },
    workers: [
      { agent: 'SwiftEagle', task: 'Auth API', files: ['src/auth/**'] },
      { agent: 'GreenCastle', task: 'Login form', files: ['web/login/**'] },
    ],
    integration: { command, timeout: '1m' },
    ...extra,
  });

  it("runs in the plan's workdir with the plan's variables and none of the worker's Temporal or Baton settings", async () => {
    expect(process.env.TEMPORAL_ADDRESS).toBeTruthy();
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const command = `echo "path=[$PATH] temporal=[$TEMPORAL_ADDRESS] secret=[$${secret}] greeting=[$GREETING] pwd=[$(pwd)]"`;
    // Without a checkout to run in, the plan is refused, naming the field and the flag.
    await expect(project.patterns.start('parallel-development', plan(command), { startedBy: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('workdir: is required because the plan runs commands'),
    });
    await expect(project.patterns.start('parallel-development', plan(command, { workdir: checkout, env: { TEMPORAL_ADDRESS: 'x' } }), { startedBy: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("must not be a TEMPORAL_* or BATON_* variable"),
    });

    const { workflowId: id } = await project.patterns.start('parallel-development', plan(command, { workdir: checkout, env: { GREETING: 'hi' } }), { startedBy: 'alice' });
    await until(project, id, (s) => s.assigned.length === 2);
    for (const [agent, file] of [['SwiftEagle', 'src/auth/login.ts'], ['GreenCastle', 'web/login/form.tsx']] as const) {
      await project.patterns.done(id, t.me(agent), { summary: `${agent} done`, handoff: goodHandoff(`Finished the ${agent} share of the auth feature`, [file]) });
    }
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    const output = (result.details.integration as { output: string }).output;
    expect(output).toContain('temporal=[]');
    expect(output).toContain('secret=[]');
    expect(output).toContain('greeting=[hi]');
    expect(output).toContain(`pwd=[${checkout}]`);
    expect(output).not.toContain('path=[]');
    // The output's end is on the timeline, bounded.
    const status = await project.patterns.status(id);
    expect(status.timeline.filter((e) => e.kind === 'command').map((e) => e.text).join('\n')).toContain('greeting=[hi]');
  });

  it('a checkout that is not a directory on the worker stops the run, saying which field to fix', async () => {
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start('parallel-development', plan('true', { workdir: path.join(checkout, 'nope') }), { startedBy: 'alice' });
    await until(project, id, (s) => s.assigned.length === 2);
    for (const [agent, file] of [['SwiftEagle', 'src/auth/a.ts'], ['GreenCastle', 'web/login/b.tsx']] as const) {
      await project.patterns.done(id, t.me(agent), { summary: 'done', handoff: goodHandoff(`Finished the ${agent} share of the work`, [file]) });
    }
    const result = await project.patterns.result(id);
    expect(result).toMatchObject({ outcome: 'aborted', reason: expect.stringContaining(`${path.join(checkout, 'nope')} is not a directory on the worker (plan field "workdir")`) });
  });

  it('only humans put commands in a plan, unless a human lets members (planCommandsBy)', async () => {
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const byAgent = plan('true', { workdir: checkout, id: 'by-agent' });
    await expect(project.patterns.start('parallel-development', byAgent, { startedBy: 'SwiftEagle' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('only humans put commands in a plan'),
    });
    await expect(project.patterns.status('parallel-development/by-agent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Without a command, an agent starts it as before.
    const agentPlan = { ...plan('true'), integration: { agent: 'GreenCastle', task: 'Run the E2E suite' }, id: 'no-command' };
    await project.patterns.start('parallel-development', agentPlan, { startedBy: 'SwiftEagle' });

    await project.updateSettings(member('alice'), { planCommandsBy: 'members' });
    const started = await project.patterns.start('parallel-development', byAgent, { startedBy: 'SwiftEagle' });
    await until(project, started.workflowId, waitingFor('SwiftEagle'));
    for (const id of [started.workflowId, 'parallel-development/no-command']) await project.patterns.cancel(id, t.me('alice'), 'checked');
  });
});
