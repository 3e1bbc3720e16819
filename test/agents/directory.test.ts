import { createTestContext, type TestContext } from '../support/temporal';
import { BatonError } from '../../src/domain/errors';

describe('agent directory (project workflow, real server)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('gives 60 concurrent registrations 60 distinct memorable names', async () => {
    const project = ctx.baton.project(ctx.project());
    const regs = await Promise.all(Array.from({ length: 60 }, (_, i) => project.agents.register({ program: 'claude-code', task: `task ${i}` })));
    const names = regs.map((r) => r.member.name.toLowerCase());
    expect(new Set(names).size).toBe(60);
    for (const r of regs) expect(r.member.name).toMatch(/^[A-Z][a-z]+[A-Z][a-z]+$/);
    expect((await project.agents.list()).length).toBe(60);
  });

  it('checks tokens: the right one identifies, a wrong one is refused', async () => {
    const project = ctx.baton.project(ctx.project());
    const a = await project.agents.register({ name: 'SwiftEagle', program: 'codex' });
    const b = await project.agents.register({});
    expect((await project.agents.whoami('SwiftEagle', a.token)).name).toBe('SwiftEagle');
    await expect(project.agents.whoami('swifteagle', b.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses taken, malformed and reserved names with specific errors and changes nothing', async () => {
    const project = ctx.baton.project(ctx.project());
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

  it('admits humans only from the settings, as the first human, or when invited by a human', async () => {
    const project = ctx.baton.project(ctx.project(), { humans: ['alice'] });
    const alice = await project.agents.register({ kind: 'human', name: 'alice' });
    await expect(project.agents.register({ kind: 'human', name: 'mallory' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const agent = await project.agents.register({});
    await expect(
      project.agents.register({ kind: 'human', name: 'mallory', invitedBy: { kind: 'member', name: agent.member.name, token: agent.token } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const bob = await project.agents.register({ kind: 'human', name: 'bob', invitedBy: { kind: 'member', name: 'alice', token: alice.token } });
    expect(bob.member.kind).toBe('human');
    expect(bob.member.trust).toBe('trusted');
  });

  it('lets an agent retire itself, not others; a human retires anyone; retired members stay listed with --all', async () => {
    const project = ctx.baton.project(ctx.project());
    const human = await project.agents.register({ kind: 'human', name: 'carol' });
    const a = await project.agents.register({});
    const b = await project.agents.register({});
    await expect(project.agents.retire({ kind: 'member', name: a.member.name, token: a.token }, b.member.name)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await project.agents.retire({ kind: 'member', name: a.member.name, token: a.token }, a.member.name)).status).toBe('retired');
    expect((await project.agents.retire({ kind: 'member', name: 'carol', token: human.token }, b.member.name)).status).toBe('retired');
    expect((await project.agents.list()).map((m) => m.name)).toEqual(['carol']);
    expect((await project.agents.list({ includeRetired: true })).length).toBe(3);
    await expect(project.agents.whoami(a.member.name, a.token)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps every member and token across continue-as-new', async () => {
    const project = ctx.baton.project(ctx.project(), { maxHistoryEvents: 50 });
    const regs = [];
    for (let i = 0; i < 30; i++) regs.push(await project.agents.register({ task: `t${i}` }));
    const described = await project.describe();
    expect(described.generation).toBeGreaterThan(0);
    expect((await project.agents.list()).length).toBe(30);
    for (const r of regs.slice(0, 5)) expect((await project.agents.whoami(r.member.name, r.token)).name).toBe(r.member.name);
  });
});
