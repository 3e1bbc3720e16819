import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import { crew, eventually } from './support';

const baton = runBaton;

describe('baton CLI: emergency, recommend, alerts (real server, spawned bin/baton)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('start emergency -> claim (second claim: exit 3) -> incident; recommend; alerts', async () => {
    const c = await crew(ctx, ['RedFox', 'BlueJay'], ['alice'], { alerts: { silentAfterSeconds: 1, scanEverySeconds: 1 } });
    const env = { TEMPORAL_ADDRESS: ctx.config.address, BATON_TASK_QUEUE: ctx.taskQueue, BATON_PROJECT: c.project.key, BATON_CREDENTIALS: '/nonexistent/credentials.json' };
    const as = (name: string) => ['--as', name, '--token', c.me(name).token];

    const started = await baton(env, ...as('alice'), 'start', 'emergency', '--title', 'Search down', '--description', 'GET /search times out', '--files', 'src/search/**', '--id', 'search-down', '--claim-within', '1m', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toBe(`baton/${c.project.key}/emergency-response/search-down`);
    await eventually('alerting', () => c.project.emergency.incident(workflowId), (i) => i.phase === 'alerting');

    expect(await baton(env, ...as('RedFox'), 'claim', 'emergency-response/search-down')).toMatchObject({ code: 0 });
    const second = await baton(env, ...as('BlueJay'), 'claim', 'search-down');
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('already claimed by RedFox');

    const incident = await baton(env, 'incident', workflowId, '--json');
    expect(JSON.parse(incident.stdout)).toMatchObject({ claimant: 'RedFox', refusedClaims: [{ who: 'BlueJay' }] });

    const rec = await baton(env, 'recommend', 'production issue');
    expect(rec.stdout).toContain('Emergency Response');
    expect(rec.stdout).toContain('15-60 minutes');
    expect(rec.stdout).toContain('baton start emergency');

    // RedFox holds the emergency's files and stays silent: an alert, listed by `baton alerts`.
    await eventually('silent work', () => c.project.alerts.list(), (v) => v.active.some((a) => a.kind === 'silent-work'), 20_000);
    const alerts = await baton(env, 'alerts');
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toContain('silent-work');
    expect(alerts.stdout).toContain('Better:');

    expect(await baton(env, ...as('alice'), 'cancel', workflowId, '--reason', 'CLI test done')).toMatchObject({ code: 0 });
  });
});
