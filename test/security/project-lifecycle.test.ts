import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { BatonApi } from '../../src/api-client';
import {
  baton,
  bearer,
  createTeam,
  expectCliRefused,
  expectRefused,
  expectToolRefused,
  guardedCommit,
  guardedRepo,
  mcpRefusedAtOpen,
  mcpSession,
  request,
  securityEnv,
  shell,
  STATUS,
  tool,
  type SecurityEnv,
  type Team,
} from './support';

/**
 * Projects never reset silently: a project that ended says who ended it (through every surface) and
 * is never restarted by a call; re-creating its key takes a human of the ended project; a project
 * ended by an operator (a terminate from the Web UI) is no different.
 */
describe('security: ended projects and re-creating a key', () => {
  let env: SecurityEnv;
  beforeAll(async () => {
    env = await securityEnv();
  });
  afterAll(() => env.close());

  /** The project workflow's latest run: a restart (or a re-creation) would be a new run. */
  const latestRun = async (key: string) => {
    const info = await env.ctx.client.workflow.getHandle(`baton/${key}/project`).describe();
    return { runId: info.runId, status: info.status.name };
  };

  describe('a project a human shut down', () => {
    let e: Team;
    let other: Team;
    let repo: string;
    let before: Awaited<ReturnType<typeof latestRun>>;
    const ended = (key: string) => new RegExp(`Project ${key} has ended: shut down by alice at \\S+ \\(moving to the new repo\\)\\. Nothing was started in its place`);

    beforeAll(async () => {
      e = await createTeam(env, { prefix: 'sec-ended', agents: ['SwiftEagle', 'BoldMountain'] });
      other = await createTeam(env, { prefix: 'sec-elsewhere' });
      await e.as('SwiftEagle').reservations.reserve({ patterns: ['src/auth/**'], reason: 'rewriting login' });
      repo = guardedRepo(env, e.key, ['src/auth/login.ts']);
      // Through the CLI, confirmed by repeating the key, by a human.
      const sh = shell(env, e.key, { BATON_HUMAN_TOKEN: e.token('alice') });
      expect(await baton(sh, 'shutdown', '--reason', 'moving to the new repo', '--confirm', e.key)).toMatchObject({ code: 0, stdout: expect.stringContaining('(by alice at ') });
      before = await latestRun(e.key);
      expect(before.status).toBe('COMPLETED');
    });
    // Whatever the surface, no call started a project in its place.
    const notRestarted = async () => expect(await latestRun(e.key)).toEqual(before);

    it('HTTP: a write, a read and a registration each say who ended it and why (409 INVALID_STATE)', async () => {
      const call = (method: string, path: string, options = {}) => request(env.url, method, `/v1/projects/${e.key}${path}`, options);
      expectRefused(await call('POST', '/reservations', { token: e.token('SwiftEagle'), body: { patterns: ['src/x.ts'], reason: 'x' } }), 'INVALID_STATE', ended(e.key));
      expectRefused(await call('GET', '/inbox', { token: e.token('SwiftEagle') }), 'INVALID_STATE', ended(e.key));
      expectRefused(await call('POST', '/agents', { body: { name: 'FreshStart' } }), 'INVALID_STATE', ended(e.key));
      expectRefused(await request(env.url, 'POST', '/v1/projects', { body: { project: e.key, human: 'mallory' } }), 'INVALID_STATE', ended(e.key));
      await notRestarted();
    });

    it('CLI: exit 6 [INVALID_STATE] naming who ended it, for an agent and for a newcomer', async () => {
      expectCliRefused(await baton(shell(env, e.key, { BATON_AGENT: 'SwiftEagle', BATON_TOKEN: e.token('SwiftEagle') }), 'reserve', 'src/x.ts', '--reason', 'x'), 'INVALID_STATE', ended(e.key));
      expectCliRefused(await baton(shell(env, e.key), 'register'), 'INVALID_STATE', ended(e.key));
      expectCliRefused(await baton(shell(env, e.key), 'init', '--human', 'mallory'), 'INVALID_STATE', ended(e.key));
      await notRestarted();
    });

    it('MCP: opening a session is 409 INVALID_STATE naming who ended it; an anonymous session cannot register', async () => {
      const refused = await mcpRefusedAtOpen(env, e.key, bearer(e.token('SwiftEagle')));
      expect({ status: refused.status, code: refused.code }).toEqual({ status: STATUS.INVALID_STATE, code: 'INVALID_STATE' });
      expect(refused.message).toMatch(ended(e.key));
      const anonymous: McpClient = await mcpSession(env, e.key);
      expectToolRefused(await tool(anonymous, 'register', {}), 'INVALID_STATE', ended(e.key));
      await anonymous.close();
      await notRestarted();
    });

    it("the guard: says the project ended, and does not block on the ended project's leases", async () => {
      const hook = await guardedCommit(repo, shell(env, undefined, { BATON_AGENT: 'BoldMountain', BATON_TOKEN: e.token('BoldMountain') }), 'src/auth/login.ts');
      expect(hook.stderr).toMatch(new RegExp(`could not check reservations in project ${e.key} \\[INVALID_STATE\\] ${ended(e.key).source}`));
      expect(hook.stderr).not.toContain('held by SwiftEagle');
      expect(hook.status).toBe(0);
      await notRestarted();
    });

    describe('re-creating the key (init --replace) takes a human of the ended project', () => {
      const replace = (options: { token?: string }) => request(env.url, 'POST', '/v1/projects', { ...options, body: { project: e.key, human: 'mallory', replace: true } });
      const cases: [string, () => { token?: string }, string, string][] = [
        ['no token', () => ({}), 'UNAUTHORIZED', 'Re-creating project'],
        ['a wrong token', () => ({ token: 'bh_' + 'Z'.repeat(32) }), 'UNAUTHORIZED', 'This token belongs to no member of the ended project'],
        ["another project's human token", () => ({ token: other.token('alice') }), 'UNAUTHORIZED', 'This token belongs to no member of the ended project'],
        ["an agent's token of the ended project", () => ({ token: e.token('SwiftEagle') }), 'FORBIDDEN', 'SwiftEagle was an agent in the ended project'],
      ];
      it.each(cases)('HTTP with %s is refused, and the key stays ended', async (_name, options, code, message) => {
        expectRefused(await replace(options()), code as 'FORBIDDEN', message);
        await notRestarted();
      });

      it('CLI: an agent passing its token as the human one: exit 5 [FORBIDDEN]', async () => {
        expectCliRefused(await baton(shell(env, e.key, { BATON_HUMAN_TOKEN: e.token('BoldMountain') }), 'init', '--human', 'mallory', '--replace', '--no-save'), 'FORBIDDEN', 'BoldMountain was an agent in the ended project');
        await notRestarted();
      });

      it("CLI: alice (a human of it) re-creates it; the ended project's tokens open nothing in the new one", async () => {
        const out = await baton(shell(env, e.key, { BATON_HUMAN_TOKEN: e.token('alice') }), 'init', '--human', 'alice', '--replace', '--no-save');
        expect(out).toMatchObject({ code: 0, stdout: expect.stringContaining(`Re-created project ${e.key} with alice as its first human.`) });
        const now = await latestRun(e.key);
        expect(now.status).toBe('RUNNING');
        expect(now.runId).not.toBe(before.runId);
        for (const name of ['alice', 'SwiftEagle']) {
          expectRefused(await request(env.url, 'GET', `/v1/projects/${e.key}/members/me`, { token: e.token(name) }), 'UNAUTHORIZED', `This token belongs to no member of project ${e.key}`);
        }
        // Nothing crossed over: no member but the new human, no lease.
        const fresh = env.ctx.baton.project(e.key);
        expect((await fresh.agents.list({ includeRetired: true })).map((m) => m.name)).toEqual(['alice']);
        expect((await fresh.reservations.list()).total).toBe(0);
      });
    });
  });

  it('a project an operator terminated (the Web UI) says so and is not restarted by a call', async () => {
    const f = await createTeam(env, { prefix: 'sec-terminated', agents: ['SwiftEagle'] });
    await env.ctx.client.workflow.getHandle(`baton/${f.key}/project`).terminate('stopped from the Web UI');
    const before = await latestRun(f.key);
    const terminated = new RegExp(`Project ${f.key} has ended: terminated.*\\(stopped from the Web UI\\)\\. Nothing was started in its place`);
    expectRefused(await request(env.url, 'POST', `/v1/projects/${f.key}/agents`, { body: {} }), 'INVALID_STATE', terminated);
    expectRefused(await request(env.url, 'POST', `/v1/projects/${f.key}/reservations`, { token: f.token('SwiftEagle'), body: { patterns: ['a.ts'], reason: 'x' } }), 'INVALID_STATE', terminated);
    await expect(new BatonApi({ baseUrl: env.url }).initProject({ project: f.key, human: 'mallory' })).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(terminated) });
    expect(await latestRun(f.key)).toEqual(before);
  });
});
