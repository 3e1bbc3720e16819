import type { RunningApi } from '../../src/api/main';
import { asMember, callServer, eventually, goodHandoff, inboxSubjects, recordHistory, team } from './support';
import { createTestContext, type TestContext } from '../support/temporal';


const fast = { deadlines: { reminderAfter: '5s', escalateAfter: '10s' }, reservationRetry: '1s' };

describe('Full-Stack Feature (real server): composed of child workflows', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('database, then backend + frontend (child Parallel Development) with the API contract, E2E on shared leases, then a child Code Review', async () => {
    const c = await team(ctx, ['BoldMountain', 'SwiftEagle', 'GreenCastle', 'ClearRiver'], ['alice']);
    const { project } = c;
    const plan = {
      title: 'User authentication',
      ...fast,
      database: { agent: 'BoldMountain', task: 'Create the users table and run the migration', files: ['db/migrations/002_users.sql'] },
      backend: { agent: 'SwiftEagle', task: 'Implement the auth API', files: ['src/api/auth/**'] },
      frontend: { agent: 'GreenCastle', task: 'Build the login form', files: ['web/login/**'] },
      test: { agent: 'ClearRiver', files: ['e2e/auth.spec.ts'] },
      reviewer: 'alice',
    };
    // Complex work is for trusted agents unless the plan says otherwise; only a human broadcasts the plan.
    await expect(project.patterns.start('full-stack-feature', plan, { startedBy: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(project.patterns.start('full-stack-feature', { ...plan, requireTrusted: false }, { startedBy: 'BoldMountain' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Through the server the starter is the token's owner: an agent's start is refused, and nothing starts.
    const byAgent = await callServer(api, c, c.tokens.BoldMountain, '/patterns', { pattern: 'full-stack', plan: { ...plan, requireTrusted: false, id: 'by-agent' } });
    expect(byAgent).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining('BoldMountain is an agent') } });
    await expect(project.patterns.status('full-stack-feature/by-agent')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const { workflowId: id } = await asMember(api, c, 'alice').patterns.start('full-stack', { ...plan, requireTrusted: false });
    expect((await eventually('the start', () => project.patterns.status(id), (s) => s.timeline.length > 0)).startedBy).toBe('alice');
    const base = id.split('/').pop();
    await eventually('the plan broadcast', () => inboxSubjects(c, 'ClearRiver'), (m) => m.some((x) => x.subject === '[full-stack] plan: User authentication'));

    // Database, then "DB ready" to Backend.
    await eventually('the database step', () => project.patterns.status(id), (s) => s.step === 'database' && s.waitingFor.includes('BoldMountain'));
    await project.patterns.done(id, c.me('BoldMountain'), { summary: 'users table migrated', handoff: goodHandoff('Created the users table with a unique email index', ['db/migrations/002_users.sql']) });
    await eventually('DB ready', () => inboxSubjects(c, 'SwiftEagle'), (m) => m.some((x) => x.subject === '[full-stack] DB ready: User authentication' && x.body.includes('unique email index')));

    // Backend and Frontend in parallel: a Parallel Development child workflow.
    const layers = `baton/${project.key}/parallel-development/${base}-layers`;
    await eventually('both tasks', () => project.patterns.status(layers), (s) => s.timeline.filter((e) => e.kind === 'assigned').length === 2);
    const leases = (await project.reservations.list()).reservations.map((r) => [r.holder, r.pattern, r.exclusive, r.via]);
    expect(leases).toEqual(expect.arrayContaining([['SwiftEagle', 'src/api/auth/**', true, layers], ['GreenCastle', 'web/login/**', true, layers]]));
    await project.patterns.done(layers, c.me('GreenCastle'), { summary: 'login form without API calls', handoff: goodHandoff('Built the login form with client-side validation', ['web/login/form.tsx']) });
    // What Backend hands over (the seed's "messages FrontendAgent with API contract") reaches Frontend whole,
    // through the child workflow: what was done, where, how to test, and the contract.
    const contract = 'POST /auth/login {email,password} -> 200 {token} | 401 {error}\nPOST /auth/logout -> 204';
    await project.patterns.done(layers, c.me('SwiftEagle'), {
      summary: 'POST /auth/login returns a JWT; 401 on bad credentials',
      handoff: { ...goodHandoff('API contract: POST /auth/login {email,password} -> 200 {token} or 401 {error}', ['src/api/auth/login.ts']), contract },
    });

    // Frontend integrates against Backend's contract (the child's integration step).
    await eventually('the integration step', () => project.patterns.status(layers), (s) => s.step === 'integration' && s.waitingFor.includes('GreenCastle'));
    const inbox = await eventually('the integration task', () => inboxSubjects(c, 'GreenCastle'), (m) => m.some((x) => x.subject.includes('step "integration" is yours')));
    const task = inbox.find((m) => m.subject.includes('step "integration" is yours'))!.body;
    expect(task).toContain('POST /auth/login returns a JWT');
    expect(task).toContain('What was done: API contract: POST /auth/login {email,password} -> 200 {token} or 401 {error}');
    expect(task).toContain('Where: src/api/auth/login.ts');
    expect(task).toContain('  Contract:\n    POST /auth/login {email,password} -> 200 {token} | 401 {error}\n    POST /auth/logout -> 204');
    await project.patterns.done(layers, c.me('GreenCastle'), { summary: 'login calls the API', handoff: goodHandoff('Wired the login form to POST /auth/login and stored the token', ['web/login/form.tsx']) });
    expect((await project.patterns.result(layers)).outcome).toBe('completed');

    // E2E tests on shared leases of every file of the feature.
    await eventually('the e2e step', () => project.patterns.status(id), (s) => s.step === 'e2e tests' && s.waitingFor.includes('ClearRiver'));
    const shared = (await project.reservations.list()).reservations;
    expect(shared.map((r) => [r.holder, r.exclusive]).every(([h, x]) => h === 'ClearRiver' && x === false)).toBe(true);
    expect(shared.map((r) => r.pattern).sort()).toEqual(['db/migrations/002_users.sql', 'e2e/auth.spec.ts', 'src/api/auth/**', 'web/login/**']);
    await project.patterns.done(id, c.me('ClearRiver'), { summary: '12 E2E tests pass', handoff: goodHandoff('Ran the auth E2E suite: login, logout, bad password', ['e2e/auth.spec.ts']) });

    // Code Review (a child workflow) closes it.
    const review = `baton/${project.key}/code-review/${base}-review`;
    await eventually('the review implementation step', () => project.patterns.status(review), (s) => s.step === 'implementation' && s.waitingFor.includes('SwiftEagle'));
    await project.patterns.done(review, c.me('SwiftEagle'), { summary: 'feature ready for review', handoff: goodHandoff('The auth feature across db, api and web, E2E green', ['src/api/auth/login.ts', 'web/login/form.tsx']) });
    await eventually('the review', () => project.patterns.status(review), (s) => s.needsHuman);
    expect((await project.patterns.approvals()).map((a) => a.workflowId)).toContain(review);
    // A decision on a child workflow through the server, addressed by the child's own id.
    expect(await asMember(api, c, 'alice').patterns.approve(review, 'looks good')).toMatchObject({ workflowId: review, decided: true });
    await eventually('the merge step', () => project.patterns.status(review), (s) => s.step === 'merge' && s.waitingFor.includes('SwiftEagle'));
    await project.patterns.done(review, c.me('SwiftEagle'), { summary: 'merged as 9f1c2e' });

    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.details).toMatchObject({ children: { layers, review } });
    expect(result.steps.map((s) => [s.name, s.agent, s.outcome])).toEqual([
      ['database', 'BoldMountain', 'done'],
      ['e2e tests', 'ClearRiver', 'done'],
    ]);
    expect((await project.reservations.list()).total).toBe(0);
    // The children are listed with the project's patterns.
    const listed = (await project.patterns.list()).map((l) => l.workflowId);
    expect(listed).toEqual(expect.arrayContaining([id, layers, review]));

    await recordHistory(ctx, id, 'contract-through-children');
    await recordHistory(ctx, layers, 'layers-child-integration-with-contract');
  });
});
