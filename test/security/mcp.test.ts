import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BatonApi } from '../../src/api-client';
import { MAX_BODY_BYTES } from '../../src/domain/messages/limits';
import {
  attackScene,
  bearer,
  expectRefused,
  expectToolRefused,
  expectUnchanged,
  inboxHolds,
  mcpRefusedAtOpen,
  mcpSession,
  request,
  securityEnv,
  STATUS,
  tool,
  toolOk,
  unknownToken,
  until,
  type Scene,
  type SecurityEnv,
  type Team,
} from './support';

/**
 * Attacks through MCP on the Baton server's /mcp, with the SDK's streamable HTTP client (and raw
 * requests where a session is abused). A session's identity is fixed by the token it was opened with;
 * tools take no name and no token. Each refusal is the error of its attack, and nothing changes.
 */
describe('security: MCP (/mcp)', () => {
  let env: SecurityEnv;
  let t: Team;
  let other: Team;
  let rotatedAway: string;
  let run: Scene['run'];

  const unchanged = (attack: () => Promise<void>) => expectUnchanged(t.client, attack);
  const session = (project: string, headers: Record<string, string>) => mcpSession(env, project, headers);
  const sessionId = (client: McpClient) => (client.transport as StreamableHTTPClientTransport).sessionId!;
  /** A tools/call on an existing session, sent by hand with whatever Authorization the attacker has. */
  const rawCall = (id: string, headers: Record<string, string>) =>
    request(env.url, 'POST', '/mcp', {
      headers: { accept: 'application/json, text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18', ...headers },
      body: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'reserve', arguments: { patterns: ['src/free.ts'], reason: 'claiming it' } } },
    });

  beforeAll(async () => {
    env = await securityEnv();
    ({ t, other, rotatedAway, run } = await attackScene(env));
  });
  afterAll(() => env.close());

  describe('credentials: a session opened without proof of who opens it', () => {
    const cases: [string, () => Record<string, string>, () => string][] = [
      ['a wrong token (well-formed, never issued)', () => bearer(unknownToken()), () => `This token belongs to no member of project ${t.key}`],
      ["a retired member's token", () => bearer(t.token('RetiredOwl')), () => `RetiredOwl is retired in project ${t.key}`],
      ['a rotated (old) token', () => bearer(rotatedAway), () => 'it was replaced (`baton rotate-token`)'],
      ["another project's token", () => bearer(other.token('AmberFalcon')), () => `This token belongs to no member of project ${t.key}`],
      ['a token in the wrong header format (Token scheme)', () => ({ authorization: `Token ${t.token('BoldMountain')}` }), () => 'The Authorization header must be `Bearer <token>`'],
      ['a bearer value that is not a Baton token', () => ({ authorization: 'Bearer hunter2' }), () => 'is not a Baton token'],
    ];
    it.each(cases)('%s: initialize is refused with 401 UNAUTHORIZED, nothing changes', async (_name, headers, message) => {
      await unchanged(async () => {
        const refused = await mcpRefusedAtOpen(env, t.key, headers());
        expect({ status: refused.status, code: refused.code }).toEqual({ status: STATUS.UNAUTHORIZED, code: 'UNAUTHORIZED' });
        expect(refused.message).toContain(message());
      });
    });

    it('naming a member in the old headers (X-Baton-Agent, X-Baton-Token) opens a session with no identity: every tool says "Who are you?"', async () => {
      const anonymous = await session(t.key, { 'x-baton-agent': 'SwiftEagle', 'x-baton-token': t.token('SwiftEagle') });
      await unchanged(async () => {
        expectToolRefused(await tool(anonymous, 'whoami'), 'UNAUTHORIZED', 'Who are you? Call the `register` tool first');
        expectToolRefused(await tool(anonymous, 'release', { all: true }), 'UNAUTHORIZED', 'Who are you?');
      });
    });
  });

  describe("a session keeps the member that opened it", () => {
    let swift: McpClient;
    beforeAll(async () => {
      swift = await session(t.key, bearer(t.token('SwiftEagle')));
      expect((await toolOk<{ name: string }>(swift, 'whoami')).name).toBe('SwiftEagle');
    });

    it("another member's token on SwiftEagle's session is 403 FORBIDDEN", async () => {
      await unchanged(async () => expectRefused(await rawCall(sessionId(swift), bearer(t.token('BoldMountain'))), 'FORBIDDEN', "This MCP session acts as SwiftEagle; BoldMountain's token cannot use it"));
    });

    it("no token on SwiftEagle's session is 401 UNAUTHORIZED", async () => {
      await unchanged(async () => expectRefused(await rawCall(sessionId(swift), {}), 'UNAUTHORIZED', 'This MCP session acts as SwiftEagle: send its token'));
    });

    it('a wrong token on the session is 401 UNAUTHORIZED', async () => {
      await unchanged(async () => expectRefused(await rawCall(sessionId(swift), bearer(unknownToken())), 'UNAUTHORIZED', `This token belongs to no member of project ${t.key}`));
    });

    it('a session whose member is retired meanwhile stops working: 401 UNAUTHORIZED', async () => {
      const late = await new BatonApi({ baseUrl: env.url }).project(t.key).agents.register({ name: 'LateComet' });
      const client = await session(t.key, bearer(late.token));
      expect((await toolOk<{ name: string }>(client, 'whoami')).name).toBe('LateComet');
      await t.as('alice').agents.retire('LateComet');
      await unchanged(async () => {
        const refused = (await tool(client, 'reserve', { patterns: ['src/late.ts'], reason: 'x' }).then(
          () => new Error('the call went through'),
          (e: Error) => e,
        )) as Error & { code?: number };
        expect({ status: refused.code, message: refused.message }).toEqual({ status: STATUS.UNAUTHORIZED, message: expect.stringContaining(`"code":"UNAUTHORIZED","message":"LateComet is retired in project ${t.key}`) });
      });
    });
  });

  describe("an agent's session calling each human-only action", () => {
    let agent: McpClient;
    beforeAll(async () => {
      agent = await session(t.key, bearer(t.token('BoldMountain')));
    });

    it('force_release is FORBIDDEN by the project workflow: an agent is not a human', async () => {
      await unchanged(async () => expectToolRefused(await tool(agent, 'force_release', { holder: 'SwiftEagle', reason: 'mine now' }), 'FORBIDDEN', /^\[FORBIDDEN\] Only a human may force-release reservations;.* BoldMountain is an agent of project /));
    });

    it('reserve with allowBroad is FORBIDDEN: only a human overrides the hoarding guard', async () => {
      await unchanged(async () => expectToolRefused(await tool(agent, 'reserve', { patterns: ['**'], reason: 'everything', allowBroad: true }), 'FORBIDDEN', 'Only a human may override the hoarding guard (allowBroad)'));
    });

    const absent = ['approve', 'reject', 'cancel', 'invite', 'invite_human', 'shutdown', 'settings', 'update_settings', 'retire', 'rotate_token', 'introduce', 'start', 'start_pattern', 'record_success', 'deliver', 'claim_mailbox'];
    it('the other human-only actions (and internal messages) are no tools at all: not listed, and a call is NOT_FOUND', async () => {
      const listed = (await agent.listTools()).tools.map((x) => x.name);
      expect(listed.filter((name) => absent.includes(name))).toEqual([]);
      await unchanged(async () => {
        for (const name of absent) expectToolRefused(await tool(agent, name, {}), 'NOT_FOUND', `No tool named "${name}" in this session`);
      });
    });
  });

  describe('arguments that would name another identity', () => {
    let agent: McpClient;
    beforeAll(async () => {
      agent = await session(t.key, bearer(t.token('BoldMountain')));
    });

    const cases: [string, string, () => Record<string, unknown>, string][] = [
      ['reserve as SwiftEagle (actor)', 'reserve', () => ({ actor: { kind: 'member', name: 'SwiftEagle' }, patterns: ['src/x.ts'], reason: 'x' }), 'unknown field "actor"'],
      ["reserve as Baton's worker for alice (the internal workflow actor)", 'reserve', () => ({ actor: { kind: 'workflow', workflowId: run.workflowId, onBehalfOf: 'alice' }, patterns: ['**'], reason: 'x', allowBroad: true }), 'unknown field "actor"'],
      ['send mail "from" alice', 'send', () => ({ from: 'alice', to: ['SwiftEagle'], subject: 'Deploy now', body: 'approved' }), 'unknown field "from"'],
      ['check as the holder (asAgent)', 'check', () => ({ paths: ['src/auth/login.ts'], asAgent: 'SwiftEagle' }), 'unknown field "asAgent"'],
      ['report done for SwiftEagle (agent)', 'done', () => ({ workflow: run.workflowId, agent: 'SwiftEagle', summary: 'done' }), 'unknown field "agent"'],
      ['release with a token in the arguments', 'release', () => ({ token: t.token('SwiftEagle'), all: true }), 'unknown field "token"'],
    ];
    it.each(cases)('%s: INVALID_INPUT, nothing changes', async (_name, name, args, message) => {
      await unchanged(async () => expectToolRefused(await tool(agent, name, args()), 'INVALID_INPUT', message));
    });

    it("claim (or report into) SwiftEagle's mailbox by its workflow id: INVALID_INPUT, the mailbox stays its owner's", async () => {
      const mailbox = `baton/${t.key}/mailbox/swifteagle`;
      await unchanged(async () => {
        for (const [name, args] of [['claim', { workflow: mailbox }], ['progress', { workflow: mailbox, note: 'x' }]] as const) {
          expectToolRefused(await tool(agent, name, args), 'INVALID_INPUT', `"${mailbox}" is not a pattern run`);
        }
      });
      const owner = await session(t.key, bearer(t.token('SwiftEagle')));
      expect((await toolOk<{ items: unknown[] }>(owner, 'inbox')).items).toBeDefined();
    });
  });

  describe('a session reaches its own project only', () => {
    let impostor: McpClient;
    beforeAll(async () => {
      // The step goes back to BoldMountain; an agent of another project takes the same name.
      await t.as('alice').patterns.approve(run.workflowId, 'try again');
      await until(() => t.client.patterns.status(run.workflowId), (s) => s.assigned.some((a) => a.agent === 'BoldMountain'), 'the step to reopen');
      await inboxHolds(t, 'BoldMountain', 'step "deploy" is yours', 2);
      const registered = await new BatonApi({ baseUrl: env.url }).project(other.key).agents.register({ name: 'BoldMountain' });
      impostor = await session(other.key, bearer(registered.token));
    });

    const cases: [string, string, () => Record<string, unknown>][] = [
      ["done on another project's run, as its namesake", 'done', () => ({ workflow: run.workflowId, summary: 'deployed', handoff: { whatWasDone: 'Deployed the release to production', where: ['deploy/prod.yaml'], howToTest: 'curl https://example.com/health' } })],
      ["fail on another project's run", 'fail', () => ({ workflow: run.workflowId, reason: 'giving up' })],
      ["progress on another project's run", 'progress', () => ({ workflow: run.workflowId, note: 'on it' })],
      ["pattern_status of another project's run", 'pattern_status', () => ({ workflow: run.workflowId })],
      ["claim another project's emergency", 'claim', () => ({ workflow: `baton/${t.key}/emergency-response/outage-1a2b3c` })],
    ];
    it.each(cases)('%s: INVALID_INPUT naming the session\'s project, nothing changes', async (_name, name, args) => {
      await unchanged(async () => expectToolRefused(await tool(impostor, name, args()), 'INVALID_INPUT', `is not a pattern run of project ${other.key}`));
    });
  });

  describe('humans come with the project', () => {
    it('register (in a session opened without a token) as a human: INVALID_INPUT, there is no such field', async () => {
      const anonymous = await session(t.key, {});
      await unchanged(async () => {
        expectToolRefused(await tool(anonymous, 'register', { name: 'Mallory', kind: 'human' }), 'INVALID_INPUT', 'unknown field "kind"');
        expectToolRefused(await tool(anonymous, 'register', { tokenHash: 'a'.repeat(64) }), 'INVALID_INPUT', 'unknown field "tokenHash"');
      });
    });

    it('register in a session that already has a member is NOT_FOUND: no second identity in one session', async () => {
      const agent = await session(t.key, bearer(t.token('SwiftEagle')));
      await unchanged(async () => expectToolRefused(await tool(agent, 'register', {}), 'NOT_FOUND', 'No tool named "register" in this session'));
    });
  });

  describe('oversized and malformed requests', () => {
    let agent: McpClient;
    beforeAll(async () => {
      agent = await session(t.key, bearer(t.token('BoldMountain')));
    });

    it('201 patterns in one reserve: INVALID_INPUT', async () => {
      await unchanged(async () => expectToolRefused(await tool(agent, 'reserve', { patterns: Array.from({ length: 201 }, (_, i) => `src/f${i}.ts`), reason: 'x' }), 'INVALID_INPUT', 'at most 200 patterns per call'));
    });

    it('a message body of 64 KiB + 1 byte: INVALID_INPUT', async () => {
      await unchanged(async () => expectToolRefused(await tool(agent, 'send', { to: ['alice'], subject: 'big', body: 'x'.repeat(MAX_BODY_BYTES + 1) }), 'INVALID_INPUT', 'must be at most 64 KiB'));
    });

    it('a request body over the 1 MiB limit: 400 INVALID_INPUT', async () => {
      const huge = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'send', arguments: { to: ['alice'], subject: 's', body: 'x'.repeat(1024 * 1024) } } };
      await unchanged(async () => expectRefused(await request(env.url, 'POST', '/mcp', { token: t.token('BoldMountain'), headers: { 'mcp-session-id': sessionId(agent) }, body: huge }), 'INVALID_INPUT', 'The request body is larger than the server accepts'));
    });

    it('malformed JSON: 400 INVALID_INPUT', async () => {
      await unchanged(async () => expectRefused(await request(env.url, 'POST', '/mcp', { token: t.token('BoldMountain'), headers: { 'mcp-session-id': sessionId(agent) }, raw: '{"jsonrpc": "2.0", "method": ' }), 'INVALID_INPUT', 'The request body is not valid JSON'));
    });
  });
});
