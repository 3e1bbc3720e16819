import os from 'node:os';
import { eventually, inboxSubjects, recordHistory, team } from '../patterns/support';
import { createTestContext, type TestContext } from '../support/temporal';


const fast = { deadlines: { reminderAfter: '20s', escalateAfter: '40s' }, reservationRetry: '1s' };
const alertSettings = { alerts: { silentAfterSeconds: 2, scanEverySeconds: 1, maxLeasesPerAgent: 3, unclearHandoffsAfter: 2 } };

describe('anti-pattern alerts (real server, scripted scenarios)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('silent work and reservation hoarding are seen by the project workflow; releasing clears them', async () => {
    const c = await team(ctx, ['QuietFox', 'BusyBee'], ['alice'], alertSettings);
    const { project } = c;
    await project.reservations.reserve({ actor: c.actor('QuietFox'), patterns: ['src/a.ts'], reason: 'refactor' });
    await project.reservations.reserve({ actor: c.actor('BusyBee'), patterns: ['lib/**'], reason: 'just in case' });

    const view = await eventually('both alerts', () => project.alerts.list(), (v) => v.active.some((a) => a.kind === 'silent-work' && a.agent === 'QuietFox') && v.active.some((a) => a.kind === 'reservation-hoarding' && a.agent === 'BusyBee'), 20_000);
    const hoard = view.active.find((a) => a.kind === 'reservation-hoarding')!;
    expect(hoard.summary).toContain('lib/**');
    expect(hoard.better[0]).toContain('Reserve just the files');
    // The humans are told, and the agent too, with what to do instead.
    const alice = await inboxSubjects(c, 'alice');
    expect(alice.some((m) => m.subject.startsWith('[alert] silent-work') && m.body.includes('Better:'))).toBe(true);
    expect((await inboxSubjects(c, 'BusyBee')).some((m) => m.subject.startsWith('[alert] reservation-hoarding'))).toBe(true);
    // Visible on the project workflow too.
    const described = await project.describe();
    expect((described.modules.alerts as { active: number }).active).toBeGreaterThanOrEqual(2);

    await project.reservations.release({ actor: c.actor('QuietFox'), all: true });
    await project.reservations.release({ actor: c.actor('BusyBee'), all: true });
    const cleared = await eventually('cleared', () => project.alerts.list({ includeResolved: true }), (v) => v.active.length === 0, 20_000);
    expect(cleared.resolved.map((a) => a.kind)).toEqual(expect.arrayContaining(['silent-work', 'reservation-hoarding']));
    await recordHistory(ctx, `baton/${project.key}/project`, 'alerts-raised-and-cleared');
  });

  it('unclear handoffs (counted per agent) and no sync points are reported by the pattern workflows', async () => {
    const c = await team(ctx, ['MuddyPaw', 'DriftingCloud', 'SleepyOtter'], ['alice'], alertSettings);
    const { project } = c;

    const handoff = await project.patterns.start('sequential-handoff', { title: 'Vague', ...fast, steps: [{ name: 'api', agent: 'MuddyPaw', task: 'Build the API', files: ['src/api/x.ts'] }] }, { startedBy: 'alice' });
    await eventually('the step', () => project.patterns.status(handoff.workflowId), (s) => s.waitingFor.includes('MuddyPaw') && s.step === 'api');
    for (let i = 0; i < 2; i++) {
      await expect(project.patterns.done(handoff.workflowId, c.me('MuddyPaw'), { summary: 'done', handoff: { whatWasDone: 'done', where: [], howToTest: '' } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    const unclear = await eventually('the unclear-handoffs alert', () => project.alerts.list({ kind: 'unclear-handoffs' }), (v) => v.active.length === 1, 20_000);
    expect(unclear.active[0]).toMatchObject({ agent: 'MuddyPaw' });
    expect(unclear.active[0]!.summary).toContain('refused 2 times');
    expect(unclear.active[0]!.better.join(' ')).toContain('what was done, where (files), how to test it');

    const parallel = await project.patterns.start(
      'parallel-development',
      { title: 'Drift', ...fast, checkpointEvery: '2s', checkpointGrace: '30s', workers: [{ agent: 'DriftingCloud', task: 'Build A', files: ['src/a/**'] }, { agent: 'SleepyOtter', task: 'Build B', files: ['src/b/**'] }], integration: { command: 'true' }, workdir: os.tmpdir() },
      { startedBy: 'alice' },
    );
    const noSync = await eventually('the no-sync-points alert', () => project.alerts.list({ kind: 'no-sync-points' }), (v) => v.active.length === 2, 20_000);
    expect(noSync.active.map((a) => a.agent).sort()).toEqual(['DriftingCloud', 'SleepyOtter']);
    expect(noSync.active[0]!.workflowId).toBe(parallel.workflowId);
    expect(noSync.active[0]!.better).toContain('Plan sync points (every 2 hours)');
    expect((await inboxSubjects(c, 'alice')).some((m) => m.subject.startsWith('[alert] no-sync-points'))).toBe(true);

    // A progress report is a sign of life: it clears a silent-work alert at once.
    await eventually('silent work of a step', () => project.alerts.list({ kind: 'silent-work', agent: 'DriftingCloud' }), (v) => v.active.length === 1, 20_000);
    await project.patterns.progress(parallel.workflowId, c.me('DriftingCloud'), 'half of A is done');
    await eventually('silent work cleared', () => project.alerts.list({ kind: 'silent-work', agent: 'DriftingCloud' }), (v) => v.active.length === 0, 5_000);

    for (const id of [handoff.workflowId, parallel.workflowId]) await project.patterns.cancel(id, c.me('alice'), 'scenario done');
  });
});
