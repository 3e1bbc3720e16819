import os from 'node:os';
import type { RunningApi } from '../../src/api/main';
import { recordSuccessUpdate } from '../../src/workflows/project/directory-api';
import { createTestContext, type TestContext } from '../support/temporal';
import { waitingForFiles } from '../../src/patterns/cli';
import { asMember, callServer, goodHandoff, inboxHas, recordHistory, runPath, team, until, waitingFor } from './support';

const fast = { deadlines: { reminderAfter: '20s', escalateAfter: '40s' }, reservationRetry: '1s' };

describe('Code Review (real server, scripted agents and human)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('refuses the author as reviewer (client and workflow) and an untrusted agent reviewer', async () => {
    const t = await team(ctx, ['SwiftEagle', 'BoldMountain']);
    const plan = { title: 'Auth API', author: 'SwiftEagle', reviewer: 'swifteagle', task: 'Implement login', files: ['src/auth/**'] };
    await expect(t.project.patterns.start('code-review', plan, { startedBy: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('cannot review it') });
    // Started without the client's checks, the workflow refuses it too.
    const handle = await ctx.client.workflow.start('codeReviewWorkflow', { workflowId: `baton/${t.project.key}/code-review/self`, taskQueue: ctx.taskQueue, args: [{ project: t.project.key, plan, startedBy: 'alice' }] });
    await expect(handle.result()).rejects.toMatchObject({ cause: expect.objectContaining({ type: 'INVALID_INPUT', message: expect.stringContaining('cannot review it') }) });
    await expect(t.project.patterns.start('code-review', { ...plan, reviewer: 'BoldMountain' }, { startedBy: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('new agent') });
    // Through the server the same plan check answers 400, and nothing starts.
    const viaServer = await callServer(api, t, t.tokens.SwiftEagle, '/patterns', { pattern: 'code-review', plan: { ...plan, id: 'self-via-server' } });
    expect(viaServer).toMatchObject({ status: 400, error: { code: 'INVALID_INPUT', message: expect.stringContaining('cannot review it') } });
    await expect(t.project.patterns.status('code-review/self-via-server')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('loops through a revision: exclusive lease, released before review, shared lease for the reviewer, required vs suggestions, then the merge command runs', async () => {
    const t = await team(ctx, ['SwiftEagle', 'ClearRiver'], ['alice'], { trustAfterTasks: 1 });
    const { project } = t;
    // ClearRiver earned trust in an earlier pattern run (recorded by a workflow, never claimed).
    await project.channel.update(recordSuccessUpdate, { actor: { kind: 'workflow', workflowId: 'earlier-run', onBehalfOf: 'ClearRiver' } });
    const { workflowId: id } = await project.patterns.start(
      'code-review',
      {
        title: 'Auth API',
        ...fast,
        author: 'SwiftEagle',
        reviewer: 'ClearRiver',
        task: 'Implement POST /login',
        files: ['src/auth/**'],
        maxRevisions: 2,
        merge: { command: 'echo merged-ok' },
        workdir: os.tmpdir(),
      },
      { startedBy: 'alice' },
    );

    await until(project, id, waitingFor('SwiftEagle', 'implementation'));
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.exclusive])).toEqual([['SwiftEagle', true]]);
    // The reviewer cannot review before it is asked to.
    await expect(project.codeReview.review(id, t.me('ClearRiver'), { verdict: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'login endpoint ready', handoff: goodHandoff('Implemented POST /login with bcrypt password check', ['src/auth/login.ts']) });

    await until(project, id, waitingFor('ClearRiver', 'review 1'));
    // The author's lease was released before the review; the reviewer holds a shared one.
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.exclusive])).toEqual([['ClearRiver', false]]);
    await expect(project.codeReview.review(id, t.me('ClearRiver'), { verdict: 'request_changes' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('required') });
    await project.codeReview.review(id, t.me('ClearRiver'), { verdict: 'request_changes', required: ['Rate-limit failed logins'], suggestions: ['Rename checkPw to verifyPassword'] });

    await until(project, id, waitingFor('SwiftEagle', 'revision 1'));
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.exclusive])).toEqual([['SwiftEagle', true]]);
    const revision = await inboxHas(t, 'SwiftEagle', (m) => m.subject.includes('"revision 1"'));
    expect(revision.body).toContain('Required changes:\n  - Rate-limit failed logins');
    expect(revision.body).toContain('Suggestions (optional):\n  - Rename checkPw to verifyPassword');
    await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'rate limit added', handoff: goodHandoff('Added a rate limiter of five failed logins per minute', ['src/auth/login.ts', 'src/auth/limiter.ts']) });

    await until(project, id, waitingFor('ClearRiver', 'review 2'));
    await inboxHas(t, 'ClearRiver', (m) => m.subject.includes('re-review requested'));
    await project.codeReview.review(id, t.me('ClearRiver'), { verdict: 'approve', suggestions: ['Add a metric later'] });

    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.details.rounds).toBe(2);
    expect(result.details.merge).toMatchObject({ command: 'echo merged-ok', exitCode: 0, output: expect.stringContaining('merged-ok') });
    expect(result.steps.map((s) => s.name)).toEqual(['implementation', 'review 1', 'revision 1', 'review 2', 'merge']);
    expect((await project.reservations.list()).total).toBe(0);
    expect((await project.agents.get('SwiftEagle')).successfulTasks).toBe(1);
    await recordHistory(ctx, id, 'revision-then-merge-in-the-checkout');
  });

  it('with a human reviewer: waits in `approvals`, reject requests changes, approve merges (the author confirms)', async () => {
    const t = await team(ctx, ['GreenCastle'], ['alice', 'bob']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start('code-review', { title: 'Login form', ...fast, author: 'GreenCastle', reviewer: 'alice', task: 'Build the login form', files: ['web/login/**'] }, { startedBy: 'bob' });
    await until(project, id, waitingFor('GreenCastle'));
    await project.patterns.done(id, t.me('GreenCastle'), { summary: 'form ready', handoff: goodHandoff('Built the login form with validation messages', ['web/login/form.tsx']) });

    await until(project, id, (s) => s.needsHuman && s.step === 'review 1');
    // Another human may not decide on alice's review: bob passes the server's door (a human), the decision's check refuses him.
    await expect(project.patterns.approve(id, t.me('bob'))).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Only alice') });
    expect(await callServer(api, t, t.tokens.bob, `${runPath(id)}/approve`, {})).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining('Only alice may decide on "review 1"') } });
    expect(await project.patterns.status(id)).toMatchObject({ needsHuman: true, step: 'review 1', refused: [] });
    expect(await asMember(api, t, 'alice').patterns.reject(id, 'Show a spinner while submitting')).toMatchObject({ decided: true });
    await until(project, id, waitingFor('GreenCastle', 'revision 1'));
    await project.patterns.done(id, t.me('GreenCastle'), { summary: 'spinner added', handoff: goodHandoff('Added a spinner while the form submits', ['web/login/form.tsx']) });
    await until(project, id, (s) => s.needsHuman && s.step === 'review 2');
    await project.patterns.approve(id, t.me('alice'), 'looks good');

    await until(project, id, waitingFor('GreenCastle', 'merge'));
    await project.patterns.done(id, t.me('GreenCastle'), { summary: 'merged as abc123' });
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.details.merge).toEqual({ by: 'GreenCastle', summary: 'merged as abc123' });
    expect((result.details.reviews as { verdict: string; by: string }[]).map((r) => [r.verdict, r.by])).toEqual([
      ['request_changes', 'alice'],
      ['approve', 'alice'],
    ]);
  });
  it('two approvals of one human at once: exactly one says approved, the other is told its answer came second', async () => {
    const t = await team(ctx, ['AmberCrane'], ['alice']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start('code-review', { title: 'Twice', ...fast, author: 'AmberCrane', reviewer: 'alice', task: 'Change the footer', files: ['web/footer/**'] }, { startedBy: 'alice' });
    await until(project, id, waitingFor('AmberCrane'));
    await project.patterns.done(id, t.me('AmberCrane'), { summary: 'footer done', handoff: goodHandoff('Changed the footer links and their tests', ['web/footer/links.tsx']) });
    await until(project, id, (s) => s.needsHuman && s.step === 'review 1');
    // Two terminals of alice, one click each: both see the decision pending and signal it.
    const answers = await Promise.allSettled([project.patterns.approve(id, t.me('alice'), 'LGTM'), project.patterns.approve(id, t.me('alice'), 'LGTM too')]);
    const decided = answers.filter((a) => a.status === 'fulfilled' && a.value.decided);
    const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(decided).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: expect.stringMatching(/^(CONFLICT|INVALID_STATE)$/) });
    const status = await project.patterns.status(id);
    expect(status.decisions?.filter((d) => d.approved && d.by === 'alice')).toHaveLength(1);
    // The run recorded which call took the decision and which one it refused.
    expect(status.decisions![0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the author's own lease stays its own (and the answer to done says so); an approval closes the decision at once, and a second one fails", async () => {
    const t = await team(ctx, ['ScarletMarsh'], ['alice']);
    const { project } = t;
    const own = await project.reservations.reserve({ actor: t.actor('ScarletMarsh'), patterns: ['web/login/form.tsx'], ttlSeconds: 3600, reason: 'my own fix' });
    if (own.status !== 'granted') throw new Error('the author could not reserve its own file');
    const { workflowId: id } = await project.patterns.start('code-review', { title: 'Login form', ...fast, author: 'ScarletMarsh', reviewer: 'alice', task: 'Build the login form', files: ['web/login/**'] }, { startedBy: 'alice' });
    await until(project, id, waitingFor('ScarletMarsh'));
    const done = await project.patterns.done(id, t.me('ScarletMarsh'), { summary: 'form ready', handoff: goodHandoff('Built the login form with validation messages', ['web/login/form.tsx']) });
    expect(done.message).toBe(
      "Done accepted; the step's lease on web/login/** is released with the handoff; you still hold your own lease on web/login/form.tsx over the step's files (the step never releases a lease you held before it: `baton release --pattern \"web/login/form.tsx\"` when you are done with it); alice is asked to review (with your handoff).",
    );
    expect(done.message).not.toContain('your lease is released');

    // The review waits for the author's own lease (alice's shared lease cannot be granted over it) and for alice's decision.
    const asked = await until(project, id, (s) => s.needsHuman && s.step === 'review 1' && s.timeline.some((e) => e.kind === 'waiting-for-files'));
    expect(asked.waitingFor).toEqual(expect.arrayContaining(['ScarletMarsh', 'alice']));
    // `baton status` says which file and who holds it, not only the names.
    expect(waitingForFiles(asked)).toMatch(/^alice waits for web\/login\/form\.tsx \(held by ScarletMarsh until .*, r-[0-9a-f]+\)$/);
    const decisionId = asked.decision!.id;
    expect(await asMember(api, t, 'alice').patterns.approve(id, 'LGTM')).toMatchObject({ decided: true, decision: { id: decisionId } });

    // Approved: no longer pending, though the run still waits for the author's file.
    const after = await project.patterns.status(id);
    expect(after).toMatchObject({ state: 'running', needsHuman: false, step: 'review 1', waitingFor: ['ScarletMarsh'] });
    expect(after.decision ?? undefined).toBeUndefined();
    expect(after.decisions?.map((d) => [d.id, d.approved, d.by])).toEqual([[decisionId, true, 'alice']]);

    // A second approval is an error (409), not "approved", by id or without.
    expect(await callServer(api, t, t.tokens.alice, `${runPath(id)}/approve`, { comment: 'LGTM' })).toMatchObject({ status: 409, error: { code: 'INVALID_STATE' } });
    expect(await callServer(api, t, t.tokens.alice, `${runPath(id)}/approve`, { comment: 'LGTM', decisionId })).toMatchObject({ status: 409, error: { code: 'CONFLICT', message: expect.stringContaining(`Decision ${decisionId} is no longer pending`) } });

    // The author releases its own file: the review goes on with alice's approval, to the merge.
    await project.reservations.release({ actor: t.actor('ScarletMarsh'), patterns: ['web/login/form.tsx'] });
    const merging = await until(project, id, waitingFor('ScarletMarsh', 'merge'));
    expect(waitingForFiles(merging)).toBeUndefined();
    await project.patterns.done(id, t.me('ScarletMarsh'), { summary: 'merged as abc123' });
    const result = await project.patterns.result(id);
    expect((result.details.reviews as { verdict: string; by: string }[]).map((r) => [r.verdict, r.by])).toEqual([['approve', 'alice']]);
    await recordHistory(ctx, id, 'decision-closed-on-answer-own-lease-kept');
    await recordHistory(ctx, project.channel.workflowId, 'served-a-review-over-an-own-lease');
  });
});
