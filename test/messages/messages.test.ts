import { createTestContext, delivering, type TestContext } from '../support/temporal';
import type { BatonProjectClient } from '../../src/client';
import { member as memberActor, type MemberActor } from '../../src/schemas/actor';
import type { ContactPolicy } from '../../src/schemas/agents';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { BatonAgent, BatonKind, BatonProject } from '../../src/search-attributes';
import { sendUpdate } from '../../src/workflows/project/messages-api';
import { MAX_BODY_BYTES } from '../../src/domain/messages/limits';
import { inboxQuery, readUpdate } from '../../src/workflows/mailbox/api';
import { batonCall } from '../../src/client/errors';
import { BatonApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import { newToken } from '../../src/client/tokens';
import { call } from '../support/http';

/**
 * Register an agent; it acts by name (the typed client is an operator's and trusts its caller; tokens
 * are checked by the Baton server, see the test through the server).
 */
async function member(project: BatonProjectClient, options: { name?: string; policy?: ContactPolicy } = {}): Promise<MemberActor> {
  const { member: m } = await project.agents.register({ name: options.name, contactPolicy: options.policy ?? 'open' });
  return memberActor(m.name);
}

/** A human invited by the project's founder (humans never register). */
async function invited(project: BatonProjectClient, founder: string, name: string): Promise<MemberActor> {
  return memberActor((await project.agents.inviteHuman(memberActor(founder), name)).member.name);
}

const note = { subject: 'Heads-up', body: 'Touching src/auth today.' };

describe('messages (project workflow + mailbox workflows, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  /** A new project whose sends resolve once delivered (the tests read mailboxes right after sending). */
  const createProject = async (options?: Parameters<TestContext['createProject']>[0]) => {
    const created = await ctx.createProject(options);
    return { ...created, client: delivering(created.client) };
  };

  it('delivers a direct message with cc, reads it, and records it in the outbox', async () => {
    const { client: project } = await createProject();
    const [a, b, c] = [await member(project), await member(project), await member(project)];
    const sent = await project.messages.send(a, { to: [b.name], cc: [c.name], subject: 'Auth API ready', body: '# Done\nSee `src/auth`.', importance: 'high' });
    expect(sent).toMatchObject({ deliveredTo: [b.name, c.name], duplicate: false, skipped: [] });
    const inbox = await project.messages.inbox(b);
    expect(inbox.items.map((m) => m.id)).toEqual([sent.messageId]);
    expect(inbox.items[0]).toMatchObject({ from: a.name, to: [b.name], cc: [c.name], subject: 'Auth API ready', body: '# Done\nSee `src/auth`.', importance: 'high', thread: sent.thread });
    expect(inbox.unread).toBe(1);
    expect((await project.messages.inbox(c)).items).toHaveLength(1);
    expect((await project.messages.read(b, sent.messageId)).readAt).toBeDefined();
    expect((await project.messages.inbox(b, { unread: true })).items).toHaveLength(0);
    expect((await project.messages.outbox(a))[0]).toMatchObject({ id: sent.messageId, deliveredTo: [b.name, c.name], acks: [] });
    expect((await project.messages.inbox(a)).items).toEqual([]);
  });

  it('filters the inbox by unread, urgent, thread and since', async () => {
    const { client: project } = await createProject();
    const [a, b] = [await member(project), await member(project)];
    const first = await project.messages.send(a, { to: [b.name], ...note });
    const urgent = await project.messages.send(a, { to: [b.name], subject: 'Build broken', body: 'main is red', importance: 'urgent' });
    const inThread = await project.messages.send(a, { to: [b.name], subject: 'More', body: 'same thread', thread: first.thread });
    await project.messages.read(b, urgent.messageId);
    const ids = async (filter: object) => (await project.messages.inbox(b, filter)).items.map((m) => m.id);
    expect(await ids({})).toEqual([inThread.messageId, urgent.messageId, first.messageId]);
    expect(await ids({ unread: true })).toEqual([inThread.messageId, first.messageId]);
    expect(await ids({ urgent: true })).toEqual([urgent.messageId]);
    expect(await ids({ thread: first.thread })).toEqual([inThread.messageId, first.messageId]);
    expect(await ids({ since: inThread.sentAt })).toEqual([inThread.messageId]);
    expect(await ids({ limit: 1 })).toEqual([inThread.messageId]);
  });

  it('inbox wait returns within a second of a send, and times out when nothing comes', async () => {
    const { client: project } = await createProject();
    const [a, b] = [await member(project), await member(project)];
    const quiet = Date.now();
    const none = await project.messages.wait(b, { timeoutSeconds: 1 });
    expect(none).toMatchObject({ items: [], timedOut: true });
    expect(Date.now() - quiet).toBeGreaterThanOrEqual(900);

    const waiting = project.messages.wait(b, { timeoutSeconds: 30 }).then((r) => ({ r, at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = await project.messages.send(a, { to: [b.name], ...note });
    const sentAt = Date.now();
    const { r, at } = await waiting;
    expect(r.items.map((m) => m.id)).toEqual([sent.messageId]);
    expect(at - sentAt).toBeLessThan(1000);
    // Unread mail already there answers at once; a cursor waits for newer mail only.
    expect((await project.messages.wait(b, { timeoutSeconds: 10 })).items).toHaveLength(1);
    expect((await project.messages.wait(b, { timeoutSeconds: 1, afterSeq: r.lastSeq })).timedOut).toBe(true);
  });

  it('applies contact policies: open, block_all, contacts_only (with request/approve), auto, humans always', async () => {
    const { client: project, human: founder } = await createProject({ human: 'alice' });
    const human = memberActor(founder.name);
    const stranger = await member(project, { policy: 'open' });
    const open = await member(project, { policy: 'open' });
    const blockAll = await member(project, { policy: 'block_all' });
    const contactsOnly = await member(project, { policy: 'contacts_only' });
    const auto = await member(project, { policy: 'auto' });

    expect((await project.messages.send(stranger, { to: [open.name], ...note })).deliveredTo).toEqual([open.name]);

    await expect(project.messages.send(stranger, { to: [blockAll.name], ...note })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('block_all') });
    await expect(project.messages.send(stranger, { to: [contactsOnly.name], ...note })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(`baton contact request ${contactsOnly.name}`),
    });
    await expect(project.messages.send(stranger, { to: [auto.name], ...note })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('contact policy auto') });
    // One blocked recipient refuses the whole send: nobody got anything.
    await expect(project.messages.send(stranger, { to: [open.name, blockAll.name], subject: 'Partial?', body: 'no' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await project.messages.inbox(open)).items.map((m) => m.subject)).not.toContain('Partial?');

    // Humans may always send, whatever the policy.
    for (const to of [blockAll, contactsOnly, auto]) await project.messages.send(human, { to: [to.name], ...note });

    // contacts_only: request → notice to the member → approve → allowed (and mutual).
    await project.messages.requestContact(stranger, contactsOnly.name, 'about src/auth');
    const requestNotice = (await project.messages.inbox(contactsOnly)).items.find((m) => m.from === 'baton');
    expect(requestNotice).toMatchObject({ subject: `Contact request from ${stranger.name}`, system: true });
    expect((await project.messages.contacts(contactsOnly)).incoming.map((r) => r.from)).toEqual([stranger.name]);
    const approved = await project.messages.approveContact(contactsOnly, stranger.name);
    expect(approved.contacts).toEqual([stranger.name]);
    expect((await project.messages.contacts(stranger)).contacts).toEqual([contactsOnly.name]);
    expect((await project.messages.send(stranger, { to: [contactsOnly.name], ...note })).deliveredTo).toEqual([contactsOnly.name]);

    // Anyone may answer a message they received (unless block_all): contacts_only member wrote to open.
    const asked = await project.messages.send(contactsOnly, { to: [open.name], subject: 'Question', body: '?' });
    expect((await project.messages.reply(open, asked.messageId, { body: 'Answer' })).deliveredTo).toEqual([contactsOnly.name]);
  });

  it('auto admits members who share a thread, hold overlapping reservations, or are contacts', async () => {
    const { client: project } = await createProject();
    const auto = await member(project, { policy: 'auto' });
    const threadMate = await member(project);
    const neighbour = await member(project);
    const other = await member(project);
    // A shared thread: the auto member wrote to threadMate first.
    const opened = await project.messages.send(auto, { to: [threadMate.name], ...note });
    // Writing to oneself in that thread joins no conversation.
    await project.messages.send(other, { to: [other.name], subject: 'me', body: 'x', thread: opened.thread });
    await expect(project.messages.send(other, { to: [auto.name], ...note })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await project.messages.send(threadMate, { to: [auto.name], subject: 'New topic', body: 'hi' })).deliveredTo).toEqual([auto.name]);

    // Overlapping reservations (shared, so both hold them).
    await expect(project.messages.send(neighbour, { to: [auto.name], ...note })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await project.reservations.reserve({ actor: auto, patterns: ['src/auth/**'], exclusive: false, reason: 'auth work' });
    await project.reservations.reserve({ actor: neighbour, patterns: ['src/auth/login.ts'], exclusive: false, reason: 'login fix' });
    expect((await project.messages.send(neighbour, { to: [auto.name], ...note })).deliveredTo).toEqual([auto.name]);

    // A contact.
    await project.messages.approveContact(auto, other.name);
    expect((await project.messages.send(other, { to: [auto.name], ...note })).deliveredTo).toEqual([auto.name]);
  });

  it('auto admits trusted members', async () => {
    const { client: project } = await createProject({ settings: { trustAfterTasks: 1 } });
    const auto = await member(project, { policy: 'auto' });
    const veteran = await member(project);
    await expect(project.messages.send(veteran, { to: [auto.name], ...note })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Trust comes from pattern workflows (accepted handoffs, approved reviews) through the directory.
    await project.channel.handle().executeUpdate('recordSuccess', { args: [{ actor: { kind: 'workflow', workflowId: 'test/pattern', onBehalfOf: veteran.name } }] });
    expect((await project.agents.get(veteran.name)).trust).toBe('trusted');
    expect((await project.messages.send(veteran, { to: [auto.name], ...note })).deliveredTo).toEqual([auto.name]);
  });

  it('records acknowledgements and shows them to the sender', async () => {
    const { client: project } = await createProject();
    const [a, b, c] = [await member(project), await member(project), await member(project)];
    const sent = await project.messages.send(a, { to: [b.name, c.name], subject: 'Deploy freeze', body: 'Until 18:00.', ackRequired: true });
    expect((await project.messages.inbox(b)).items[0]).toMatchObject({ ackRequired: true });
    const acked = await project.messages.ack(b, sent.messageId);
    expect(acked.ackedAt).toBeDefined();
    expect(acked.readAt).toBeDefined();
    await project.messages.ack(b, sent.messageId); // acking twice records one ack
    const deadline = Date.now() + 5000;
    let out = (await project.messages.outbox(a))[0]!;
    while (out.acks.length === 0 && Date.now() < deadline) out = (await project.messages.outbox(a))[0]!;
    expect(out.acks.map((x) => x.member)).toEqual([b.name]);
    expect((await project.messages.describeMailbox(a.name)).outbox).toEqual({ total: 1, awaitingAcks: 1 });
  });

  it('delivers once when a send is retried with the same idempotency key (sequentially and concurrently)', async () => {
    const { client: project } = await createProject();
    const [a, b] = [await member(project), await member(project)];
    const first = await project.messages.send(a, { to: [b.name], ...note, idempotencyKey: 'k-1' });
    const again = await project.messages.send(a, { to: [b.name], ...note, idempotencyKey: 'k-1' });
    expect(again).toEqual({ ...first, duplicate: true });
    const racing = await Promise.all([1, 2, 3].map(() => project.messages.send(a, { to: [b.name], subject: 'Race', body: 'x', idempotencyKey: 'k-2' })));
    expect(new Set(racing.map((r) => r.messageId)).size).toBe(1);
    expect(racing.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await project.messages.inbox(b)).items.map((m) => m.subject).sort()).toEqual(['Heads-up', 'Race']);
    expect(await project.messages.outbox(a)).toHaveLength(2);
  });

  it('refuses bad input with its specific error and changes nothing', async () => {
    const { key, client: project } = await createProject();
    const [a, b] = [await member(project), await member(project)];
    await project.messages.send(a, { to: [b.name], ...note });
    const before = { inbox: await project.messages.inbox(b), outbox: await project.messages.outbox(a) };
    const raw = (input: object) => project.channel.update(sendUpdate, { actor: a, to: [b.name], ...note, ...input } as never);

    await expect(project.messages.send(a, { to: ['NoSuchAgent'], ...note })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('NoSuchAgent') });
    // The client validates first; the workflow's validator refuses the same input when sent raw.
    await expect(project.messages.send(a, { to: [b.name], subject: '  ', body: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('subject') });
    await expect(raw({ subject: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('subject: must not be empty') });
    await expect(raw({ subject: 'x'.repeat(201) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('subject: must be at most 200') });
    await expect(raw({ body: 'x'.repeat(MAX_BODY_BYTES + 1) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('body: must be at most 64 KiB') });
    await expect(raw({ body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('body') });
    // Who acts, as the workflows see it: a member the server verified, at the epoch it saw (tokens are
    // the server's business: see the test through the server).
    await expect(raw({ actor: memberActor('NoSuchAgent') })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('No member named "NoSuchAgent"') });
    await expect(raw({ actor: memberActor(a.name, 4) })).rejects.toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'stale-credential' } });
    await expect(project.messages.inbox(memberActor(b.name, 4))).rejects.toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'stale-credential' } });
    await expect(project.messages.read(memberActor(b.name, 4), before.inbox.items[0]!.id)).rejects.toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'stale-credential' } });
    // A mailbox answers its owner only: a's actor at b's mailbox is refused.
    const bMailbox = ctx.client.workflow.getHandle(mailboxWorkflowId(key, b.name));
    expect(await bMailbox.query(inboxQuery, { actor: a, filter: {} })).toMatchObject({ ok: false, code: 'FORBIDDEN', message: expect.stringContaining(`This is ${b.name}'s mailbox`) });
    await expect(batonCall(() => bMailbox.executeUpdate(readUpdate, { args: [{ actor: a, messageId: before.inbox.items[0]!.id }] }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(project.messages.read(b, 'm-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(project.messages.read(b, 'nonsense')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('message id') });
    // A body exactly at the limit is fine.
    expect((await project.messages.send(a, { to: [b.name], subject: 'Big', body: 'x'.repeat(MAX_BODY_BYTES) })).deliveredTo).toEqual([b.name]);

    const after = await project.messages.inbox(b);
    expect(after.items.slice(1)).toEqual(before.inbox.items);
    expect(after.items[0]!.subject).toBe('Big');
    expect((await project.messages.outbox(a)).slice(1)).toEqual(before.outbox);
  });

  it('through the Baton server, the token is the sender: a wrong or mismatched token is refused 401, a body naming a sender 400, a stranger reads nothing; nothing changes', async () => {
    const { key, client: project } = await createProject();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => project.agents.register({ contactPolicy: 'open' })));
    const as = (token: string) => new BatonApi({ baseUrl: api.url, token }).project(key).messages;
    const sent = await as(a!.token).send({ to: [b!.member.name], ...note });
    const item = (await as(b!.token).inbox()).items[0]!;
    expect(item).toMatchObject({ id: sent.messageId, from: a!.member.name, subject: note.subject });
    const [aActor, bActor, cActor] = [a, b, c].map((r) => memberActor(r!.member.name));
    const observe = async () => ({ inbox: await project.messages.inbox(bActor!), outbox: await project.messages.outbox(aActor!), strangers: await project.messages.outbox(cActor!) });
    const before = await observe();
    const at = (rest: string) => `/v1/projects/${key}${rest}`;
    const message = { to: [a!.member.name], subject: 'Spoof', body: 'x' };
    const refusals: [Promise<{ status: number; body: unknown }>, number, string, string][] = [
      [call(api.url, 'POST', at('/messages'), { token: newToken('agent').token, body: message }), 401, 'UNAUTHORIZED', 'belongs to no member'],
      [call(api.url, 'POST', at('/messages'), { body: message }), 401, 'UNAUTHORIZED', 'Who are you?'],
      [call(api.url, 'POST', at('/messages'), { token: c!.token, member: b!.member.name, body: message }), 401, 'UNAUTHORIZED', `This token is ${c!.member.name}'s`],
      [call(api.url, 'POST', at('/messages'), { token: c!.token, body: { ...message, actor: { kind: 'member', name: b!.member.name } } }), 400, 'INVALID_INPUT', '"actor" cannot be given'],
      [call(api.url, 'POST', at('/messages'), { token: c!.token, body: { ...message, from: b!.member.name } }), 400, 'INVALID_INPUT', 'unknown field "from"'],
      [call(api.url, 'GET', at('/inbox'), { token: newToken('agent').token }), 401, 'UNAUTHORIZED', 'belongs to no member'],
      // Someone else's message: c's token looks in c's own mailbox, where it is not.
      [call(api.url, 'GET', at(`/messages/${item.id}`), { token: c!.token }), 404, 'NOT_FOUND', `No message ${item.id} in ${c!.member.name}'s mailbox`],
      [call(api.url, 'POST', at(`/messages/${item.id}/read`), { token: c!.token }), 404, 'NOT_FOUND', `No message ${item.id}`],
      [call(api.url, 'POST', at(`/messages/${item.id}/ack`), { token: newToken('agent').token }), 401, 'UNAUTHORIZED', 'belongs to no member'],
    ];
    for (const [answer, status, code, fragment] of refusals) {
      expect(await answer).toEqual({ status, body: { error: expect.objectContaining({ code, message: expect.stringContaining(fragment) }) } });
    }
    // Still unread for b, nothing new anywhere.
    expect(await observe()).toEqual(before);
    expect(before.inbox.unread).toBe(1);
    expect((await project.messages.inbox(aActor!)).items).toEqual([]);
  });

  it('broadcasts to every active member except the sender, skipping those whose policy refuses', async () => {
    const { client: project } = await createProject({ human: 'alice' });
    const sender = await member(project);
    // The founder and a human she invited are members like the agents.
    const others = [await member(project), await member(project), memberActor('alice'), await invited(project, 'alice', 'bob')];
    const hermit = await member(project, { policy: 'block_all' });
    const retired = await member(project);
    await project.agents.retire(retired, retired.name);
    const result = await project.messages.broadcast(sender, { subject: 'Starting on src/auth/**', body: 'For an hour.' });
    expect(result.deliveredTo.sort()).toEqual(others.map((o) => o.name).sort());
    expect(result.skipped).toEqual([{ name: hermit.name, reason: expect.stringContaining('block_all') }]);
    for (const o of others) expect((await project.messages.inbox(o)).items[0]).toMatchObject({ id: result.messageId, broadcast: true, from: sender.name });
    expect((await project.messages.inbox(sender)).items).toEqual([]);
    expect((await project.messages.inbox(hermit)).items).toEqual([]);
    // A broadcast does not make its recipients contacts of each other, but they may answer it.
    expect((await project.messages.reply(others[0]!, result.messageId, { body: 'ok' })).deliveredTo).toEqual([sender.name]);
  });

  it('keeps a thread: replies share it and the thread view shows both directions in order', async () => {
    const { client: project } = await createProject();
    const [a, b, c] = [await member(project), await member(project), await member(project)];
    const opening = await project.messages.send(a, { to: [b.name], cc: [c.name], subject: 'Schema change', body: 'Adding a column.' });
    const answer = await project.messages.reply(b, opening.messageId, { body: 'Which table?', all: true });
    expect(answer.thread).toBe(opening.thread);
    expect(answer.deliveredTo.sort()).toEqual([a.name, c.name].sort());
    const back = await project.messages.reply(a, answer.messageId, { body: 'users' });
    expect(back.deliveredTo).toEqual([b.name]);
    const view = await project.messages.thread(a, opening.thread);
    expect(view.subject).toBe('Schema change');
    expect(view.messages.map((m) => [m.direction, m.from, m.subject])).toEqual([
      ['out', a.name, 'Schema change'],
      ['in', b.name, 'Re: Schema change'],
      ['out', a.name, 'Re: Schema change'],
    ]);
    expect(view.messages[1]!.replyTo).toBe(opening.messageId);
    await expect(project.messages.thread(a, 't-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sends system notices from baton for workflows, to names, humans or everyone; members may not', async () => {
    const { client: project } = await createProject({ human: 'carol' });
    const human = memberActor('carol');
    const hermit = await member(project, { policy: 'block_all' });
    const actor = { kind: 'workflow' as const, workflowId: 'baton/x/code-review/1', onBehalfOf: hermit.name };
    const toHumans = await project.messages.notify({ actor, to: 'humans', subject: 'Review needs approval', body: 'PR #7', importance: 'urgent' });
    expect(toHumans.deliveredTo).toEqual(['carol']);
    expect((await project.messages.inbox(human)).items[0]).toMatchObject({ from: 'baton', system: true, via: 'baton/x/code-review/1', importance: 'urgent' });
    const toAll = await project.messages.notify({ actor, to: 'all', subject: 'Pattern finished', body: 'done' });
    expect(toAll.deliveredTo.sort()).toEqual(['carol', hermit.name].sort());
    expect((await project.messages.inbox(human)).items[0]).toMatchObject({ id: toAll.messageId, broadcast: true });
    const named = await project.messages.notify({ actor, to: [hermit.name], subject: 'Your turn', body: 'step 2', idempotencyKey: 'step-2' });
    expect((await project.messages.notify({ actor, to: [hermit.name], subject: 'Your turn', body: 'step 2', idempotencyKey: 'step-2' })).messageId).toBe(named.messageId);
    expect((await project.messages.inbox(hermit)).items.map((m) => m.subject)).toEqual(['Your turn', 'Pattern finished']);
    await expect(project.messages.notify({ actor: human, to: 'all', subject: 'x', body: 'y' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(project.messages.reply(hermit, named.messageId, { body: 'ok' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('delivers notices other modules raise through the directory (a force-release tells the holder)', async () => {
    const { client: project } = await createProject({ human: 'dana' });
    const human = memberActor('dana');
    const holder = await member(project, { policy: 'block_all' });
    await project.reservations.reserve({ actor: holder, patterns: ['src/db/**'], reason: 'migration' });
    await project.reservations.forceRelease({ actor: human, holder: holder.name, reason: 'blocking the release' });
    // Queued in the project workflow and delivered in the background: wait for it (push).
    const got = await project.messages.wait(holder, { timeoutSeconds: 10 });
    expect(got.items).toEqual([expect.objectContaining({ from: 'baton', system: true, importance: 'high', subject: expect.stringContaining('force-released') })]);
    expect((await project.describe()).modules.messages).toMatchObject({ pendingNotices: 0 });
  });

  it('starts a mailbox per member at registration, findable by project and agent, with a readable describe', async () => {
    const { key, client: project } = await createProject();
    const a = await member(project);
    const info = await ctx.client.workflow.getHandle(mailboxWorkflowId(key, a.name)).describe();
    expect(info.status.name).toBe('RUNNING');
    expect(info.typedSearchAttributes.get(BatonProject)).toBe(key);
    expect(info.typedSearchAttributes.get(BatonKind)).toBe('mailbox');
    expect(info.typedSearchAttributes.get(BatonAgent)).toBe(a.name);
    const described = await project.messages.describeMailbox(a.name);
    expect(described).toMatchObject({ project: key, member: a.name, inbox: { total: 0, unread: 0 }, recent: [] });
    // The Web UI's search: BatonProject = key AND BatonKind = 'mailbox' AND BatonAgent = name (visibility lags a little).
    const query = `BatonProject = '${key}' AND BatonKind = 'mailbox' AND BatonAgent = '${a.name}'`;
    const deadline = Date.now() + 15_000;
    let found: string[] = [];
    while (found.length === 0 && Date.now() < deadline) {
      found = [];
      for await (const wf of ctx.client.workflow.list({ query })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found).toEqual([mailboxWorkflowId(key, a.name)]);
  });

  it('keeps mail, read state and dedupe across continue-as-new of mailboxes and the project', async () => {
    const { client: project } = await createProject({ settings: { maxHistoryEvents: 50 } });
    const [a, b] = [await member(project), await member(project)];
    const waiting = project.messages.wait(b, { timeoutSeconds: 120, filter: { urgent: true } });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await project.messages.send(a, { to: [b.name], subject: `n${i}`, body: 'x', idempotencyKey: `k${i}` })).messageId);
    await project.messages.read(b, ids[0]!);
    // Retries after both workflows continued as new still deliver once.
    expect((await project.messages.send(a, { to: [b.name], subject: 'n0', body: 'x', idempotencyKey: 'k0' })).duplicate).toBe(true);
    const urgent = await project.messages.send(a, { to: [b.name], subject: 'urgent', body: 'x', importance: 'urgent' });
    // The wait survived the mailbox's continue-as-new (released and re-issued by the client).
    expect((await waiting).items.map((m) => m.id)).toEqual([urgent.messageId]);
    expect((await project.messages.describeMailbox(b.name)).generation).toBeGreaterThan(0);
    expect((await project.describe()).generation).toBeGreaterThan(0);
    const inbox = await project.messages.inbox(b, { limit: 100 });
    expect(inbox.total).toBe(26);
    expect(inbox.unread).toBe(25);
    expect(new Set(inbox.items.map((m) => m.id)).size).toBe(26);
    expect(await project.messages.outbox(a, { limit: 100 })).toHaveLength(26);
  });
});
