import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { RunningApi } from '../../src/api/main';
import { batonTools, createMcpServer } from '../../src/mcp/server';
import { McpSession } from '../../src/mcp/session';
import type { BatonProjectClient } from '../../src/client';
import { MAX_OPEN_WAITS } from '../../src/domain/messages/limits';
import { member } from '../../src/schemas/actor';
import type { MailboxDescription } from '../../src/schemas/messages';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * Waits that die with their caller: `baton inbox --wait` processes killed (-9), interrupted (SIGINT,
 * SIGTERM), an HTTP client that disconnects, a cancelled call; and the cap of open waits per member,
 * past which the oldest gives way. Real bin/baton processes against a real Baton server and worker; the
 * mailbox's own `describe` says how many waits it holds.
 */
const BATON = path.resolve(__dirname, '../../bin/baton');

describe('inbox waits and their callers (real processes, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-waits-'));
  });
  // A failed test must not leave 120-second waits behind it.
  const spawned: ChildProcess[] = [];
  afterEach(() => {
    for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  interface Waiter {
    child: ChildProcess;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  }

  function waitProcess(key: string, agent: { name: string; token: string }, seconds = 120): Waiter {
    const child = spawn(BATON, ['inbox', '--wait', String(seconds), '--json'], {
      env: { ...process.env, BATON_SERVER: api.url, BATON_PROJECT: key, BATON_AGENT: agent.name, BATON_TOKEN: agent.token, BATON_CREDENTIALS: path.join(dir, 'none.json'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { child, exit };
  }

  /** The mailbox's own count of waits, polled until `ok` holds (no wall-clock assertion: the state is awaited). */
  async function waits(project: BatonProjectClient, name: string, ok: (w: MailboxDescription['waits']) => boolean): Promise<MailboxDescription['waits']> {
    let last: MailboxDescription['waits'] | undefined;
    for (let i = 0; i < 600; i++) {
      last = (await project.messages.describeMailbox(name)).waits;
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the mailbox of ${name} never reached the expected waits; last: ${JSON.stringify(last)}`);
  }

  async function agent(project: BatonProjectClient, name: string) {
    const { member: m, token } = await project.agents.register({ name, contactPolicy: 'open' });
    return { name: m.name, token };
  }

  it('kill -9 of eight `baton inbox --wait` releases their waits; a ninth is admitted at once and gets the mail', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'waits' });
    const [me, sender] = [await agent(project, 'PatientOwl'), await agent(project, 'LoudCrow')];
    const eight = Array.from({ length: MAX_OPEN_WAITS }, () => waitProcess(key, me));
    await waits(project, me.name, (w) => w.open === MAX_OPEN_WAITS);
    for (const w of eight) w.child.kill('SIGKILL');
    for (const w of eight) expect((await w.exit).signal).toBe('SIGKILL');
    // The server saw each connection close and ended its wait in the mailbox: nothing was superseded.
    expect(await waits(project, me.name, (w) => w.open === 0)).toEqual({ open: 0, cancelled: MAX_OPEN_WAITS, superseded: 0 });

    const ninth = waitProcess(key, me);
    await waits(project, me.name, (w) => w.open === 1);
    const sent = await project.messages.send(member(sender.name), { to: [me.name], subject: 'Your turn', body: 'API is up.' });
    const answer = await ninth.exit;
    expect(answer.code).toBe(0);
    expect((JSON.parse(answer.stdout) as { items: { id: string }[] }).items.map((m) => m.id)).toEqual([sent.messageId]);
    expect((await project.messages.describeMailbox(me.name)).waits).toEqual({ open: 0, cancelled: MAX_OPEN_WAITS, superseded: 0 });
  }, 180_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends `baton inbox --wait` with exit %i and releases its wait', async (signal, code) => {
    const { key, client: project } = await ctx.createProject({ prefix: 'waits' });
    const me = await agent(project, 'PatientOwl');
    const waiter = waitProcess(key, me);
    await waits(project, me.name, (w) => w.open === 1);
    waiter.child.kill(signal);
    const exit = await waiter.exit;
    expect(exit.code).toBe(code);
    expect(exit.stderr).toBe(`baton inbox: interrupted (${signal}); the wait is released.\n`);
    expect(await waits(project, me.name, (w) => w.open === 0)).toEqual({ open: 0, cancelled: 1, superseded: 0 });
  }, 120_000);

  it('past the cap the oldest wait is answered "superseded" and the new one admitted; a superseded CLI exits 3 and says why', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'waits' });
    const me = await agent(project, 'PatientOwl');
    // Eight waits of the member through the typed client (what the server runs for HTTP and MCP) ...
    const held = Array.from({ length: MAX_OPEN_WAITS }, () => project.messages.wait(member(me.name), { timeoutSeconds: 120 }));
    await waits(project, me.name, (w) => w.open === MAX_OPEN_WAITS);
    // ... and a ninth from the CLI: admitted, and one of the eight gives way at once.
    const ninth = waitProcess(key, me);
    expect(await Promise.any(held)).toMatchObject({ superseded: true, items: [], timedOut: false });
    expect(await waits(project, me.name, (w) => w.superseded === 1)).toEqual({ open: MAX_OPEN_WAITS, cancelled: 0, superseded: 1 });

    // Eight newer CLI waits, one at a time: the seven older typed waits give way first, then the ninth.
    const newer: Waiter[] = [];
    for (let n = 1; n <= MAX_OPEN_WAITS; n++) {
      newer.push(waitProcess(key, me));
      await waits(project, me.name, (w) => w.superseded === 1 + n);
    }
    expect((await Promise.all(held)).filter((r) => r.superseded)).toHaveLength(MAX_OPEN_WAITS);
    const gaveWay = await ninth.exit;
    expect(gaveWay.code).toBe(3);
    expect(JSON.parse(gaveWay.stderr)).toEqual({
      error: { code: 'CONFLICT', message: `A newer wait for your mail took this one's place (at most ${MAX_OPEN_WAITS} waits are open per member: the oldest gives way); this one stops.` },
    });
    for (const w of newer) w.child.kill('SIGKILL');
    await Promise.all(newer.map((w) => w.exit));
    expect(await waits(project, me.name, (w) => w.open === 0)).toEqual({ open: 0, cancelled: MAX_OPEN_WAITS, superseded: MAX_OPEN_WAITS + 1 });
  }, 180_000);

  it('a wait whose caller aborts (what the server does when an HTTP client goes or an MCP call is cancelled) ends in the mailbox at once, answered "cancelled"', async () => {
    const { client: project } = await ctx.createProject({ prefix: 'waits' });
    const me = await agent(project, 'PatientOwl');
    const abort = new AbortController();
    const pending = project.messages.wait(member(me.name), { timeoutSeconds: 120, signal: abort.signal });
    await waits(project, me.name, (w) => w.open === 1);
    abort.abort();
    expect(await pending).toMatchObject({ items: [], cancelled: true, timedOut: false });
    expect((await project.messages.describeMailbox(me.name)).waits).toEqual({ open: 0, cancelled: 1, superseded: 0 });
    // A cancel that overtakes its wait (aborted before the wait began) ends it at once as well.
    const early = new AbortController();
    early.abort();
    expect(await project.messages.wait(member(me.name), { timeoutSeconds: 120, signal: early.signal })).toMatchObject({ cancelled: true });
  }, 120_000);
});

describe('an MCP `inbox` call with `wait`, cancelled by the client (in-process MCP server, real workflows)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it('releases its wait in the mailbox as soon as the client cancels the request', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'waits' });
    const { member: m } = await project.agents.register({ name: 'PatientOwl' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = createMcpServer(new McpSession(ctx.baton, key, { name: m.name, kind: 'agent', epoch: 0 }), batonTools('core'));
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);

    const abort = new AbortController();
    const call = client.callTool({ name: 'inbox', arguments: { wait: 120 } }, undefined, { signal: abort.signal, timeout: 200_000 });
    const open = async (n: number) => {
      for (let i = 0; i < 300 && (await project.messages.describeMailbox(m.name)).waits.open !== n; i++) await new Promise((r) => setTimeout(r, 100));
      return (await project.messages.describeMailbox(m.name)).waits;
    };
    expect(await open(1)).toMatchObject({ open: 1 });
    abort.abort();
    await expect(call).rejects.toThrow();
    expect(await open(0)).toEqual({ open: 0, cancelled: 1, superseded: 0 });
    await client.close();
    await server.close();
  }, 120_000);
});
