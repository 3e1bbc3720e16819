import { createTestContext, type TestContext } from '../support/temporal';
import { call, connectInProcess, ok, text } from './support';
import { until, waitingFor } from '../patterns/support';

describe('MCP server (SDK client in-process, real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('lists a tool for everything an agent does, with input schemas derived from the shared ones', async () => {
    const client = await connectInProcess(ctx.baton, ctx.project());
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['register', 'login', 'whoami', 'agents', 'reserve', 'check', 'release', 'renew', 'reservations', 'send', 'broadcast', 'reply', 'inbox', 'read', 'ack', 'thread', 'progress', 'done', 'fail', 'review', 'claim', 'post_mortem', 'incident']));
    const reserve = tools.find((t) => t.name === 'reserve')!;
    // The actor is the session's: never offered to the agent.
    expect(Object.keys(reserve.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['patterns', 'reason', 'exclusive', 'ttlSeconds']));
    expect(reserve.inputSchema.properties).not.toHaveProperty('actor');
    expect(reserve.inputSchema.required).toEqual(expect.arrayContaining(['patterns', 'reason']));
    await client.close();
  });

  it('registers, reserves, refuses a conflicting reserve with a clear error, and checks identity', async () => {
    const project = ctx.project();
    const alice = await connectInProcess(ctx.baton, project);
    const bob = await connectInProcess(ctx.baton, project);

    const anonymous = await call(alice, 'reserve', { patterns: ['src/a.ts'], reason: 'x' });
    expect(anonymous.isError).toBe(true);
    expect(text(anonymous)).toMatch(/^\[UNAUTHORIZED\] Who are you\? Call the `register` tool/);

    const a = await ok<{ name: string; token: string }>(alice, 'register', { program: 'claude-code', task: 'auth API' });
    const b = await ok<{ name: string }>(bob, 'register', { program: 'codex' });
    expect(a.token).toMatch(/^bt_/);
    expect((await ok<{ name: string }>(alice, 'whoami')).name).toBe(a.name);

    const granted = await ok<{ status: string; reservations: { holder: string; pattern: string }[] }>(alice, 'reserve', { patterns: ['src/auth/**'], reason: 'login redirect fix' });
    expect(granted).toMatchObject({ status: 'granted', reservations: [{ holder: a.name, pattern: 'src/auth/**' }] });

    const conflict = await call(bob, 'reserve', { patterns: ['src/auth/login.ts'], reason: 'typo' });
    expect(conflict.isError).toBe(true);
    expect(text(conflict)).toContain('[CONFLICT] Nothing reserved: src/auth/login.ts overlaps src/auth/**: held by');
    expect(text(conflict)).toContain(`held by ${a.name} (exclusive, until `);
    expect(text(conflict)).toContain('reason "login redirect fix"');
    expect(conflict.structuredContent).toMatchObject({ error: { code: 'CONFLICT', details: { conflicts: [{ holder: a.name, heldPattern: 'src/auth/**' }] } } });

    const check = await ok<{ clear: boolean }>(bob, 'check', { paths: ['src/auth/login.ts'] });
    expect(check.clear).toBe(false);
    // One's own reservations never conflict.
    expect((await ok<{ clear: boolean }>(alice, 'check', { paths: ['src/auth/login.ts'] })).clear).toBe(true);

    await ok(alice, 'release', { all: true });
    expect((await ok<{ status: string }>(bob, 'reserve', { patterns: ['src/auth/login.ts'], reason: 'typo' })).status).toBe('granted');
    expect((await ok<{ total: number }>(alice, 'reservations', {})).total).toBe(1);
    expect(b.name).not.toBe(a.name);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('sends, waits in the inbox for new mail, reads, acks and replies', async () => {
    const project = ctx.project();
    const alice = await connectInProcess(ctx.baton, project);
    const bob = await connectInProcess(ctx.baton, project);
    const a = await ok<{ name: string }>(alice, 'register', { task: 'API' });
    const b = await ok<{ name: string }>(bob, 'register', { task: 'UI', contactPolicy: 'open' });

    const empty = await ok<{ lastSeq: number }>(bob, 'inbox', {});
    // Bob waits; Alice's message arrives while he waits and ends the wait early.
    const started = Date.now();
    const waiting = ok<{ items: { id: string; subject: string; from: string }[]; timedOut: boolean }>(bob, 'inbox', { wait: 30, afterSeq: empty.lastSeq });
    await new Promise((r) => setTimeout(r, 500));
    const sent = await ok<{ messageId: string; deliveredTo: string[] }>(alice, 'send', { to: [b.name], subject: 'API ready', body: 'GET /users is in', ackRequired: true });
    expect(sent.deliveredTo).toEqual([b.name]);
    const got = await waiting;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(got).toMatchObject({ timedOut: false, items: [{ id: sent.messageId, subject: 'API ready', from: a.name }] });

    await ok(bob, 'ack', { messageId: sent.messageId });
    const answer = await ok<{ deliveredTo: string[] }>(bob, 'reply', { messageId: sent.messageId, body: 'thanks' });
    expect(answer.deliveredTo).toEqual([a.name]);
    const timedOut = await ok<{ items: unknown[]; timedOut: boolean }>(bob, 'inbox', { wait: 1, afterSeq: empty.lastSeq + 1 });
    expect(timedOut).toMatchObject({ items: [], timedOut: true });

    const noRecipient = await call(alice, 'send', { subject: 's', body: 'b' });
    expect(text(noRecipient)).toContain('to: must name at least one recipient');
    await Promise.all([alice.close(), bob.close()]);
  });

  it('takes part in a pattern: the assignment arrives in the inbox, progress, a vague handoff is refused, done with a handoff', async () => {
    const key = ctx.project('mcp-pat');
    const project = ctx.baton.project(key, { humans: ['alice'] });
    await project.agents.register({ kind: 'human', name: 'alice' });
    const agent = await connectInProcess(ctx.baton, key);
    const me = await ok<{ name: string }>(agent, 'register', { program: 'claude-code' });
    const { workflowId } = await project.patterns.start('sequential-handoff', {
      title: 'Sign-up form',
      steps: [{ name: 'form', agent: me.name, task: 'Build the sign-up form', files: ['web/signup/**'] }],
    });

    const mail = await ok<{ items: { subject: string; body: string }[] }>(agent, 'inbox', { wait: 30 });
    expect(mail.items[0]?.body).toContain(workflowId);
    await until(project, workflowId, waitingFor(me.name));
    expect((await ok<{ message: string }>(agent, 'progress', { workflow: workflowId, note: 'form skeleton in place' })).message).toBeTruthy();

    const vague = await call(agent, 'done', { workflow: workflowId, summary: 'done', handoff: { whatWasDone: 'done' } });
    expect(vague.isError).toBe(true);
    expect(text(vague)).toMatch(/^\[INVALID_INPUT\] .*howToTest is empty/);

    await ok(agent, 'done', {
      workflow: workflowId,
      summary: 'form ready',
      handoff: { whatWasDone: 'Built the sign-up form with client-side validation', where: ['web/signup/form.tsx'], howToTest: 'npm test -- signup' },
    });
    const result = await project.patterns.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(result.steps[0]).toMatchObject({ agent: me.name, outcome: 'done', handoff: { where: ['web/signup/form.tsx'] } });
    await agent.close();
  });

  it('claims an emergency: one agent wins, the other hears who has it', async () => {
    const key = ctx.project('mcp-emg');
    const project = ctx.baton.project(key, { humans: ['alice'] });
    const alice = await project.agents.register({ kind: 'human', name: 'alice' });
    const first = await connectInProcess(ctx.baton, key);
    const second = await connectInProcess(ctx.baton, key);
    const winner = await ok<{ name: string }>(first, 'register', {});
    await ok(second, 'register', {});
    const { workflowId } = await project.emergency.start({ title: 'Checkout down', description: 'POST /checkout returns 502', files: ['src/checkout/**'] }, { startedBy: 'alice' });

    expect(await ok(first, 'claim', { workflow: workflowId, note: 'on it' })).toMatchObject({ claimedBy: winner.name });
    const late = await call(second, 'claim', { workflow: workflowId });
    expect(late.isError).toBe(true);
    expect(text(late)).toMatch(new RegExp(`^\\[CONFLICT\\] .*already claimed by ${winner.name}`));
    expect(await ok(second, 'incident', { workflow: workflowId })).toMatchObject({ claimant: winner.name, title: 'Checkout down' });
    // A human ends the drill, so no step of it is still running when the worker stops.
    await project.patterns.cancel(workflowId, { name: 'alice', token: alice.token }, 'drill over');
    await Promise.all([first.close(), second.close()]);
  });

  it('answers bad arguments with the same messages as the client, and refuses a wrong token at login', async () => {
    const project = ctx.project();
    const client = await connectInProcess(ctx.baton, project);
    const me = await ok<{ name: string; token: string }>(client, 'register', {});

    const emptyReason = await call(client, 'reserve', { patterns: ['src/x.ts'], reason: '' });
    const fromClient = await ctx.baton
      .project(project)
      .reservations.reserve({ actor: { kind: 'member', name: me.name, token: me.token }, patterns: ['src/x.ts'], reason: '' })
      .then(() => new Error('the client accepted an empty reason'), (e: Error) => e);
    expect(text(emptyReason)).toBe(`[INVALID_INPUT] ${fromClient.message}`);

    const misspelt = await call(client, 'reserve', { patterns: ['src/x.ts'], reason: 'r', ttl: 60 });
    expect(text(misspelt)).toMatch(/^\[INVALID_INPUT\] Invalid reserve request: unknown field "ttl"; expected .*ttlSeconds/);

    const release = await call(client, 'release', {});
    expect(text(release)).toContain('exactly one of them');

    const other = await connectInProcess(ctx.baton, project);
    const wrong = await call(other, 'login', { name: me.name, token: 'bt_' + 'x'.repeat(32) });
    expect(text(wrong)).toMatch(/^\[UNAUTHORIZED\]/);
    expect(text(await call(other, 'whoami'))).toMatch(/^\[UNAUTHORIZED\]/);
    expect((await ok<{ name: string }>(other, 'login', { name: me.name, token: me.token })).name).toBe(me.name);
    await Promise.all([client.close(), other.close()]);
  });
});
