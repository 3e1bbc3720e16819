/**
 * MCP as agents reach it: streamable HTTP at the Baton server's /mcp (the SDK's client, bearer tokens),
 * and `baton mcp`, the stdio pipe to it, spawned as a coding agent spawns it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { createTestContext, type TestContext, type TestProject } from '../support/temporal';
import type { RunningApi } from '../../src/api/main';
import { BatonApi } from '../../src/api-client';
import { TOOL_PROFILES } from '../../src/mcp/server';
import { member } from '../../src/schemas/actor';
import { call, ok, text, toolNames } from './support';

const BATON = path.resolve(__dirname, '../../bin/baton');
const CORE = [...TOOL_PROFILES.core];

describe('MCP on the Baton server', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const mcpUrl = () => new URL('/mcp', api.url);
  /** Every client a test opened, closed after it even when it fails half-way (an open session holds a stream). */
  const opened: Client[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  describe('streamable HTTP at /mcp', () => {
    /** What a session sends: `token` may be set later (after `register`), as an agent's client would. */
    interface Credentials {
      token?: string;
    }

    function transport(project: string | undefined, credentials: Credentials, headers: Record<string, string> = {}) {
      return new StreamableHTTPClientTransport(mcpUrl(), {
        fetch: (input, init) => {
          const h = new Headers(init?.headers);
          if (project) h.set('x-baton-project', project);
          for (const [k, v] of Object.entries(headers)) h.set(k, v);
          if (credentials.token) h.set('authorization', `Bearer ${credentials.token}`);
          return fetch(input, { ...init, headers: h });
        },
      });
    }

    async function connect(project: string | undefined, credentials: Credentials = {}, headers: Record<string, string> = {}) {
      const t = transport(project, credentials, headers);
      const client = new Client({ name: 'http-test', version: '0.0.0' });
      opened.push(client);
      await client.connect(t);
      return { client, sessionId: t.sessionId! };
    }

    /** How a refused initialize surfaces in the SDK client: the HTTP status and Baton's error body. */
    async function refused(project: string | undefined, credentials: Credentials, headers: Record<string, string> = {}): Promise<{ status: number; code: string; message: string }> {
      const err = await connect(project, credentials, headers).then(
        () => new Error('the session was opened'),
        (e: Error & { code?: number }) => e,
      );
      const body = /Error POSTing to endpoint: (.*)$/s.exec(err.message)?.[1];
      if (!body) throw err;
      const { error } = JSON.parse(body) as { error: { code: string; message: string } };
      return { status: (err as { code?: number }).code ?? 0, code: error.code, message: error.message };
    }

    /** One raw JSON-RPC request to /mcp (a browser's, or a client's that swapped its token). */
    async function raw(headers: Record<string, string>, body: unknown): Promise<{ status: number; text: string }> {
      const response = await fetch(mcpUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    }
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
    const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

    let project: TestProject;
    let amber: { name: string; token: string };
    let blue: { name: string; token: string };
    beforeAll(async () => {
      project = await ctx.createProject({ prefix: 'mcp-http' });
      const a = await project.client.agents.register({ name: 'AmberFalcon', program: 'claude-code' });
      const b = await project.client.agents.register({ name: 'BlueOtter', program: 'codex' });
      amber = { name: a.member.name, token: a.token };
      blue = { name: b.member.name, token: b.token };
    });

    it("acts as the token's member: tools, reservations and conflicts are that member's", async () => {
      const a = await connect(project.key, { token: amber.token });
      const b = await connect(project.key, { token: blue.token });
      // An identified session is not offered `register`.
      expect(await toolNames(a.client)).not.toContain('register');
      expect((await ok<{ name: string }>(a.client, 'whoami')).name).toBe(amber.name);
      expect((await ok<{ name: string }>(b.client, 'whoami')).name).toBe(blue.name);

      const granted = await ok<{ reservations: { holder: string }[] }>(a.client, 'reserve', { patterns: ['api/**'], reason: 'endpoints' });
      expect(granted.reservations[0]?.holder).toBe(amber.name);
      const conflict = await call(b.client, 'reserve', { patterns: ['api/users.ts'], reason: 'typo' });
      expect(text(conflict)).toContain(`held by ${amber.name}`);
      // The reservation book agrees on who holds it.
      expect((await project.client.reservations.list({ holder: amber.name })).reservations.map((r) => r.pattern)).toContain('api/**');
      expect((await ok<{ clear: boolean }>(a.client, 'check', { paths: ['api/users.ts'] })).clear).toBe(true);
      await ok(a.client, 'release', { all: true });
      await Promise.all([a.client.close(), b.client.close()]);
    });

    it('refuses at initialize a mistyped, retired or other-project token, a missing project and an unknown profile, with the status and reason', async () => {
      const wrong = await refused(project.key, { token: 'bt_' + 'y'.repeat(32) });
      expect(wrong).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: expect.stringContaining(`This token belongs to no member of project ${project.key}`) });

      const other = await ctx.createProject({ prefix: 'mcp-other' });
      const stranger = await other.client.agents.register({});
      expect(await refused(project.key, { token: stranger.token })).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: expect.stringContaining('belongs to no member of project') });
      // The same token opens a session in its own project.
      const own = await connect(other.key, { token: stranger.token });
      expect((await ok<{ name: string }>(own.client, 'whoami')).name).toBe(stranger.member.name);
      await own.client.close();

      const leaving = await project.client.agents.register({});
      await new BatonApi({ baseUrl: api.url, token: project.human.token }).project(project.key).agents.retire(leaving.member.name);
      expect(await refused(project.key, { token: leaving.token })).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: `${leaving.member.name} is retired in project ${project.key}; register again to get a new identity.` });

      expect(await refused(ctx.project('nowhere'), { token: amber.token })).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(await refused(undefined, { token: amber.token })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: expect.stringContaining('project: this MCP session names no project; send `X-Baton-Project: <key>`') });
      for (const profile of ['lean', 'constructor']) {
        expect(await refused(project.key, { token: amber.token }, { 'x-baton-tools': profile })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: `tools: "${profile}" is not a tool profile; use all or core.` });
      }
      expect(await refused(project.key, { token: 'not-a-token' })).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    });

    it("keeps a session its member's: another member's token, or none, is refused on a later request", async () => {
      const a = await connect(project.key, { token: amber.token });
      const session = { 'mcp-session-id': a.sessionId, 'x-baton-project': project.key };

      const theirs = await raw({ ...session, authorization: `Bearer ${blue.token}` }, listTools);
      expect(theirs.status).toBe(403);
      expect(JSON.parse(theirs.text)).toMatchObject({ error: { code: 'FORBIDDEN', message: `This MCP session acts as ${amber.name}; ${blue.name}'s token cannot use it.` } });
      const none = await raw(session, listTools);
      expect(none.status).toBe(401);
      expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining(`This MCP session acts as ${amber.name}: send its token`) } });
      // The member's own token goes on working in the same session.
      const mine = await raw({ ...session, authorization: `Bearer ${amber.token}` }, listTools);
      expect(mine.status).toBe(200);
      expect(mine.text).toContain('"reserve"');
      expect((await ok<{ name: string }>(a.client, 'whoami')).name).toBe(amber.name);

      const gone = await raw({ 'mcp-session-id': 'no-such-session', authorization: `Bearer ${amber.token}` }, listTools);
      expect(gone.status).toBe(404);
      await a.client.close();
    });

    it('opens an anonymous session that lists `register` first and, once registered, acts as the new agent with its token', async () => {
      const credentials: Credentials = {};
      const s = await connect(project.key, credentials);
      const tools = await toolNames(s.client);
      expect(tools[0]).toBe('register');
      expect(text(await call(s.client, 'whoami'))).toMatch(/^\[UNAUTHORIZED\] Who are you\? Call the `register` tool first/);

      const reg = await ok<{ name: string; token: string }>(s.client, 'register', { program: 'gemini', task: 'docs' });
      expect(reg.token).toMatch(/^bt_/);
      // The token authenticates as the new agent on the REST API as well.
      expect((await new BatonApi({ baseUrl: api.url, token: reg.token }).project(project.key).agents.whoami()).name).toBe(reg.name);
      // From now on the session is the agent's: its requests carry its token.
      credentials.token = reg.token;
      expect((await ok<{ name: string }>(s.client, 'whoami')).name).toBe(reg.name);
      expect(await toolNames(s.client)).toEqual(tools.slice(1));
      const granted = await ok<{ reservations: { holder: string }[] }>(s.client, 'reserve', { patterns: ['docs/**'], reason: 'docs pass' });
      expect(granted.reservations[0]?.holder).toBe(reg.name);
      // Somebody else's token cannot take over the registered session.
      const taken = await raw({ 'mcp-session-id': s.sessionId, authorization: `Bearer ${amber.token}` }, listTools);
      expect(taken.status).toBe(403);
      await s.client.close();
    });

    it('lists exactly the core tools with X-Baton-Tools: core (and `register` first in an anonymous session)', async () => {
      const known = await connect(project.key, { token: amber.token }, { 'x-baton-tools': 'core' });
      expect([...(await toolNames(known.client))].sort()).toEqual(['check', 'done', 'inbox', 'release', 'reserve', 'send']);
      expect((await ok<{ clear: boolean }>(known.client, 'check', { paths: ['anything.ts'] })).clear).toBe(true);
      expect(text(await call(known.client, 'whoami'))).toMatch(/^\[NOT_FOUND\] No tool named "whoami" in this session/);
      const anonymous = await connect(project.key, {}, { 'x-baton-tools': 'core' });
      expect(await toolNames(anonymous.client)).toEqual(['register', ...(await toolNames(known.client))]);
      const all = await connect(project.key, { token: amber.token });
      expect((await toolNames(all.client)).length).toBeGreaterThan(CORE.length);
      await Promise.all([known.client.close(), anonymous.client.close(), all.client.close()]);
    });

    it("refuses a request from a foreign Origin (DNS rebinding), at initialize and within a session, and accepts the server's own", async () => {
      const auth = { authorization: `Bearer ${amber.token}`, 'x-baton-project': project.key };
      for (const origin of ['http://evil.example', `http://evil.example:${api.port}`, 'null', `http://127.0.0.1:${api.port + 1}`, `https://127.0.0.1:${api.port}`]) {
        const answer = await raw({ ...auth, origin }, initialize);
        expect({ origin, status: answer.status }).toEqual({ origin, status: 403 });
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringContaining(`Origin ${origin} is not this Baton server's own (http://127.0.0.1:${api.port} or http://localhost:${api.port})`) } });
      }
      const s = await connect(project.key, { token: amber.token });
      const within = await raw({ ...auth, 'mcp-session-id': s.sessionId, origin: 'http://evil.example' }, listTools);
      expect(within.status).toBe(403);

      for (const origin of [`http://127.0.0.1:${api.port}`, `http://localhost:${api.port}`]) {
        const own = await connect(project.key, { token: amber.token }, { origin });
        expect((await ok<{ name: string }>(own.client, 'whoami')).name).toBe(amber.name);
        await own.client.close();
      }
      await s.client.close();
    });
    it('shuts down with sessions open: it ends their streams rather than waiting on them', async () => {
      const second = await ctx.startApi();
      const client = new Client({ name: 'http-test', version: '0.0.0' });
      opened.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', second.url), { requestInit: { headers: { authorization: `Bearer ${amber.token}`, 'x-baton-project': project.key } } }));
      expect((await ok<{ name: string }>(client, 'whoami')).name).toBe(amber.name);
      // With the stream of server messages open (the SDK opens it after initialize), close() must return.
      await second.close();
      await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    });
  });

  describe('`baton mcp` over stdio (the real CLI, spawned)', () => {
    let project: TestProject;
    beforeAll(async () => {
      project = await ctx.createProject({ prefix: 'mcp-stdio' });
    });

    /** The environment an agent's MCP configuration gives `baton mcp`; credentials stay in this test's directory. */
    const environment = (extra: Record<string, string>, credentials = path.join(dir, 'none.json')): Record<string, string> => ({
      ...getDefaultEnvironment(),
      BATON_SERVER: api.url,
      BATON_PROJECT: project.key,
      BATON_CREDENTIALS: credentials,
      BATON_HUMAN_CREDENTIALS: path.join(dir, 'humans.json'),
      XDG_CONFIG_HOME: dir,
      ...extra,
    });

    async function spawnMcp(env: Record<string, string>, args: string[] = []) {
      const client = new Client({ name: 'spawned-test', version: '0.0.0' });
      const stdio = new StdioClientTransport({ command: BATON, args: ['mcp', ...args], env, stderr: 'pipe' });
      let stderr = '';
      stdio.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const errors: Error[] = [];
      opened.push(client);
      await client.connect(stdio);
      // Set after connect (the client installs its own): a line on stdout that is not a JSON-RPC message lands here.
      client.onerror = (e) => errors.push(e);
      return { client, errors, stderr: () => stderr };
    }

    it('acts as BATON_AGENT/BATON_TOKEN through the server', async () => {
      const reg = await project.client.agents.register({ program: 'claude-code' });
      const s = await spawnMcp(environment({ BATON_AGENT: reg.member.name, BATON_TOKEN: reg.token }));
      expect((await toolNames(s.client)).length).toBeGreaterThan(20);
      expect((await ok<{ name: string }>(s.client, 'whoami')).name).toBe(reg.member.name);
      expect((await ok<{ status: string }>(s.client, 'reserve', { patterns: ['src/db/**'], reason: 'schema change' })).status).toBe('granted');
      expect((await project.client.reservations.list({ holder: reg.member.name })).reservations.map((r) => r.pattern)).toEqual(['src/db/**']);
      await s.client.close();
      expect(s.errors).toEqual([]);
      expect(s.stderr()).toBe('');
    });

    it('without an identity offers `register`, saves the new token in BATON_CREDENTIALS, and a later `baton mcp --as` uses it', async () => {
      const credentials = path.join(dir, 'agents.json');
      const s = await spawnMcp(environment({}, credentials), ['--tools', 'core']);
      expect(await toolNames(s.client)).toEqual(['register', ...CORE]);
      const fresh = await ok<{ name: string; token: string }>(s.client, 'register', { program: 'codex', task: 'stdio' });
      // The proxy now sends the new agent's token.
      expect((await ok<{ status: string }>(s.client, 'reserve', { patterns: ['web/**'], reason: 'ui' })).status).toBe('granted');
      expect((await project.client.reservations.list({ holder: fresh.name })).reservations.map((r) => r.pattern)).toEqual(['web/**']);
      await s.client.close();
      expect(s.errors).toEqual([]);

      const saved = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { version: number; scopes: Record<string, Record<string, string>> };
      expect(saved).toEqual({ version: 2, scopes: { [`${api.url} ${project.key}`]: { [fresh.name]: fresh.token } } });
      expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);

      const again = await spawnMcp(environment({}, credentials), ['--as', fresh.name]);
      expect((await ok<{ name: string }>(again.client, 'whoami')).name).toBe(fresh.name);
      await again.client.close();
    });

    it('writes nothing but JSON-RPC to stdout, answers every request, and exits 0 when stdin closes', async () => {
      const reg = await project.client.agents.register({});
      const child = spawn(BATON, ['mcp'], { env: environment({ BATON_AGENT: reg.member.name, BATON_TOKEN: reg.token }), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
      /** Resolves once a line on stdout answers request `id` (lines are parsed only at the end). */
      const answer = (id: number) =>
        new Promise<void>((resolve) => {
          const look = () => {
            if (stdout.split('\n').some((line) => line.startsWith('{') && line.includes(`"id":${id}`))) {
              child.stdout.off('data', look);
              resolve();
            }
          };
          child.stdout.on('data', look);
          look();
        });
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const send = (message: unknown) => child.stdin.write(JSON.stringify(message) + '\n');

      // As a client must: nothing but the initialized notification before initialize is answered.
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
      await answer(1);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
      await Promise.all([answer(2), answer(3)]);
      child.stdin.end();
      expect(await exit).toBe(0);

      const lines = stdout.split('\n');
      expect(lines.pop()).toBe('');
      const messages = lines.map((line) => JSON.parse(line) as { jsonrpc: string; id?: number; result?: Record<string, unknown> });
      for (const m of messages) expect(m.jsonrpc).toBe('2.0');
      expect(messages.filter((m) => m.id !== undefined).map((m) => m.id)).toEqual([1, 2, 3]);
      expect(messages[0]).toMatchObject({ id: 1, result: { serverInfo: { name: 'baton' } } });
      expect(messages.find((m) => m.id === 3)).toMatchObject({ result: { structuredContent: { name: reg.member.name } } });
      expect(stderr).toBe('');
    });

    it('answers with what to do when the Baton server cannot be reached', async () => {
      const closed = await freePort();
      const s = await spawnMcp(environment({ BATON_SERVER: `http://127.0.0.1:${closed}` })).then(
        () => new Error('connected to a server that is not there'),
        (e: Error) => e,
      );
      expect(s.message).toContain(`[UNAVAILABLE] Cannot reach the Baton server's MCP endpoint at http://127.0.0.1:${closed}/mcp`);
      expect(s.message).toContain('set BATON_SERVER');
    });

    it('refuses an identity it cannot use before it opens a session', async () => {
      const reg = await project.client.agents.register({});
      await project.client.agents.retire(member(project.human.name), reg.member.name);
      const s = await spawnMcp(environment({ BATON_AGENT: reg.member.name, BATON_TOKEN: reg.token })).then(
        () => new Error('a retired agent opened a session'),
        (e: Error) => e,
      );
      expect(s.message).toContain(`${reg.member.name} is retired in project ${project.key}`);
    });
  });
});

/** A loopback port nothing listens on (taken and released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
