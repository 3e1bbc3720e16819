import { MAX_UPDATES_PER_RUN } from '../../src/patterns/kit/run';
import { createTestContext, type TestContext } from '../support/temporal';
import { goodHandoff, recordHistory, team, until, waitingFor } from './support';

/**
 * A pattern run is bounded (#13): Temporal refuses every update of a run after 2,000 (`done`
 * included), so a step flooded with progress reports used to be stuck until a human cancelled it. The
 * run continues as new well before that, carrying its state, and the step goes on.
 */
describe('a pattern run under a flood of reports (real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('takes 2,050 progress reports on one step, then done, and completes: the run continued as new, carrying its step, leases, timeline and handoffs', async () => {
    const t = await team(ctx, ['BoldMountain', 'SwiftEagle']);
    const { project } = t;
    const { workflowId: id } = await project.patterns.start(
      'sequential-handoff',
      {
        title: 'Chatty step',
        deadlines: { reminderAfter: '1h', escalateAfter: '2h' },
        steps: [
          { name: 'database', agent: 'BoldMountain', task: 'Create the users migration', files: ['db/**'] },
          { name: 'backend', agent: 'SwiftEagle', task: 'Implement POST /users', files: ['src/api/**'] },
        ],
      },
      { startedBy: 'alice' },
    );
    await until(project, id, waitingFor('BoldMountain'));
    const before = (await project.reservations.list()).reservations.map((r) => r.id);

    const REPORTS = 2050;
    let sent = 0;
    const sender = async () => {
      while (sent < REPORTS) {
        const n = ++sent;
        await project.patterns.progress(id, t.me('BoldMountain'), `note ${n}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));

    const flooded = await project.patterns.status(id);
    expect(REPORTS).toBeGreaterThan(4 * MAX_UPDATES_PER_RUN);
    expect(flooded.generation).toBeGreaterThanOrEqual(Math.floor(REPORTS / MAX_UPDATES_PER_RUN));
    // The step is still open for its agent, on the same lease, with one "started" and one "assigned" (the
    // timeline keeps its beginning and the latest entries: the notes pushed the middle out).
    expect(flooded.assigned.map((a) => [a.step, a.agent])).toEqual([['database', 'BoldMountain']]);
    expect(flooded.leases?.map((l) => [l.id, l.state])).toEqual(before.map((leaseId) => [leaseId, 'held']));
    expect(flooded.timeline.filter((e) => e.kind === 'started' || e.kind === 'assigned')).toHaveLength(2);

    await project.patterns.done(id, t.me('BoldMountain'), { summary: 'users table ready', handoff: goodHandoff('Created the users table with a unique email index', ['db/migrations/001_users.sql']) });
    await until(project, id, waitingFor('SwiftEagle'));
    await project.patterns.done(id, t.me('SwiftEagle'), { summary: 'endpoint live', handoff: goodHandoff('Implemented POST /users with validation', ['src/api/users.ts']) });
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.steps.map((s) => [s.name, s.outcome, s.handoff?.where])).toEqual([
      ['database', 'done', ['db/migrations/001_users.sql']],
      ['backend', 'done', ['src/api/users.ts']],
    ]);
    expect((await project.reservations.list()).total).toBe(0);
    // The last run of the chain: it caught up from the journal it was given, then finished the run.
    await recordHistory(ctx, id, 'continued-as-new-mid-step');
  }, 600_000);
});
