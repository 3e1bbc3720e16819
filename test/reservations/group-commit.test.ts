import { loadConfig } from '../../src/config';
import { member } from '../../src/schemas/actor';
import { startDevServer, type RunningDevServer } from '../../src/server/dev-server';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * Group commit at Temporal's defaults: a dev server of its own with no dynamic config, so
 * history.maxInFlightUpdates is Temporal's 10 per workflow, as on Temporal Cloud. The context's client
 * batches like the Baton server does.
 */
describe('group commit (batched updates) at Temporal default dynamic config', () => {
  let server: RunningDevServer;
  let ctx: TestContext;
  beforeAll(async () => {
    server = await startDevServer({ home: loadConfig().home, serverLogLevel: 'never', logFile: `${loadConfig().home}/logs/temporal-defaults-${process.pid}.log` });
    ctx = await createTestContext({ address: server.address, batching: true });
    await ctx.startWorker();
  });
  afterAll(async () => {
    await ctx?.close();
    await server?.stop();
  });

  it('decides 200 concurrent reserves, each exactly once, in far fewer updates than requests', async () => {
    const { client: project, key } = await ctx.createProject({ prefix: 'gc' });
    const agents = await Promise.all(Array.from({ length: 200 }, (_, i) => project.agents.register({ program: 'bench', task: `t${i}` })));
    const before = ctx.baton.batchStats()[key]!;
    const answers = await Promise.all(agents.map((a, i) => project.reservations.reserve({ actor: member(a.member.name), patterns: [`src/m${i % 20}/f${i}.ts`], reason: `r${i}` })));
    expect(answers.every((a) => a.status === 'granted')).toBe(true);
    const after = ctx.baton.batchStats()[key]!;
    const operations = after.operations - before.operations;
    const updates = after.batches - before.batches;
    expect(operations).toBe(200);
    expect(updates).toBeLessThan(100);
    expect(after.largest).toBeGreaterThan(1);
    // Every grant decided once: 200 grants in the audit trail, 200 leases.
    const audit = await project.reservations.audit({ limit: 1000 });
    expect(audit.entries.filter((e) => e.action === 'grant')).toHaveLength(200);
    expect((await project.reservations.list()).total).toBe(200);
  });

  it('lets exactly one of 100 concurrent reserves of one file win, across batches', async () => {
    const { client: project } = await ctx.createProject({ prefix: 'gc' });
    const agents = await Promise.all(Array.from({ length: 100 }, () => project.agents.register({})));
    const answers = await Promise.all(agents.map((a) => project.reservations.reserve({ actor: member(a.member.name), patterns: ['src/hot.ts'], reason: 'hot' })));
    expect(answers.filter((a) => a.status === 'granted')).toHaveLength(1);
    const winner = agents[answers.findIndex((a) => a.status === 'granted')]!.member.name;
    for (const a of answers) if (a.status === 'conflict') expect(a.conflicts).toEqual([expect.objectContaining({ holder: winner })]);
  });

  it('answers a refused operation with its own error and leaves no trace of it in history; the rest of its batch applies', async () => {
    const { client: project, key } = await ctx.createProject({ prefix: 'gc' });
    const agents = await Promise.all(Array.from({ length: 30 }, () => project.agents.register({})));
    const retired = agents[0]!.member.name;
    await project.agents.retire(member(retired), retired);
    const marker = 'refused-operation-marker';
    const calls = agents.map((a, i) =>
      project.reservations.reserve({ actor: member(a.member.name), patterns: [`docs/p${i}.md`], reason: i === 0 ? marker : `ok ${i}` }).then(
        (r) => ({ ok: true as const, r }),
        (e: Error & { code?: string }) => ({ ok: false as const, e }),
      ),
    );
    const results = await Promise.all(calls);
    expect(results[0]).toMatchObject({ ok: false, e: { code: 'UNAUTHORIZED' } });
    expect(results.slice(1).every((r) => r.ok && r.r.status === 'granted')).toBe(true);
    const history = JSON.stringify((await project.channel.handle().fetchHistory()).events);
    const decoded = history.replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    expect(decoded).toContain('ok 29');
    expect(decoded).not.toContain(marker);
    expect(key).toBeTruthy();
  });
});
