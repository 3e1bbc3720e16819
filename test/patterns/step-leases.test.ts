import { createTestContext, type TestContext } from '../support/temporal';
import { goodHandoff, has, inboxHas, recordHistory, team, until, waitingFor } from './support';

/**
 * Leases of pattern steps (#16): a step reserves only what its agent lacks and releases only what it
 * took, keeps its own leases alive while open, and notices (and shows) a lease lost anyway.
 */
describe('leases of pattern steps (real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('a step waiting for files starts when their lease ends, not at its next retry (the project tells the run)', async () => {
    const t = await team(ctx, ['QuietOwl', 'AmberFox']);
    const { project } = t;
    const held = await project.reservations.reserve({ actor: t.actor('AmberFox'), patterns: ['api/users.ts'], ttlSeconds: 3600, reason: 'refactor' });
    if (held.status !== 'granted') throw new Error('the holder could not reserve');
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Wake on release',
        deadlines: { reminderAfter: '10m', escalateAfter: '20m' },
        // Retries 5 minutes apart: only the project's word can start the step within the test.
        reservationRetry: '5m',
        steps: [{ name: 'api', agent: 'QuietOwl', task: 'Add the endpoint', files: ['api/**'] }],
      },
      { startedBy: 'alice' },
    );
    await until(project, id, has('waiting-for-files'));
    await project.reservations.release({ actor: t.actor('AmberFox'), ids: [held.reservations[0]!.id] });
    const open = await until(project, id, waitingFor('QuietOwl'));
    expect(open.timeline.filter((e) => e.kind === 'reserved').map((e) => e.text)).toEqual([expect.stringContaining('exclusive lease for QuietOwl on api/**')]);
    await recordHistory(ctx, id, 'woken-when-files-freed');
    await recordHistory(ctx, project.channel.workflowId, 'woke-a-waiting-run');
    await project.patterns.cancel(id, t.me('alice'), 'test done');
  });

  it("never drops a lease the agent held before the step: it takes only what the agent lacks and releases only that", async () => {
    const t = await team(ctx, ['BoldMountain', 'SwiftEagle']);
    const { project } = t;
    const own = await project.reservations.reserve({ actor: t.actor('BoldMountain'), patterns: ['db/schema.sql'], ttlSeconds: 3600, reason: 'my own refactor' });
    if (own.status !== 'granted') throw new Error('the agent could not reserve its own file');
    const mine = own.reservations[0]!;

    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Users table',
        deadlines: { reminderAfter: '10m', escalateAfter: '20m' },
        leaseTtl: '2h',
        steps: [
          { name: 'database', agent: 'BoldMountain', task: 'Create the users migration', files: ['db/schema.sql', 'db/migrations/**'] },
          { name: 'backend', agent: 'SwiftEagle', task: 'Implement POST /users', files: ['src/api/**'] },
        ],
      },
      { startedBy: 'alice' },
    );
    const open = await until(project, id, waitingFor('BoldMountain'));
    // The step holds what it took; the agent's own lease is neither the step's nor changed.
    expect(open.leases?.map((l) => [l.agent, l.pattern, l.state])).toEqual([['BoldMountain', 'db/migrations/**', 'held']]);
    expect(open.timeline.find((e) => e.kind === 'reserved')?.text).toBe("exclusive lease for BoldMountain on db/migrations/**; BoldMountain's own db/schema.sql already covers db/schema.sql (left as it was)");
    const during = (await project.reservations.list({ holder: 'BoldMountain' })).reservations;
    expect(during.find((r) => r.pattern === 'db/schema.sql')).toEqual(mine);

    const done = await project.patterns.done(id, t.me('BoldMountain'), { summary: 'migration ready', handoff: goodHandoff('Created the users table migration with an email index', ['db/migrations/001_users.sql']) });
    expect(done.message).toContain("the step's lease on db/migrations/** is released with the handoff; you still hold your own lease on db/schema.sql over the step's files");
    await until(project, id, waitingFor('SwiftEagle'));
    // The step's lease went with the handoff; the agent's own lease is still its own, as it was.
    expect((await project.reservations.list({ holder: 'BoldMountain' })).reservations).toEqual([mine]);
    await project.patterns.cancel(id, t.me('alice'), 'lease check done');
    expect((await project.reservations.list({ holder: 'BoldMountain' })).reservations).toEqual([mine]);
  });

  it("takes no lease for files the agent's own broader lease covers (a glob or a directory), and leaves that lease as it was", async () => {
    const t = await team(ctx, ['CheerfulLemur', 'QuietHarbor']);
    const { project } = t;
    const own = await project.reservations.reserve({ actor: t.actor('CheerfulLemur'), patterns: ['src/api/**', 'docs'], ttlSeconds: 3600, reason: 'API work' });
    if (own.status !== 'granted') throw new Error('the agent could not reserve its own files');
    const mine = await project.reservations.list({ holder: 'CheerfulLemur' });

    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Users endpoint',
        deadlines: { reminderAfter: '10m', escalateAfter: '20m' },
        steps: [
          { name: 'api', agent: 'CheerfulLemur', task: 'Implement POST /users', files: ['src/api/users.ts', 'src/api/v1/*.ts', 'docs/api.md'] },
          { name: 'review', agent: 'QuietHarbor', task: 'Try it', files: ['test/api/**'] },
        ],
      },
      { startedBy: 'alice' },
    );
    const open = await until(project, id, waitingFor('CheerfulLemur'));
    expect(open.leases ?? []).toEqual([]);
    expect(open.timeline.find((e) => e.kind === 'reserved')?.text).toBe("no lease taken: CheerfulLemur's own src/api/**, docs already cover src/api/users.ts, src/api/v1/*.ts, docs/api.md (left as they were)");
    expect(await project.reservations.list({ holder: 'CheerfulLemur' })).toEqual(mine);

    const done = await project.patterns.done(id, t.me('CheerfulLemur'), { summary: 'endpoint live', handoff: goodHandoff('Implemented POST /users with validation', ['src/api/users.ts']) });
    expect(done.message).toContain('the step took no lease, so none is released; you still hold your own leases on src/api/**, docs over the step');
    await until(project, id, waitingFor('QuietHarbor'));
    expect(await project.reservations.list({ holder: 'CheerfulLemur' })).toEqual(mine);
    await project.patterns.cancel(id, t.me('alice'), 'lease check done');
    expect(await project.reservations.list({ holder: 'CheerfulLemur' })).toEqual(mine);
    await recordHistory(ctx, project.channel.workflowId, 'step-covered-by-own-lease');
  });

  it('a lease lost while the step is open (force-released) is noticed at the next report, shown in the status, and its agent told', async () => {
    const t = await team(ctx, ['ClearRiver']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      { title: 'Tests', deadlines: { reminderAfter: '10m', escalateAfter: '20m' }, steps: [{ name: 'tests', agent: 'ClearRiver', task: 'Write API tests', files: ['test/api/**'] }] },
      { startedBy: 'alice' },
    );
    const open = await until(project, id, waitingFor('ClearRiver'));
    const lease = open.leases![0]!;
    await project.reservations.forceRelease({ actor: t.actor('alice'), ids: [lease.id], reason: 'hotfix needs test/api' });
    await project.patterns.progress(id, t.me('ClearRiver'), 'half of the tests written');

    const lost = await until(project, id, has('lease-lost'));
    expect(lost.leases).toEqual([expect.objectContaining({ id: lease.id, pattern: 'test/api/**', state: 'lost' })]);
    const told = await inboxHas(t, 'ClearRiver', (m) => m.subject === 'Your step "tests" lost a reservation');
    expect(told.body).toContain(`test/api/**  (${lease.id})`);
    expect(told.body).toContain('baton reserve test/api/**');
    await project.patterns.cancel(id, t.me('alice'), 'lease check done');
  });
});
