import { createTestContext, type TestContext } from '../support/temporal';
import type { BatonProjectClient } from '../../src/client';
import type { MemberActor } from '../../src/schemas/messages';
import type { ContactPolicy } from '../../src/schemas/agents';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { BatonAgent, BatonKind, BatonProject } from '../../src/search-attributes';

/** Register a member and return the actor that proves it. */
async function member(project: BatonProjectClient, options: { name?: string; human?: boolean; policy?: ContactPolicy } = {}): Promise<MemberActor> {
  const { member: m, token } = await project.agents.register({ kind: options.human ? 'human' : 'agent', name: options.name, contactPolicy: options.policy ?? 'open' });
  return { kind: 'member', name: m.name, token };
}

describe('messages (project workflow + mailbox workflows, real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('delivers a direct message with cc, shows it in the inbox, reads it, and records it in the outbox', async () => {
    const project = ctx.baton.project(ctx.project());
    const [a, b, c] = [await member(project), await member(project), await member(project)];
    const sent = await project.messages.send(a, { to: [b.name], cc: [c.name], subject: 'Auth API ready', body: '# Done\nSee `src/auth`.', importance: 'high' });
    expect(sent.deliveredTo).toEqual([b.name, c.name]);
    const inbox = await project.messages.inbox(b);
    expect(inbox.items.map((m) => m.id)).toEqual([sent.messageId]);
    expect(inbox.items[0]).toMatchObject({ from: a.name, to: [b.name], cc: [c.name], subject: 'Auth API ready', importance: 'high', thread: sent.thread });
    expect(inbox.unread).toBe(1);
    expect((await project.messages.inbox(c)).items).toHaveLength(1);
    const read = await project.messages.read(b, sent.messageId);
    expect(read.readAt).toBeDefined();
    expect((await project.messages.inbox(b, { unread: true })).items).toHaveLength(0);
    const outbox = await project.messages.outbox(a);
    expect(outbox[0]).toMatchObject({ id: sent.messageId, deliveredTo: [b.name, c.name], acks: [] });
  });
});
