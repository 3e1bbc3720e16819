import { createTestContext, type TestContext } from '../support/temporal';
import { MIN_TTL_SECONDS } from '../../src/domain/reservations/policy';
import { member } from '../../src/schemas/actor';

/**
 * A lease expires on the project workflow's durable timer, even when no worker runs at the moment of
 * expiry: the timer fires on the server, and the next worker to pick the workflow up records the expiry.
 * Uses the minimum TTL (60 s), so this is the suite's one slow test.
 */
describe('reservation expiry (real server, worker restart)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  it('frees a path when its TTL passes while the worker is down', async () => {
    const worker = await ctx.startWorker();
    const { client: project } = await ctx.createProject();
    const reg = async () => {
      const { member: m } = await project.agents.register({});
      return { name: m.name, actor: member(m.name) };
    };
    const [a, b] = await Promise.all([reg(), reg()]);
    const granted = await project.reservations.reserve({ actor: a.actor, patterns: ['src/short.ts'], reason: 'quick fix', ttlSeconds: MIN_TTL_SECONDS });
    if (granted.status !== 'granted') throw new Error('expected a grant');
    expect((await project.reservations.reserve({ actor: b.actor, patterns: ['src/*.ts'], reason: 'wait' })).status).toBe('conflict');

    await worker.stop();
    const expiresAt = Date.parse(granted.reservations[0]!.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1500));
    await ctx.startWorker();

    // No update is sent: only the timer that fired while the worker was down can record the expiry.
    let audit = await project.reservations.audit();
    for (let i = 0; i < 150 && !audit.entries.some((e) => e.action === 'expire'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      audit = await project.reservations.audit();
    }
    expect(audit.entries.map((e) => e.action)).toEqual(['grant', 'expire']);
    expect(audit.entries[1]).toMatchObject({ by: 'baton', holder: a.name, patterns: ['src/short.ts'] });
    expect((await project.reservations.list()).total).toBe(0);
    expect((await project.reservations.reserve({ actor: b.actor, patterns: ['src/*.ts'], reason: 'now free' })).status).toBe('granted');
  }, 180_000);
});
