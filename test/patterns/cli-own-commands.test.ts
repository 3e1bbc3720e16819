import { runBaton } from '../support/cli';
import { cliError, cliShells, cliSuite, eventually, team } from './support';

const baton = runBaton;

describe('baton CLI: emergency, onboarding, full-stack, recommend, alerts (spawned bin/baton against a Baton server)', () => {
  const suite = cliSuite('baton-cli2-');

  it('start emergency -> claim (second claim: exit 3) -> incident; recommend; alerts; cancel (agent: exit 5, human: ended)', async () => {
    const { ctx, api, dir } = suite;
    const c = await team(ctx, ['RedFox', 'BlueJay'], ['alice'], { alerts: { silentAfterSeconds: 1, scanEverySeconds: 1 } });
    const as = cliShells(api, c, dir);

    const started = await baton(as.agent('BlueJay'), 'start', 'emergency', '--title', 'Search down', '--description', 'GET /search times out', '--files', 'src/search/**', '--id', 'search-down', '--claim-within', '1m', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toBe(`baton/${c.key}/emergency-response/search-down`);
    await eventually('alerting', () => c.project.emergency.incident(workflowId), (i) => i.phase === 'alerting');
    expect((await c.project.patterns.status(workflowId)).startedBy).toBe('BlueJay');

    expect(await baton(as.agent('RedFox'), 'claim', 'emergency-response/search-down')).toMatchObject({ code: 0 });
    const second = await baton(as.agent('BlueJay'), 'claim', 'search-down');
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('already claimed by RedFox');

    const incident = await baton(as.agent('BlueJay'), 'incident', workflowId, '--json');
    expect(incident.code).toBe(0);
    expect(JSON.parse(incident.stdout)).toMatchObject({ claimant: 'RedFox', refusedClaims: [{ who: 'BlueJay' }] });

    const rec = await baton(as.agent('BlueJay'), 'recommend', 'production issue');
    expect(rec.code).toBe(0);
    expect(rec.stdout).toContain('Emergency Response');
    expect(rec.stdout).toContain('15-60 minutes');
    expect(rec.stdout).toContain('baton start emergency');

    // RedFox holds the emergency's files and stays silent: an alert, listed by `baton alerts`.
    await eventually('silent work', () => c.project.alerts.list(), (v) => v.active.some((a) => a.kind === 'silent-work'), 20_000);
    const alerts = await baton(as.agent('BlueJay'), 'alerts');
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toContain('silent-work');
    expect(alerts.stdout).toContain('Better:');

    const byAgent = await baton(as.agentAsHuman('RedFox'), '--json', 'cancel', workflowId, '--reason', 'I am done');
    expect(byAgent.code).toBe(5);
    expect(cliError(byAgent)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token: RedFox is an agent") });
    expect((await c.project.patterns.status(workflowId)).state).toBe('running');
    const cancelled = await baton(as.human('alice'), 'cancel', workflowId, '--reason', 'CLI test done', '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ ended: true, status: { workflowId, state: 'cancelled' } });
    expect((await c.project.reservations.list()).total).toBe(0);
  });

  it('introduce and start full-stack are human commands: an agent shell is refused (exit 5), a human\'s goes through', async () => {
    const { ctx, api, dir } = suite;
    const c = await team(ctx, ['NewKid', 'RedFox', 'BlueJay'], ['alice']);
    const as = cliShells(api, c, dir);

    const onboarding = await baton(as.agent('RedFox'), 'start', 'onboarding', '--agent', 'NewKid', '--lead', 'alice', '--task', 'Fix the README install steps', '--files', 'README.md', '--id', 'newkid', '--json');
    expect(onboarding).toMatchObject({ code: 0 });
    const { workflowId: onboardingId } = JSON.parse(onboarding.stdout) as { workflowId: string };
    await eventually('the introduction phase', () => c.project.onboarding.view(onboardingId), (v) => v.phase === 'introduction');

    const noHuman = await baton(as.agent('RedFox'), '--json', 'introduce', 'onboarding/newkid', '--text', 'I vouch for it');
    expect(noHuman.code).toBe(5);
    expect(cliError(noHuman)).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('BATON_HUMAN_TOKEN') });
    const byAgent = await baton(as.agentAsHuman('RedFox'), '--json', 'introduce', 'newkid', '--text', 'I vouch for it');
    expect(byAgent.code).toBe(5);
    expect(cliError(byAgent)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token: RedFox is an agent") });
    expect(await c.project.onboarding.view(onboardingId)).toMatchObject({ phase: 'introduction', introducedBy: null });
    const introduced = await baton(as.human('alice'), 'introduce', 'newkid', '--text', 'NewKid joins us on the docs.');
    expect(introduced).toMatchObject({ code: 0, stdout: expect.stringContaining('introduced') });
    expect((await c.project.onboarding.view(onboardingId)).introducedBy).toBe('alice');

    const layers = ['--title', 'Search page', '--database', 'RedFox:db/003_search.sql:Add the search index', '--backend', 'RedFox:src/api/search/**:Search API', '--frontend', 'BlueJay:web/search/**:Search page', '--test', 'BlueJay:e2e/search.spec.ts:E2E', '--reviewer', 'alice', '--allow-new-agents'];
    const fullStackByAgent = await baton(as.agentAsHuman('RedFox'), '--json', 'start', 'full-stack', ...layers, '--id', 'by-agent');
    expect(fullStackByAgent.code).toBe(5);
    expect(cliError(fullStackByAgent)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('RedFox is an agent') });
    await expect(c.project.patterns.status('full-stack-feature/by-agent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const fullStack = await baton(as.human('alice'), 'start', 'full-stack', ...layers, '--id', 'search-page', '--json');
    expect(fullStack).toMatchObject({ code: 0 });
    const { workflowId: fullStackId } = JSON.parse(fullStack.stdout) as { workflowId: string };
    expect(fullStackId).toBe(`baton/${c.key}/full-stack-feature/search-page`);
    expect((await eventually('the database step', () => c.project.patterns.status(fullStackId), (s) => s.step === 'database')).startedBy).toBe('alice');

    for (const id of [onboardingId, fullStackId]) {
      const cancelled = await baton(as.human('alice'), 'cancel', id, '--reason', 'CLI test done');
      expect(cancelled).toMatchObject({ code: 0, stdout: expect.stringContaining(`cancelled ${id}`) });
    }
  });
});
