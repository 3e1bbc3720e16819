import { randomBytes } from 'node:crypto';
import type { RunningApi } from '../../src/api/main';
import { approveSignal } from '../../src/patterns/kit/api';
import { createTestContext, type TestContext } from '../support/temporal';
import { asMember, callServer, goodHandoff, has, inboxHas, recordHistory, runPath, team, until, waitingFor } from './support';

/** Short deadlines so reminders and escalations happen within seconds. */
const fast = { deadlines: { reminderAfter: '2s', escalateAfter: '4s' }, reservationRetry: '1s' };

describe('Sequential Handoff (real server, scripted agents and human)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('runs a pipeline end to end: tasks with handoffs, only the assignee reports, vague handoffs refused, reminder then escalation, result lists every step', async () => {
    const t = await team(ctx, ['BoldMountain', 'SwiftEagle']);
    const { project } = t;
    const started = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'User sign-up',
        ...fast,
        steps: [
          { name: 'database', agent: 'BoldMountain', task: 'Create the users migration', files: ['db/migrations/**'] },
          { name: 'backend', agent: 'SwiftEagle', task: 'Implement POST /users', files: ['src/api/users.ts'] },
        ],
      },
      { startedBy: 'alice' },
    );
    const id = started.workflowId;
    expect(id).toMatch(new RegExp(`^baton/${project.key}/sequential-handoff/user-sign-up-[0-9a-f]{6}$`));

    expect((await until(project, id, waitingFor('BoldMountain'))).startedBy).toBe('alice');
    // Files are reserved for the agent, by the workflow.
    const leases = await project.reservations.list();
    expect(leases.reservations.map((r) => [r.holder, r.pattern, r.via])).toEqual([['BoldMountain', 'db/migrations/**', id]]);

    // Only the assigned agent may report (who may present whose token is the server's test below).
    await expect(project.patterns.progress(id, t.me('SwiftEagle'), 'I am helping')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('SwiftEagle has no open step') });
    await project.patterns.progress(id, t.me('BoldMountain'), 'migration drafted');

    // A vague handoff is refused, saying what is missing, and counted.
    const vague = await project.patterns.done(id, t.me('BoldMountain'), { summary: 'done', handoff: { whatWasDone: 'done', where: [], howToTest: '' } }).catch((e) => e);
    expect(vague).toMatchObject({ code: 'INVALID_INPUT' });
    expect(vague.message).toContain('whatWasDone');
    expect(vague.message).toContain('where is empty');
    expect(vague.message).toContain('howToTest is empty');
    const afterRefusal = await project.patterns.status(id);
    expect(afterRefusal.refusedHandoffs).toEqual({ BoldMountain: 1 });
    expect(afterRefusal.step).toBe('database');

    await project.patterns.done(id, t.me('BoldMountain'), { summary: 'users table ready', handoff: goodHandoff('Created the users table with a unique email index', ['db/migrations/001_users.sql']) });

    // The next agent's task names the workflow, the step, the files and the handoff.
    await until(project, id, waitingFor('SwiftEagle'));
    const task = await inboxHas(t, 'SwiftEagle', (m) => m.subject.includes('step "backend" is yours'));
    expect(task?.body).toContain(id);
    expect(task?.body).toContain('src/api/users.ts');
    expect(task?.body).toContain('Handoff from BoldMountain');
    expect(task?.body).toContain('db/migrations/001_users.sql');
    expect((await project.reservations.list()).reservations.map((r) => r.holder)).toEqual(['SwiftEagle']);

    // Silence: a reminder to the agent, then an escalation to the humans (visible in the status).
    const escalated = await until(project, id, (s) => s.escalated, 15_000);
    expect(escalated.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['reminder', 'escalated']));
    expect(escalated.waitingFor).toEqual(['SwiftEagle', 'human']);
    await inboxHas(t, 'alice', (m) => m.subject.includes('needs attention') && m.body.includes('SwiftEagle has not reported'));

    await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'endpoint live', handoff: goodHandoff('Implemented POST /users with validation and tests', ['src/api/users.ts']) });
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.steps.map((s) => [s.name, s.agent, s.outcome, s.handoff?.where])).toEqual([
      ['database', 'BoldMountain', 'done', ['db/migrations/001_users.sql']],
      ['backend', 'SwiftEagle', 'done', ['src/api/users.ts']],
    ]);
    for (const s of result.steps) expect(s.durationMs).toBeGreaterThan(0);
    expect((await project.reservations.list()).total).toBe(0);
    // Accepted done steps count towards trust.
    expect((await project.agents.get('SwiftEagle')).successfulTasks).toBe(1);
    await recordHistory(ctx, id, 'pipeline-one-write-per-handoff');
    // The project workflow served this whole run (reservations, messages, credentials, trust).
    await recordHistory(ctx, project.channel.workflowId, 'served-a-pattern-run-by-transfers');
  });

  it('through the Baton server a report is made as the token\'s owner: a token presented under another name, an unknown token or none is refused (401) before the workflow sees it; another agent\'s own report is FORBIDDEN (403)', async () => {
    const t = await team(ctx, ['BoldMountain', 'SwiftEagle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      { title: 'Reports by token', deadlines: { reminderAfter: '10m', escalateAfter: '20m' }, steps: [{ name: 'database', agent: 'BoldMountain', task: 'Create the users migration', files: ['db/**'] }] },
      { startedBy: 'alice' },
    );
    const before = await until(project, id, waitingFor('BoldMountain'));
    const progress = `${runPath(id)}/progress`;

    // SwiftEagle's token presented as BoldMountain's: the server names the owner and refuses.
    const borrowed = await callServer(api, t, t.tokens.SwiftEagle, progress, { note: 'hi' }, { member: 'BoldMountain' });
    expect(borrowed).toMatchObject({ status: 401, error: { code: 'UNAUTHORIZED', message: expect.stringContaining("This token is SwiftEagle's, not BoldMountain's") } });
    // A well-formed token nobody holds, and no token at all.
    const unknown = await callServer(api, t, `bt_${randomBytes(24).toString('hex')}`, progress, { note: 'hi' });
    expect(unknown).toMatchObject({ status: 401, error: { code: 'UNAUTHORIZED', message: expect.stringContaining('belongs to no member') } });
    expect(await callServer(api, t, undefined, progress, { note: 'hi' })).toMatchObject({ status: 401, error: { code: 'UNAUTHORIZED', message: expect.stringContaining('Bearer') } });
    // A body may not say who reports: identity comes from the token only.
    const named = await callServer(api, t, t.tokens.SwiftEagle, progress, { note: 'hi', agent: 'BoldMountain' });
    expect(named).toMatchObject({ status: 400, error: { code: 'INVALID_INPUT', message: expect.stringContaining('"agent"') } });
    // SwiftEagle as itself reaches the workflow, which refuses an agent with no open step.
    const other = await callServer(api, t, t.tokens.SwiftEagle, progress, { note: 'I am helping' });
    expect(other).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining('SwiftEagle has no open step') } });
    await expect(asMember(api, t, 'SwiftEagle').patterns.done(id, { summary: 'done', handoff: goodHandoff('Created the users migration', ['db/001.sql']) })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // Nothing of that changed the run.
    const after = await project.patterns.status(id);
    expect(after.timeline).toEqual(before.timeline);
    expect(after.steps).toEqual(before.steps);
    expect(after.assigned).toEqual(before.assigned);

    // The owner's own token works through the same door, and the report is recorded as BoldMountain's.
    expect(await asMember(api, t, 'BoldMountain').patterns.progress(id, 'migration drafted')).toMatchObject({ accepted: true, step: 'database' });
    const noted = await project.patterns.status(id);
    expect(noted.timeline.filter((e) => e.kind === 'progress').map((e) => [e.actor, e.text])).toEqual([['BoldMountain', 'migration drafted']]);
    await project.patterns.cancel(id, t.me('alice'), 'token checks done');
  });

  it('sends a failed step to a human: an agent may not approve (refused by the client, the server and the workflow, and recorded), the human sends it back through the server, the retry completes', async () => {
    const t = await team(ctx, ['GreenCastle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Login form',
        deadlines: { reminderAfter: '20s', escalateAfter: '40s' },
        steps: [{ name: 'frontend', agent: 'GreenCastle', task: 'Build the login form', files: ['web/login/**'], onFail: 'human' }],
      },
      { startedBy: 'alice' },
    );
    await until(project, id, waitingFor('GreenCastle'));
    await project.patterns.fail(id, t.me('GreenCastle'), 'the design is missing');
    const waiting = await until(project, id, (s) => s.needsHuman);
    expect(waiting.decision?.question).toContain('the design is missing');

    // `baton approvals` finds it through the search attribute (eventually consistent visibility).
    let approvals = await project.patterns.approvals();
    for (let i = 0; i < 40 && !approvals.some((a) => a.workflowId === id); i++) {
      await new Promise((r) => setTimeout(r, 250));
      approvals = await project.patterns.approvals();
    }
    expect(approvals).toEqual([expect.objectContaining({ workflowId: id, pattern: 'sequential-handoff', decisionId: waiting.decision!.id, question: expect.stringContaining('design is missing') })]);

    // An agent's approval is refused by the typed client, by the server (403) and by the workflow, and
    // each attempt is recorded by the run where people look (the README says refused approvals are).
    await expect(project.patterns.approve(id, t.me('GreenCastle'))).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('only a human may approve') });
    const byAgent = await callServer(api, t, t.tokens.GreenCastle, `${runPath(id)}/approve`, { comment: 'ship it' });
    expect(byAgent).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining('GreenCastle is an agent; only a human may approve') } });
    await expect(asMember(api, t, 'GreenCastle').patterns.reject(id, 'no')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const refused = await until(project, id, (s) => s.refused.length === 3);
    expect(refused.refused.map((r) => [r.who, r.action, r.decisionId])).toEqual([
      ['GreenCastle', 'approve', waiting.decision!.id],
      ['GreenCastle', 'approve', waiting.decision!.id],
      ['GreenCastle', 'reject', waiting.decision!.id],
    ]);
    for (const r of refused.refused) expect(r.reason).toContain('only a human may decide');
    expect(refused).toMatchObject({ needsHuman: true, decision: { id: waiting.decision!.id } });
    // An operator's raw signal naming an agent as approver reaches the workflow too, which refuses and records it.
    await ctx.client.workflow.getHandle(id).signal(approveSignal, { approver: 'GreenCastle' });
    expect((await until(project, id, (s) => s.refused.length === 4)).decision?.id).toBe(waiting.decision!.id);

    const decided = await asMember(api, t, 'alice').patterns.approve(id, 'design is in Figma now');
    // The answer repeats what was approved.
    expect(decided).toMatchObject({ workflowId: id, decided: true, decision: { id: waiting.decision!.id, question: expect.stringContaining('the design is missing') } });
    const retry = await until(project, id, (s) => waitingFor('GreenCastle')(s) && s.steps[0]!.attempts === 2);
    // The decision is recorded as the token's owner's.
    expect(retry.timeline.filter((e) => e.kind === 'approved').map((e) => [e.actor, e.text])).toEqual([['alice', 'design is in Figma now']]);
    await inboxHas(t, 'GreenCastle', (m) => m.body.includes('design is in Figma now'));
    await project.patterns.done(id, t.me('GreenCastle'), { summary: 'form built', handoff: goodHandoff('Built the login form with email and password fields', ['web/login/form.tsx']) });
    expect((await project.patterns.result(id)).outcome).toBe('completed');
    await recordHistory(ctx, id, 'failed-step-decision-by-id');
  });

  it('waits on a reservation conflict, tells the holder, and resumes when the holder releases', async () => {
    const t = await team(ctx, ['ClearRiver', 'BoldMountain']);
    const { project } = t;
    await project.reservations.reserve({ actor: t.actor('BoldMountain'), patterns: ['src/api/**'], reason: 'refactoring the API' });
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'API tests',
        ...fast,
        steps: [{ name: 'tests', agent: 'ClearRiver', task: 'Write API tests', files: ['src/api/users.test.ts'] }],
      },
      { startedBy: 'alice' },
    );
    const blocked = await until(project, id, has('waiting-for-files'));
    expect(blocked.waitingFor).toEqual(['BoldMountain']);
    expect(blocked.timeline.find((e) => e.kind === 'waiting-for-files')?.text).toContain('src/api/** (held by BoldMountain');
    await inboxHas(t, 'BoldMountain', (m) => m.subject === 'ClearRiver waits for files you hold' && m.body.includes(id));

    await project.reservations.release({ actor: t.actor('BoldMountain'), all: true });
    await until(project, id, waitingFor('ClearRiver'), 15_000);
    expect((await project.reservations.list()).reservations.map((r) => r.holder)).toEqual(['ClearRiver']);
    await project.patterns.done(id, t.me('ClearRiver'), { summary: 'tests written', handoff: goodHandoff('Added API tests for user creation', ['src/api/users.test.ts']) });
    expect((await project.patterns.result(id)).outcome).toBe('completed');
  });

  it('resumes after the worker is killed mid-pattern', async () => {
    const local = await createTestContext();
    try {
      const worker = await local.startWorker();
      const t = await team(local, ['QuietHarbor']);
      const { project } = t;
      const { workflowId: id } = await project.patterns.start(
        'sequential-handoff',
        {
          title: 'Crash test',
          deadlines: { reminderAfter: '30s', escalateAfter: '60s' },
          steps: [
            { name: 'one', agent: 'QuietHarbor', task: 'first', files: ['a/**'] },
            { name: 'two', agent: 'QuietHarbor', task: 'second', files: ['b/**'] },
          ],
        },
        { startedBy: 'alice' },
      );
      await until(project, id, waitingFor('QuietHarbor'));
      await worker.stop();
      await local.startWorker();
      await project.patterns.done(id, t.me('QuietHarbor'), { summary: 'one done', handoff: goodHandoff('Finished the first part of the work', ['a/x.ts']) });
      await until(project, id, waitingFor('QuietHarbor', 'two'));
      await project.patterns.done(id, t.me('QuietHarbor'), { summary: 'two done', handoff: goodHandoff('Finished the second part of the work', ['b/y.ts']) });
      const result = await project.patterns.result(id);
      expect(result.outcome).toBe('completed');
      expect(result.steps.map((s) => s.name)).toEqual(['one', 'two']);
    } finally {
      await local.close();
    }
   // A worker shutdown waits for its pollers: on a loaded 2-core machine that alone can take a while.
  }, 240_000);
});
