import type { RunningApi } from '../../src/api/main';
import type { BatonProjectClient } from '../../src/client';
import { member } from '../../src/schemas/actor';
import type { AttentionView } from '../../src/schemas/attention';
import { call } from '../support/http';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * `GET /v1/projects/:p/attention`: what a member has not been shown yet, each item once, with the
 * "shown" cursor kept by the member's mailbox workflow (so it holds across hook processes, servers and
 * restarts, and two hooks at once never both show an item).
 */
describe('attention (mailbox cursor, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  async function delivered(project: BatonProjectClient, name: string, total: number): Promise<void> {
    for (let i = 0; i < 200 && (await project.messages.inbox(member(name))).total < total; i++) await new Promise((r) => setTimeout(r, 50));
  }

  it('offers each item once, to one of two callers at once; skips what the member already read; keeps the cursor in the mailbox', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'attn' });
    const { token } = await project.agents.register({ name: 'BlueOtter', contactPolicy: 'open' });
    await project.agents.register({ name: 'AmberFalcon' });
    const urgent = await project.messages.send(member('AmberFalcon'), { to: ['BlueOtter'], subject: 'Build broken', body: 'revert', importance: 'urgent' });
    const read = await project.messages.send(member('AmberFalcon'), { to: ['BlueOtter'], subject: 'Read me first', body: 'x', importance: 'urgent' });
    await project.messages.send(member('AmberFalcon'), { to: ['BlueOtter'], subject: 'fyi', body: 'x' });
    await delivered(project, 'BlueOtter', 3);
    await project.messages.read(member('BlueOtter'), read.messageId);

    const get = () => call<AttentionView>(api.url, 'GET', `/v1/projects/${encodeURIComponent(key)}/attention`, { token, member: 'BlueOtter' });
    const [a, b] = await Promise.all([get(), get()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const shown = [...a.body.items, ...b.body.items];
    expect(shown.map((i) => [i.id, i.kind, i.summary])).toEqual([[urgent.messageId, 'mail', 'AmberFalcon: "Build broken"']]);
    expect((await get()).body).toMatchObject({ items: [], more: 0 });
    expect((await project.messages.describeMailbox('BlueOtter')).attentionSeq).toBe(3);

    expect((await call(api.url, 'GET', `/v1/projects/${encodeURIComponent(key)}/attention`)).status).toBe(401);
  }, 120_000);
});
