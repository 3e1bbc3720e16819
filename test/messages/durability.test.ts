import { createTestContext, type TestContext } from '../support/temporal';
import { member, type MemberActor } from '../../src/schemas/actor';

/** A message outlives the worker: state is in Temporal, not in a process. */
describe('messages survive a worker kill (real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  it('keeps a sent message across a worker stop, and completes a send made while no worker ran, once', async () => {
    const first = await ctx.startWorker();
    const { client: project } = await ctx.createProject();
    const reg = async (): Promise<MemberActor> => member((await project.agents.register({ contactPolicy: 'open' })).member.name);
    const [a, b] = [await reg(), await reg()];
    const before = await project.messages.send(a, { to: [b.name], subject: 'Before the crash', body: 'sent while a worker ran', ackRequired: true });
    await first.stop();

    // No worker: the send is accepted by the server and waits for one; nothing is lost meanwhile.
    const during = project.messages.send(a, { to: [b.name], subject: 'During the outage', body: 'sent with no worker', idempotencyKey: 'outage-1' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await ctx.startWorker();
    const sent = await during;
    // The caller's retry after the outage (same key) is answered, not delivered again.
    expect((await project.messages.send(a, { to: [b.name], subject: 'During the outage', body: 'sent with no worker', idempotencyKey: 'outage-1' })).messageId).toBe(sent.messageId);

    const inbox = await project.messages.inbox(b);
    expect(inbox.items.map((m) => m.subject)).toEqual(['During the outage', 'Before the crash']);
    expect((await project.messages.read(b, before.messageId)).body).toBe('sent while a worker ran');
    await project.messages.ack(b, before.messageId);
    const deadline = Date.now() + 5000;
    let out = await project.messages.outbox(a);
    while (out.find((m) => m.id === before.messageId)!.acks.length === 0 && Date.now() < deadline) out = await project.messages.outbox(a);
    expect(out.find((m) => m.id === before.messageId)!.acks.map((x) => x.member)).toEqual([b.name]);
  });
});
