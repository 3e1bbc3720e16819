import { createTestContext, type TestContext } from './support/temporal';
import { describeQuery } from '../src/workflows/project/api';
import { BatonProject } from '../src/search-attributes';
import { member } from '../src/schemas/actor';

describe('project workflow on a real Temporal server', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('exists only once created; answers an update and a query; ends only by a human, and says who ended it', async () => {
    const key = ctx.project();
    const project = ctx.baton.project(key);
    // Nothing creates a project implicitly: a call to a key that was never created says so.
    await expect(project.ping()).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`baton init --project ${key}`) });
    await expect(project.agents.register({})).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const created = await ctx.baton.initProject(key, { human: 'alice' });
    expect(created.member).toMatchObject({ name: 'alice', kind: 'human' });
    expect(created.token).toMatch(/^bh_/);
    await expect(ctx.baton.initProject(key, { human: 'mallory' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });

    const pong = await project.ping();
    expect(pong.pong).toBe(true);
    const described = await project.describe();
    expect(described.project).toBe(key);
    expect(described.generation).toBe(0);

    const agent = await project.agents.register({});
    await expect(project.shutdown(member(agent.member.name), 'not mine to end')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const ended = await project.shutdown(member('alice'), 'round trip done');
    expect(ended).toMatchObject({ project: key, endedBy: 'alice', reason: 'round trip done' });

    const handle = project.channel.handle();
    await handle.result();
    const info = await handle.describe();
    expect(info.status.name).toBe('COMPLETED');
    expect(info.typedSearchAttributes.get(BatonProject)).toBe(key);
    // A completed workflow still answers queries from its final state.
    expect((await handle.query(describeQuery)).project).toBe(key);

    // Afterwards: no silent restart; the error says who ended it and why; re-creating takes `replace`.
    const after = await project.agents.register({}).catch((e: Error) => e);
    expect(after).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('shut down by alice') });
    expect((after as Error).message).toContain('round trip done');
    await expect(ctx.baton.initProject(key, { human: 'mallory' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
