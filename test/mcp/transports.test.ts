import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestContext, type TestContext } from '../support/temporal';
import { batonTools } from '../../src/mcp/server';
import { serveHttp, type RunningHttpServer } from '../../src/mcp/http';
import { call, ok, text } from './support';

const BATON = path.resolve(__dirname, '../../bin/baton');

describe('MCP transports: `baton mcp` over stdio, and several agents over loopback HTTP', () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('spawns `baton mcp`, acts as BATON_AGENT/BATON_TOKEN, and saves a registration made through the tool', async () => {
    const project = ctx.project();
    const reg = await ctx.baton.project(project).agents.register({ program: 'claude-code' });
    const credentials = path.join(dir, 'credentials.json');
    const transport = new StdioClientTransport({
      command: BATON,
      args: ['mcp'],
      env: {
        ...getDefaultEnvironment(),
        TEMPORAL_ADDRESS: ctx.config.address,
        BATON_TASK_QUEUE: ctx.taskQueue,
        BATON_CREDENTIALS: credentials,
        BATON_PROJECT: project,
        BATON_AGENT: reg.member.name,
        BATON_TOKEN: reg.token,
      },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'spawned-test', version: '0.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.length).toBeGreaterThan(20);
    expect((await ok<{ name: string }>(client, 'whoami')).name).toBe(reg.member.name);
    expect((await ok<{ status: string }>(client, 'reserve', { patterns: ['src/db/**'], reason: 'schema change' })).status).toBe('granted');

    const fresh = await ok<{ name: string; token: string }>(client, 'register', { task: 'second identity' });
    expect((await ok<{ name: string }>(client, 'whoami')).name).toBe(fresh.name);
    const saved = JSON.parse(fs.readFileSync(credentials, 'utf8')) as Record<string, { members: Record<string, string> }>;
    expect(Object.values(saved)[0]!.members[fresh.name]).toBe(fresh.token);
    await client.close();
  });

  describe('HTTP', () => {
    let server: RunningHttpServer;
    beforeAll(async () => {
      server = await serveHttp({ baton: ctx.baton, tools: batonTools(), port: 0 });
    });
    afterAll(() => server.close());

    const connect = async (headers: Record<string, string> = {}) => {
      const client = new Client({ name: 'http-test', version: '0.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
      return client;
    };

    it('gives every session its own identity: headers, register or login; a wrong token is refused', async () => {
      const project = ctx.project();
      const known = await ctx.baton.project(project).agents.register({});
      const a = await connect({ 'x-baton-project': project, 'x-baton-agent': known.member.name, 'x-baton-token': known.token });
      const b = await connect();
      // No --project on this server: the session names it.
      expect(text(await call(b, 'reservations'))).toMatch(/^\[INVALID_INPUT\] project: this MCP session has no project/);
      const bName = (await ok<{ name: string }>(b, 'register', { project, task: 'UI' })).name;

      expect((await ok<{ name: string }>(a, 'whoami')).name).toBe(known.member.name);
      expect((await ok<{ name: string }>(b, 'whoami')).name).toBe(bName);
      expect(server.sessions()).toBe(2);

      // Reservations are each session's own: B conflicts with A, not with itself.
      await ok(a, 'reserve', { patterns: ['api/**'], reason: 'endpoints' });
      const conflict = await call(b, 'reserve', { patterns: ['api/users.ts'], reason: 'typo' });
      expect(text(conflict)).toContain(`held by ${known.member.name}`);

      await expect(connect({ 'x-baton-project': project, 'x-baton-agent': known.member.name, 'x-baton-token': 'bt_' + 'y'.repeat(32) })).rejects.toThrow(/UNAUTHORIZED/);
      await Promise.all([a.close(), b.close()]);
    });

    it('listens on 127.0.0.1 only and refuses a foreign Host (DNS rebinding)', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${server.port}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(status).toBe(403);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    });
  });
});
