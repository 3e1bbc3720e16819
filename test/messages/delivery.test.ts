import { member } from '../../src/schemas/actor';
import { createTestContext, type TestContext } from '../support/temporal';

/** One durable write per send: recorded in the project workflow, then delivered by one activity. */
describe('message delivery (recorded once, delivered after)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ batching: true });
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('delivers a 64 KiB broadcast to 200 members exactly once each, with the message once in the project history', async () => {
    const { client: project, human } = await ctx.createProject({ prefix: 'dlv' });
    const agents = await Promise.all(Array.from({ length: 200 }, (_, i) => project.agents.register({ task: `t${i}` })));
    const body = 'x'.repeat(64 * 1024);
    const sent = await project.messages.broadcast(member(human.name), { subject: 'big news', body });
    expect(sent.deliveredTo).toHaveLength(200);

    const deadline = Date.now() + 90_000;
    const pending = new Set(agents.map((a) => a.member.name));
    while (pending.size && Date.now() < deadline) {
      await Promise.all(
        [...pending].map(async (name) => {
          const page = await project.messages.inbox(member(name), { limit: 500 });
          const copies = page.items.filter((m) => m.id === sent.messageId);
          if (copies.length) {
            expect(copies).toHaveLength(1);
            expect(copies[0]!.body).toHaveLength(body.length);
            pending.delete(name);
          }
        }),
      );
      if (pending.size) await new Promise((r) => setTimeout(r, 500));
    }
    expect([...pending]).toEqual([]);
    const outbox = await project.messages.outbox(member(human.name));
    expect(outbox.find((m) => m.id === sent.messageId)?.deliveredTo).toHaveLength(200);

    // The body is in the project's history once (the send update; the delivery activity's input), not per recipient.
    const events = (await project.channel.handle().fetchHistory()).events ?? [];
    const bytes = JSON.stringify(events).length;
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('answers a retried send with the first answer, and refuses the same idempotency key for another message', async () => {
    const { client: project, human } = await ctx.createProject({ prefix: 'dlv' });
    const agent = await project.agents.register({});
    const first = await project.messages.send(member(human.name), { to: [agent.member.name], subject: 'plan', body: 'v1', idempotencyKey: 'k1' });
    const again = await project.messages.send(member(human.name), { to: [agent.member.name], subject: 'plan', body: 'v1', idempotencyKey: 'k1' });
    expect(again).toMatchObject({ messageId: first.messageId, duplicate: true });
    await expect(project.messages.send(member(human.name), { to: [agent.member.name], subject: 'plan', body: 'v2: something else', idempotencyKey: 'k1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('idempotencyKey: "k1" was already used'),
    });
    const deadline = Date.now() + 30_000;
    let items: { id: string; body: string }[] = [];
    while (Date.now() < deadline) {
      items = (await project.messages.inbox(member(agent.member.name))).items;
      if (items.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(items.map((m) => m.body)).toEqual(['v1']);
  });
});
