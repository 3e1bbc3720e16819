import { createTestContext, type TestContext } from '../support/temporal';
import { call, type ErrorAnswer } from '../support/http';
import { BatonError } from '../../src/domain/errors';
import { member } from '../../src/schemas/actor';
import type { MemberView } from '../../src/schemas/agents';
import { BatonApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import { hashToken } from '../../src/domain/agents/token-hash';
import { newToken } from '../../src/client/tokens';
import { workflowActor } from '../../src/client/reservations';
import { inviteHumanUpdate, registerUpdate } from '../../src/workflows/project/directory-api';

describe('agent directory (project workflow, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  const as = (token: string, key: string) => new BatonApi({ baseUrl: api.url, token }).project(key);
  const me = (key: string, token: string, claimed?: string) => call<MemberView | ErrorAnswer>(api.url, 'GET', `/v1/projects/${key}/members/me`, { token, member: claimed });

  it('gives 60 concurrent registrations 60 distinct memorable names', async () => {
    const { client: project } = await ctx.createProject();
    const regs = await Promise.all(Array.from({ length: 60 }, (_, i) => project.agents.register({ program: 'claude-code', task: `task ${i}` })));
    const names = regs.map((r) => r.member.name.toLowerCase());
    expect(new Set(names).size).toBe(60);
    for (const r of regs) expect(r.member.name).toMatch(/^[A-Z][a-z]+[A-Z][a-z]+$/);
    for (const r of regs) expect(r.token).toMatch(/^bt_/);
    expect(new Set(regs.map((r) => r.token)).size).toBe(60);
    expect((await project.agents.list({ kind: 'agent' })).length).toBe(60);
    // The founder came with the project; nobody else is there.
    expect((await project.agents.list()).map((m) => m.name).filter((n) => !names.includes(n.toLowerCase()))).toEqual(['alice']);
  });

  it('identifies a member by its token through the server; a wrong, malformed, foreign or missing token is refused 401 and changes nothing', async () => {
    const { key, client: project } = await ctx.createProject();
    const other = await ctx.createProject();
    const a = await project.agents.register({ name: 'SwiftEagle', program: 'codex' });
    const b = await project.agents.register({});
    expect(await as(a.token, key).agents.whoami()).toMatchObject({ name: 'SwiftEagle', kind: 'agent', program: 'codex' });
    expect((await project.agents.whoami(member('SwiftEagle'))).name).toBe('SwiftEagle');
    // The directory keeps only the token's hash, and resolves it to its member.
    expect(await project.agents.tokenOwner(hashToken(a.token))).toEqual({ name: 'SwiftEagle', kind: 'agent', epoch: 0, retired: false });
    expect(await project.agents.tokenOwner(newToken('agent').tokenHash)).toBeNull();

    const before = await project.agents.list({ includeRetired: true });
    const refusals: [Promise<{ status: number; body: unknown }>, string][] = [
      [me(key, newToken('agent').token), 'belongs to no member'],
      [me(key, b.token, 'swifteagle'), `This token is ${b.member.name}'s, not swifteagle's`],
      [me(key, 'x'.repeat(32)), 'is not a Baton token'],
      [me(key, ''), 'Who are you?'],
      [me(other.key, a.token), `belongs to no member of project ${other.key}`],
      // A wrong token does not get as far as the body: b stays active.
      [call(api.url, 'POST', `/v1/projects/${key}/members/${b.member.name}/retire`, { token: newToken('agent').token }), 'belongs to no member'],
    ];
    for (const [answer, fragment] of refusals) {
      expect(await answer).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining(fragment) } } });
    }
    await expect(project.agents.whoami(member('NoSuchAgent'))).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('No member named "NoSuchAgent"') });
    expect(await project.agents.list({ includeRetired: true })).toEqual(before);
    expect((await project.agents.get(b.member.name)).status).toBe('active');
  });

  it('refuses taken, malformed and reserved names with specific errors and changes nothing', async () => {
    const { client: project } = await ctx.createProject();
    await project.agents.register({ name: 'BoldMountain' });
    const before = await project.agents.list();
    await expect(project.agents.register({ name: 'boldmountain' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(project.agents.register({ name: 'BoldMountain' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining('taken') });
    await expect(project.agents.register({ name: 'all' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('adjective+noun') });
    await expect(project.agents.register({ name: 'HappyAgent' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('reserved') });
    const err = await project.agents.register({ name: '' }).catch((e: BatonError) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('name') });
    expect(await project.agents.list()).toEqual(before);
  });

  it('admits humans only with the project (the founder) or invited by a human; agents, workflows and registration cannot make one', async () => {
    const { key, client: project, human } = await ctx.createProject({ human: 'alice' });
    expect(human.token).toMatch(/^bh_/);
    const alice = await project.agents.get('alice');
    expect(alice).toMatchObject({ name: 'alice', kind: 'human', trust: 'trusted' });
    expect(alice.invitedBy).toBeUndefined();
    expect(await project.agents.tokenOwner(hashToken(human.token))).toMatchObject({ name: 'alice', kind: 'human' });
    const agent = await project.agents.register({});

    const before = await project.agents.list({ includeRetired: true });
    await expect(project.agents.inviteHuman(member(agent.member.name), 'mallory')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Only a human may invite a human') });
    // A pattern workflow acting for a human is not that human in person.
    await expect(
      project.channel.update(inviteHumanUpdate, { actor: workflowActor(`baton/${key}/onboarding/1`, 'alice'), name: 'mallory', tokenHash: newToken('human').tokenHash } as never),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('pattern workflow') });
    // Registration is for agents: asking to be a human is refused, whatever name is asked for.
    await expect(
      project.channel.update(registerUpdate, { kind: 'human', name: 'mallory', contactPolicy: 'open', tokenHash: newToken('human').tokenHash } as never),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Humans do not register') });
    // Through the server: an agent's token is refused on the invite route, and registration has no `kind`.
    expect(await call(api.url, 'POST', `/v1/projects/${key}/humans`, { token: agent.token, body: { name: 'mallory' } })).toEqual({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token") } },
    });
    expect(await call(api.url, 'POST', `/v1/projects/${key}/agents`, { body: { name: 'mallory', kind: 'human' } })).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_INPUT', message: expect.stringContaining('unknown field "kind"') } },
    });
    expect(await project.agents.list({ includeRetired: true })).toEqual(before);

    const bob = await project.agents.inviteHuman(member('alice'), 'bob');
    expect(bob.token).toMatch(/^bh_/);
    expect(bob.member).toMatchObject({ name: 'bob', kind: 'human', trust: 'trusted', invitedBy: 'alice' });
    // An invited human invites in turn, through the server with their own token.
    const carol = await as(bob.token, key).agents.inviteHuman('carol');
    expect(carol.member).toMatchObject({ name: 'carol', kind: 'human', invitedBy: 'bob' });
    expect((await as(carol.token, key).agents.whoami()).name).toBe('carol');
    await expect(project.agents.inviteHuman(member('alice'), 'BOB')).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining('taken') });
    await expect(project.agents.inviteHuman(member('alice'), 'all')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('reserved') });
    expect((await project.agents.list({ kind: 'human' })).map((m) => m.name)).toEqual(['alice', 'bob', 'carol']);
  });

  it('lets an agent retire itself, not others; a human retires anyone but the last human; retirement raises the epoch and ends the token', async () => {
    const { key, client: project, human } = await ctx.createProject({ human: 'carol' });
    const a = await project.agents.register({});
    const b = await project.agents.register({});
    const c = await project.agents.register({});
    await expect(project.agents.retire(member(a.member.name), b.member.name)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('agents retire themselves') });
    expect((await project.agents.get(b.member.name)).status).toBe('active');
    expect((await project.agents.retire(member(a.member.name), a.member.name)).status).toBe('retired');
    expect((await project.agents.retire(member('carol'), b.member.name)).status).toBe('retired');
    // Through the server: an agent retires itself with its token, and the token stops working at once.
    expect((await as(c.token, key).agents.retire(c.member.name)).status).toBe('retired');
    expect(await me(key, c.token)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('is retired') } } });

    expect((await project.agents.list()).map((m) => m.name)).toEqual(['carol']);
    expect((await project.agents.list({ includeRetired: true })).length).toBe(4);
    expect(await project.agents.tokenOwner(hashToken(a.token))).toEqual({ name: a.member.name, kind: 'agent', epoch: 1, retired: true });
    const retired = await project.agents.whoami(member(a.member.name)).catch((e: BatonError) => e);
    expect(retired).toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'retired' } });
    await expect(project.agents.retire(member('carol'), a.member.name)).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('already retired') });
    // The last human stays: the project would have nobody to approve anything.
    await expect(as(human.token, key).agents.retire('carol')).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('last human') });
    expect((await project.agents.get('carol')).status).toBe('active');
  });

  it('rotates a token: the old one stops working through the server, an old epoch is refused as stale, only a human rotates another member', async () => {
    const { key, client: project } = await ctx.createProject({ human: 'dana' });
    const a = await project.agents.register({});
    const b = await project.agents.register({});
    const name = a.member.name;
    expect((await as(a.token, key).agents.whoami()).name).toBe(name);
    await expect(project.agents.rotateToken(member(b.member.name), name)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('members rotate their own') });
    expect(await project.agents.tokenOwner(hashToken(a.token))).toMatchObject({ name, epoch: 0 });

    const rotated = await as(a.token, key).agents.rotateToken(name);
    expect(rotated.token).toMatch(/^bt_/);
    expect(rotated.token).not.toBe(a.token);
    expect(await me(key, a.token)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('belongs to no member') } } });
    expect((await as(rotated.token, key).agents.whoami()).name).toBe(name);
    expect(await project.agents.tokenOwner(hashToken(a.token))).toBeNull();
    expect(await project.agents.tokenOwner(hashToken(rotated.token))).toEqual({ name, kind: 'agent', epoch: 1, retired: false });

    // A caller that verified the old token sends the old epoch: the directory and the mailbox refuse it.
    const before = await project.reservations.list();
    for (const stale of [
      () => project.agents.whoami(member(name, 0)),
      () => project.reservations.reserve({ actor: member(name, 0), patterns: ['src/a.ts'], reason: 'stale' }),
      () => project.messages.inbox(member(name, 0)),
    ]) {
      await expect(stale()).rejects.toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'stale-credential' } });
    }
    expect(await project.reservations.list()).toEqual(before);
    expect((await project.agents.whoami(member(name, 1))).name).toBe(name);

    // A human rotates an agent's token out of band (the typed client), while this server still has the
    // old one cached: the next call with it is refused all the same (the epoch is stale), and so is the one after.
    expect((await as(b.token, key).agents.whoami()).name).toBe(b.member.name);
    const replaced = await project.agents.rotateToken(member('dana'), b.member.name);
    expect(await me(key, b.token)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('was replaced'), details: { reason: 'stale-credential' } } } });
    expect(await me(key, b.token)).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('belongs to no member') } } });
    expect((await as(replaced.token, key).agents.whoami()).name).toBe(b.member.name);
  });

  it('keeps every member and token across continue-as-new', async () => {
    const { key, client: project } = await ctx.createProject({ settings: { maxHistoryEvents: 50 } });
    const regs = [];
    for (let i = 0; i < 30; i++) regs.push(await project.agents.register({ task: `t${i}` }));
    const described = await project.describe();
    expect(described.generation).toBeGreaterThan(0);
    expect((await project.agents.list({ kind: 'agent' })).length).toBe(30);
    for (const r of regs) expect(await project.agents.tokenOwner(hashToken(r.token))).toMatchObject({ name: r.member.name, retired: false });
    for (const r of regs.slice(0, 5)) expect((await as(r.token, key).agents.whoami()).name).toBe(r.member.name);
  });
});
