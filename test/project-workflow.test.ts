import { createTestContext, type TestContext } from './support/temporal';
import { describeQuery, shutdownSignal } from '../src/workflows/project/api';
import { BatonProject } from '../src/search-attributes';

describe('project workflow on a real Temporal server', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('starts on first use, answers an update and a query, and completes on shutdown', async () => {
    const key = ctx.project();
    const project = ctx.baton.project(key);

    const pong = await project.ping();
    expect(pong.pong).toBe(true);
    expect(typeof pong.at).toBe('number');

    const described = await project.describe();
    expect(described.project).toBe(key);
    expect(described.generation).toBe(0);

    const handle = project.channel.handle();
    await handle.signal(shutdownSignal, { by: 'test', reason: 'round trip done' });
    await handle.result();
    const info = await handle.describe();
    expect(info.status.name).toBe('COMPLETED');
    expect(info.typedSearchAttributes.get(BatonProject)).toBe(key);
    // A completed workflow still answers queries from its final state.
    expect((await handle.query(describeQuery)).project).toBe(key);
  });
});
