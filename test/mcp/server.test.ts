/**
 * The MCP tools' behaviour, in-process: an SDK client talks to `createMcpServer(new McpSession(...))`
 * for a session acting as the member the Baton server would have verified from a token (or an
 * anonymous session that registers). Transports and token checks: transports.test.ts.
 */
import { createTestContext, type TestContext } from '../support/temporal';
import { member } from '../../src/schemas/actor';
import { TOOL_PROFILES } from '../../src/mcp/server';
import { agent, call, connectInProcess, ok, text, toolNames } from './support';
import { until, waitingFor } from '../patterns/support';

describe('MCP server (SDK client in-process, real Temporal)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('lists a tool for everything an agent does, with input schemas derived from the shared ones; `register` only while nobody is identified', async () => {
    const { key, client: project } = await ctx.createProject();
    const known = await project.agents.register({});
    const anonymous = await connectInProcess(ctx.baton, key);
    const identified = await connectInProcess(ctx.baton, key, agent(known.member.name));

    const everything = ['whoami', 'agents', 'reserve', 'check', 'release', 'renew', 'reservations', 'force_release', 'send', 'broadcast', 'reply', 'inbox', 'read', 'ack', 'thread', 'outbox', 'request_contact', 'approve_contact', 'progress', 'done', 'fail', 'review', 'pattern_status', 'patterns', 'claim', 'post_mortem', 'incident'];
    const named = await toolNames(identified);
    expect([...named].sort()).toEqual([...everything].sort());
    expect(await toolNames(anonymous)).toEqual(['register', ...named]);
    // No tool takes an identity: the session's is the only one.
    expect(named).not.toContain('login');

    const { tools } = await identified.listTools();
    const reserve = tools.find((t) => t.name === 'reserve')!;
    expect(Object.keys(reserve.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['patterns', 'reason', 'exclusive', 'ttlSeconds']));
    // The actor is the session's: never offered to the agent.
    for (const tool of tools) {
      expect(tool.inputSchema.properties ?? {}).not.toHaveProperty('actor');
      expect(tool.inputSchema.properties ?? {}).not.toHaveProperty('token');
    }
    expect(reserve.inputSchema.required).toEqual(expect.arrayContaining(['patterns', 'reason']));

    const core = await connectInProcess(ctx.baton, key, agent(known.member.name), 'core');
    expect(await toolNames(core)).toEqual([...TOOL_PROFILES.core]);
    await Promise.all([anonymous.close(), identified.close(), core.close()]);
  });

  it('registers, reserves, refuses a conflicting reserve with a clear error, and acts only as the session', async () => {
    const { key } = await ctx.createProject();
    const alice = await connectInProcess(ctx.baton, key);
    const bob = await connectInProcess(ctx.baton, key);

    const anonymous = await call(alice, 'reserve', { patterns: ['src/a.ts'], reason: 'x' });
    expect(anonymous.isError).toBe(true);
    expect(text(anonymous)).toMatch(/^\[UNAUTHORIZED\] Who are you\? Call the `register` tool first/);

    const a = await ok<{ name: string; token: string; project: string }>(alice, 'register', { program: 'claude-code', task: 'auth API' });
    const b = await ok<{ name: string }>(bob, 'register', { program: 'codex' });
    expect(a.token).toMatch(/^bt_/);
    expect(a.project).toBe(key);
    expect(b.name).not.toBe(a.name);
    expect((await ok<{ name: string }>(alice, 'whoami')).name).toBe(a.name);
    // A session registers once: afterwards `register` is neither listed nor callable.
    expect(await toolNames(alice)).not.toContain('register');
    expect(text(await call(alice, 'register', {}))).toMatch(/^\[NOT_FOUND\] No tool named "register" in this session/);

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
    await Promise.all([alice.close(), bob.close()]);
  });

  it('acts at the epoch the session was opened with: after a token rotation the old session is refused', async () => {
    const { key, client: project, human } = await ctx.createProject();
    const reg = await project.agents.register({});
    const session = await connectInProcess(ctx.baton, key, agent(reg.member.name, 0));
    expect((await ok<{ status: string }>(session, 'reserve', { patterns: ['docs/**'], reason: 'docs pass' })).status).toBe('granted');

    await project.agents.rotateToken(member(human.name), reg.member.name);
    const stale = await call(session, 'reserve', { patterns: ['docs/b.md'], reason: 'again' });
    expect(stale.structuredContent).toMatchObject({ error: { code: 'UNAUTHORIZED', details: { reason: 'stale-credential' } } });
    expect(text(stale)).toContain(`The token used for ${reg.member.name} was replaced`);

    const fresh = await connectInProcess(ctx.baton, key, agent(reg.member.name, 1));
    expect((await ok<{ name: string }>(fresh, 'whoami')).name).toBe(reg.member.name);
    await Promise.all([session.close(), fresh.close()]);
  });

  it('sends, waits in the inbox for new mail, reads, acks and replies', async () => {
    const { key } = await ctx.createProject();
    const alice = await connectInProcess(ctx.baton, key);
    const bob = await connectInProcess(ctx.baton, key);
    const a = await ok<{ name: string }>(alice, 'register', { task: 'API' });
    const b = await ok<{ name: string }>(bob, 'register', { task: 'UI', contactPolicy: 'open' });

    const empty = await ok<{ lastSeq: number }>(bob, 'inbox', {});
    // Bob waits; Alice's message arrives while he waits and ends the wait (not its 30 s timeout).
    const waiting = ok<{ items: { id: string; subject: string; from: string }[]; timedOut: boolean }>(bob, 'inbox', { wait: 30, afterSeq: empty.lastSeq });
    await new Promise((r) => setTimeout(r, 500));
    const sent = await ok<{ messageId: string; deliveredTo: string[] }>(alice, 'send', { to: [b.name], subject: 'API ready', body: 'GET /users is in', ackRequired: true });
    expect(sent.deliveredTo).toEqual([b.name]);
    const got = await waiting;
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
    const { key, client: project, human } = await ctx.createProject({ prefix: 'mcp-pat' });
    const session = await connectInProcess(ctx.baton, key);
    const me = await ok<{ name: string }>(session, 'register', { program: 'claude-code' });
    const { workflowId } = await project.patterns.start(
      'sequential-handoff',
      { title: 'Sign-up form', steps: [{ name: 'form', agent: me.name, task: 'Build the sign-up form', files: ['web/signup/**'] }] },
      { startedBy: human.name },
    );

    const mail = await ok<{ items: { subject: string; body: string }[] }>(session, 'inbox', { wait: 30 });
    expect(mail.items[0]?.body).toContain(workflowId);
    await until(project, workflowId, waitingFor(me.name));
    expect((await ok<{ message: string }>(session, 'progress', { workflow: workflowId, note: 'form skeleton in place' })).message).toBeTruthy();

    const vague = await call(session, 'done', { workflow: workflowId, summary: 'done', handoff: { whatWasDone: 'done' } });
    expect(vague.isError).toBe(true);
    expect(text(vague)).toMatch(/^\[INVALID_INPUT\] .*howToTest is empty/);

    await ok(session, 'done', {
      workflow: workflowId,
      summary: 'form ready',
      handoff: { whatWasDone: 'Built the sign-up form with client-side validation', where: ['web/signup/form.tsx'], howToTest: 'npm test -- signup' },
    });
    const result = await project.patterns.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(result.steps[0]).toMatchObject({ agent: me.name, outcome: 'done', handoff: { where: ['web/signup/form.tsx'] } });
    await session.close();
  });

  it('claims an emergency: one agent wins, the other hears who has it', async () => {
    const { key, client: project, human } = await ctx.createProject({ prefix: 'mcp-emg' });
    const first = await connectInProcess(ctx.baton, key);
    const second = await connectInProcess(ctx.baton, key);
    const winner = await ok<{ name: string }>(first, 'register', {});
    await ok(second, 'register', {});
    const { workflowId } = await project.patterns.start('emergency-response', { title: 'Checkout down', description: 'POST /checkout returns 502', files: ['src/checkout/**'] }, { startedBy: human.name });

    expect(await ok(first, 'claim', { workflow: workflowId, note: 'on it' })).toMatchObject({ claimedBy: winner.name });
    const late = await call(second, 'claim', { workflow: workflowId });
    expect(late.isError).toBe(true);
    expect(text(late)).toMatch(new RegExp(`^\\[CONFLICT\\] .*already claimed by ${winner.name}`));
    expect(await ok(second, 'incident', { workflow: workflowId })).toMatchObject({ claimant: winner.name, title: 'Checkout down' });
    // A human ends the drill, so no step of it is still running when the worker stops.
    await project.patterns.cancel(workflowId, { name: human.name }, 'drill over');
    await Promise.all([first.close(), second.close()]);
  });

  it('answers bad arguments with the same messages as the client, refuses human-only tools to an agent, and refuses unknown tools', async () => {
    const { key, client: project } = await ctx.createProject();
    const session = await connectInProcess(ctx.baton, key);
    const me = await ok<{ name: string }>(session, 'register', {});

    const emptyReason = await call(session, 'reserve', { patterns: ['src/x.ts'], reason: '' });
    const fromClient = await project.reservations
      .reserve({ actor: member(me.name), patterns: ['src/x.ts'], reason: '' })
      .then(() => new Error('the client accepted an empty reason'), (e: Error) => e);
    expect(text(emptyReason)).toBe(`[INVALID_INPUT] ${fromClient.message}`);

    const misspelt = await call(session, 'reserve', { patterns: ['src/x.ts'], reason: 'r', ttl: 60 });
    expect(text(misspelt)).toMatch(/^\[INVALID_INPUT\] Invalid reserve request: unknown field "ttl"; expected .*ttlSeconds/);
    // Naming someone else is not a way in: there is no actor argument to pass.
    const posing = await call(session, 'reserve', { patterns: ['src/x.ts'], reason: 'r', actor: { kind: 'member', name: 'alice' } });
    expect(text(posing)).toMatch(/^\[INVALID_INPUT\] Invalid reserve request: unknown field "actor"/);

    expect(text(await call(session, 'release', {}))).toContain('exactly one of them');
    const force = await call(session, 'force_release', { holder: me.name, reason: 'stuck' });
    expect(force.structuredContent).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(text(await call(session, 'login', { name: 'alice' }))).toMatch(/^\[NOT_FOUND\] No tool named "login" in this session; the tools are whoami, /);
    await session.close();
  });
});
