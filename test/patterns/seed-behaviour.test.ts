import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningApi } from '../../src/api/main';
import { recordSuccessUpdate } from '../../src/workflows/project/directory-api';
import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import { callServer, cliShells, eventually, goodHandoff, inboxHas, runPath, team, until, waitingFor } from './support';

/**
 * What the seed describes and the patterns missed (#14, "What the seed describes and the patterns
 * still miss"), each as a user meets it: decisions that name what they approve, trust earned from
 * others only, onboarding's contact and welcome, cancels and plan errors that say what to do, and
 * words printed about a run that match its state.
 */
describe('the seed, as a new user meets it (real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-seed-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an approval names the decision it answers: one given for a question that was replaced is refused, recorded, and answered with the question pending now', async () => {
    const t = await team(ctx, ['GreenCastle'], ['alice', 'bob']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      { title: 'Users table', deadlines: { reminderAfter: '10m', escalateAfter: '20m' }, steps: [{ name: 'database', agent: 'GreenCastle', task: 'Migrate the users table', files: ['db/**'], onFail: 'human' }] },
      { startedBy: 'alice' },
    );
    await until(project, id, waitingFor('GreenCastle'));
    await project.patterns.fail(id, t.me('GreenCastle'), 'v1: a lock problem');
    const v1 = (await until(project, id, (s) => s.needsHuman)).decision!;
    // alice and bob both see v1; alice approves it.
    expect(await project.patterns.approve(id, t.me('alice'), 'retry it', { decisionId: v1.id })).toMatchObject({ decided: true, decision: { id: v1.id } });
    await until(project, id, (s) => waitingFor('GreenCastle')(s) && s.steps[0]!.attempts === 2);
    await project.patterns.fail(id, t.me('GreenCastle'), 'v2: I need to DROP the users table');
    const v2 = (await until(project, id, (s) => s.needsHuman && s.decision!.id !== v1.id)).decision!;

    // bob, who saw only v1, approves v1: refused, with the question now pending.
    const stale = await project.patterns.approve(id, t.me('bob'), 'sure', { decisionId: v1.id }).catch((e) => e);
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { current: { id: v2.id } } });
    expect(stale.message).toContain(`Decision ${v1.id} is no longer pending`);
    expect(stale.message).toContain('v2: I need to DROP the users table');
    // The same through the Baton server (HTTP 409), with the body's decisionId.
    const viaServer = await callServer(api, t, t.tokens.bob, `${runPath(id)}/approve`, { decisionId: v1.id, comment: 'sure' });
    expect(viaServer).toMatchObject({ status: 409, error: { code: 'CONFLICT', message: expect.stringContaining('DROP the users table') } });

    const after = await until(project, id, (s) => s.refused.filter((r) => r.who === 'bob').length === 2);
    expect(after.decision?.id).toBe(v2.id);
    expect(after.refused.filter((r) => r.who === 'bob').map((r) => [r.action, r.decisionId])).toEqual([
      ['approve', v1.id],
      ['approve', v1.id],
    ]);
    expect(after.decisions?.map((d) => [d.id, d.approved, d.by])).toEqual([[v1.id, true, 'alice']]);
    expect(after.timeline.filter((e) => e.kind === 'approved').map((e) => e.actor)).toEqual(['alice']);
    await project.patterns.reject(id, t.me('alice'), 'not like this', { decisionId: v2.id });
    expect((await project.patterns.result(id)).outcome).toBe('aborted');
  });

  it('trust is earned from others: an agent starting runs for itself earns nothing; a step a human asked for counts', async () => {
    const t = await team(ctx, ['LoneWolf']);
    const { project } = t;
    const run = async (startedBy: string, n: number) => {
      const { workflowId } = await project.patterns.start('sequential-handoff', { title: `Self ${n}`, steps: [{ name: 'work', agent: 'LoneWolf', task: 'Tidy the docs', files: [`docs/${n}.md`] }] }, { startedBy });
      await until(project, workflowId, waitingFor('LoneWolf'));
      await project.patterns.done(workflowId, t.me('LoneWolf'), { summary: 'tidied', handoff: goodHandoff('Tidied the docs and fixed the broken links', [`docs/${n}.md`]) });
      expect((await project.patterns.result(workflowId)).outcome).toBe('completed');
    };
    // Twice, the agent's own run with itself as the only member (the default trustAfterTasks is 2).
    await run('LoneWolf', 1);
    await run('LoneWolf', 2);
    expect(await project.agents.get('LoneWolf')).toMatchObject({ successfulTasks: 0, trust: 'new' });
    // A human asked for this one: the step counts.
    await run('alice', 3);
    expect(await project.agents.get('LoneWolf')).toMatchObject({ successfulTasks: 1, trust: 'new' });
  });

  it('onboarding: the welcome comes from the human who introduced, the team answers them, and the new agent and its lead may message each other during the starter task', async () => {
    const t = await team(ctx, ['SilverPhoenix', 'WiseOwl', 'CalmRiver'], ['alice'], { trustAfterTasks: 1 });
    const { project } = t;
    await project.channel.update(recordSuccessUpdate, { actor: { kind: 'workflow', workflowId: 'earlier-run', onBehalfOf: 'WiseOwl' } });
    const { workflowId: id } = await project.patterns.start(
      'onboarding',
      { agent: 'SilverPhoenix', lead: 'WiseOwl', starterTask: { task: 'Fix the README install steps', files: ['README.md'] }, deadlines: { reminderAfter: '10m', escalateAfter: '20m' } },
      { startedBy: 'alice' },
    );
    await eventually('the introduction phase', () => project.onboarding.view(id), (v) => v.phase === 'introduction');
    await project.onboarding.introduce(id, t.me('alice'), 'SilverPhoenix joins us on the docs.');
    const welcome = await eventually('the welcome', () => project.messages.inbox(t.actor('CalmRiver'), { limit: 50 }), (p) => p.items.some((m) => m.subject === 'Welcome SilverPhoenix'));
    const item = welcome.items.find((m) => m.subject === 'Welcome SilverPhoenix')!;
    expect(item).toMatchObject({ from: 'alice', system: false });
    // The team acknowledges the welcome, to the human who wrote it.
    const ack = await project.messages.reply(t.actor('CalmRiver'), item.id, { body: 'Welcome aboard!' });
    expect(ack.deliveredTo).toEqual(['alice']);

    await eventually('the starter task', () => project.onboarding.view(id), (v) => v.phase === 'starter-task' && v.starterReview !== null);
    // Auto-approved contact with the lead (the seed's "Ask questions quickly").
    expect((await project.messages.send(t.actor('SilverPhoenix'), { to: ['WiseOwl'], subject: 'question', body: 'Which README section first?' })).deliveredTo).toEqual(['WiseOwl']);
    expect((await project.messages.send(t.actor('WiseOwl'), { to: ['SilverPhoenix'], subject: 'answer', body: 'Start with the install steps.' })).deliveredTo).toEqual(['SilverPhoenix']);
    await project.patterns.cancel(id, t.me('alice'), 'contact checked');
  });

  it('a cancel that cannot apply answers at once: a run of another project is refused before anything is sent', async () => {
    const a = await team(ctx, ['QuietHarbor'], ['alice']);
    const b = await team(ctx, [], ['carol']);
    const { workflowId: id } = await a.project.patterns.start('sequential-handoff', { title: 'Elsewhere', steps: [{ name: 'one', agent: 'QuietHarbor', task: 'first', files: ['a/**'] }] }, { startedBy: 'alice' });
    await until(a.project, id, waitingFor('QuietHarbor'));
    await expect(b.project.patterns.cancel(id, b.me('carol'), 'not mine')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(`is not a pattern run of project ${b.key}`) });
    const cli = await runBaton(cliShells(api, b, dir).human('carol'), '--json', 'cancel', id, '--reason', 'not mine');
    expect(cli.code).toBe(2);
    expect((await a.project.patterns.status(id)).state).toBe('running');
    await a.project.patterns.cancel(id, a.me('alice'), 'done');
  });

  it('words match the state: what done leads to, the escalation and why, running runs, plan errors that name the flag, LAST ACTIVE, and the starter told when a pipeline finishes', async () => {
    const t = await team(ctx, ['BoldMountain', 'SwiftEagle', 'GreenCastle']);
    const { project } = t;
    const as = cliShells(api, t, dir);
    const registered = Date.parse((await project.agents.get('BoldMountain')).lastActiveAt);

    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Sign-up',
        deadlines: { reminderAfter: '1s', escalateAfter: '2s' },
        steps: [
          { name: 'database', agent: 'BoldMountain', task: 'Create the users migration', files: ['db/**'] },
          { name: 'backend', agent: 'SwiftEagle', task: 'Implement POST /users', files: ['src/api/**'] },
        ],
      },
      { startedBy: 'alice' },
    );
    await until(project, id, waitingFor('BoldMountain'));
    await project.patterns.progress(id, t.me('BoldMountain'), 'drafting');
    const afterProgress = await eventually('LAST ACTIVE after progress', () => project.agents.get('BoldMountain'), (m) => Date.parse(m.lastActiveAt) > registered);

    // Silence: escalated, and `baton status` says why, from the state.
    const escalated = await until(project, id, (s) => s.escalated, 15_000);
    expect(escalated.escalations).toEqual([expect.objectContaining({ step: 'database', text: expect.stringContaining('BoldMountain has not reported on step "database"') })]);
    const printed = await runBaton(as.agent('BoldMountain'), 'status', id);
    expect(printed.stdout).toContain('escalated to the humans (database');
    expect(printed.stdout).toContain('BoldMountain has not reported on step "database"');

    const first = await project.patterns.done(id, t.me('BoldMountain'), { summary: 'users table ready', handoff: goodHandoff('Created the users table with a unique email index', ['db/migrations/001_users.sql']) });
    expect(first.message).toBe('Done accepted; the step\'s lease on db/** is released with the handoff; SwiftEagle (step "backend") gets your handoff with their task.');
    await until(project, id, waitingFor('SwiftEagle'));
    await eventually('LAST ACTIVE after done', () => project.agents.get('BoldMountain'), (m) => Date.parse(m.lastActiveAt) > Date.parse(afterProgress.lastActiveAt));
    const last = await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'endpoint live', handoff: goodHandoff('Implemented POST /users with validation', ['src/api/users.ts']) });
    expect(last.message).toContain('this was the last step');
    expect(last.message).not.toContain('next step');
    expect((await project.patterns.result(id)).outcome).toBe('completed');
    // Whoever started it hears that it finished.
    const told = await inboxHas(t, 'alice', (m) => m.subject === '[sequential-handoff] Sign-up completed');
    expect(told.body).toContain('database (BoldMountain): done - users table ready');

    // Nothing runs any more: the list says so instead of "No patterns yet".
    let running = await runBaton(as.agent('GreenCastle'), 'patterns', '--running');
    for (let i = 0; i < 20 && !running.stdout.includes('No running patterns'); i++) running = await runBaton(as.agent('GreenCastle'), 'patterns', '--running');
    expect(running.stdout).toContain('No running patterns');

    // Parallel work: done says the files stay reserved until every share is done.
    const { workflowId: par } = await project.patterns.start(
      'parallel-development',
      { title: 'Two parts', workers: [{ agent: 'SwiftEagle', task: 'API', files: ['src/api/**'] }, { agent: 'GreenCastle', task: 'UI', files: ['web/**'] }], integration: { agent: 'BoldMountain', task: 'Run the E2E suite' } },
      { startedBy: 'alice' },
    );
    await until(project, par, (s) => s.assigned.length === 2);
    const share = await project.patterns.done(par, t.me('SwiftEagle'), { summary: 'API done', handoff: goodHandoff('Built the API for the two parts feature', ['src/api/parts.ts']) });
    expect(share.message).toContain('your files stay reserved until every share is done');
    expect((await project.reservations.list({ holder: 'SwiftEagle' })).total).toBe(1);
    await project.patterns.cancel(par, t.me('alice'), 'checked');

    // Plan errors name the flag or field and an example.
    const noIntegration = await runBaton(as.agent('SwiftEagle'), 'start', 'parallel-development', '--title', 'x', '--worker', 'SwiftEagle:a/**:A', '--worker', 'GreenCastle:b/**:B');
    expect(noIntegration.code).toBe(2);
    expect(noIntegration.stderr).toContain('integration: is required; give --integration-command <cmd> (e.g. --integration-command "npm test"), or --integration-agent <agent>');
    const noReviewer = await runBaton(as.human('alice'), 'start', 'full-stack', '--title', 'x', '--database', 'BoldMountain:db/**:db', '--backend', 'SwiftEagle:api/**:api', '--frontend', 'GreenCastle:web/**:web', '--test', 'BoldMountain:e2e/**:e2e');
    expect(noReviewer.stderr).toContain('reviewer: is required; give --reviewer <name> (plan field "reviewer"), e.g. --reviewer alice');
    const newAgents = await runBaton(as.human('alice'), 'start', 'full-stack', '--title', 'x', '--database', 'BoldMountain:db/**:db', '--backend', 'SwiftEagle:api/**:api', '--frontend', 'GreenCastle:web/**:web', '--test', 'BoldMountain:e2e/**:e2e', '--reviewer', 'alice');
    expect(newAgents.stderr).toContain('pass --allow-new-agents (plan field requireTrusted: false)');
    const nonsense = await runBaton(as.agent('SwiftEagle'), 'start', 'nonsense');
    expect(nonsense.code).toBe(2);
    for (const name of ['parallel-development', 'sequential-handoff', 'code-review', 'full-stack-feature', 'emergency-response', 'onboarding']) expect(nonsense.stderr).toContain(name);
  });
});
