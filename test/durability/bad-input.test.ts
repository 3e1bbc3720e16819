import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestContext, type TestContext } from '../support/temporal';
import { runBaton } from '../support/cli';
import { freePort, tempDir } from '../support/processes';
import { BatonError, EXIT_CODES, isErrorCode, type ErrorCode } from '../../src/domain/errors';
import { toBatonError } from '../../src/client/errors';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { McpSession, type SessionMember } from '../../src/mcp/session';
import { batonTools, createMcpServer } from '../../src/mcp/server';
import { BatonApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { Registration } from '../../src/schemas/agents';
import type { CheckRequest, ReserveRequest } from '../../src/schemas/api';
import type { ForceReleaseInput } from '../../src/schemas/reservations';
import type { BatonProjectClient } from '../../src/client';
import { GIGANTIC_PATTERN_LIST, HOSTILE_MESSAGE_IDS, HOSTILE_MESSAGES, HOSTILE_NAMES, HOSTILE_PATTERNS, HOSTILE_PROJECT_KEYS, HOSTILE_TOKENS, WRONG_SHAPES } from './hostile-inputs';

/**
 * Bad-input corpus: the hostile table (hostile-inputs.ts) and the boundary-specific cases sent through
 * every boundary: the typed client (an operator's, with namespace access: it names members, and the
 * workflows check who they are, their epoch and their rights), raw workflow updates, queries and
 * signals through the Temporal client (bypassing the client's validation), the Baton server's HTTP API
 * (BatonApi against a real server, asserting the HTTP status and the error code), MCP (tool arguments
 * in an in-process session, and identities at the server's /mcp with the SDK's HTTP transport), and the
 * `baton` CLI as a child process against the server. Each must earn its specific error code (the CLI
 * its exit code, HTTP its status) and leave the project exactly as it was, checked by querying members,
 * reservations, the audit trail and the mailboxes before and after. Operator access is trusted, so a
 * well-formed raw update naming any member is accepted: those cases are asserted as accepted, and only
 * the change they asked for may happen.
 */

interface Member {
  name: string;
  token: string;
  actor: MemberActor;
}

/** HTTP status of each error code, as the Baton server's API promises it (README, "HTTP API"). */
const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  INTERNAL: 500,
  BUSY: 429,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the pattern to settle');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What a call earned: the error code (CONFLICT for a conflict answer) and its message, or OK. */
async function outcomeOf(call: () => Promise<unknown> | unknown): Promise<{ code: ErrorCode | 'OK'; message: string }> {
  try {
    const answer = (await call()) as { status?: string; conflicts?: { holder: string; example: string }[] } | undefined;
    if (answer?.status !== 'conflict') return { code: 'OK', message: '' };
    return { code: 'CONFLICT', message: (answer.conflicts ?? []).map((c) => `${c.holder} holds ${c.example}`).join('; ') };
  } catch (err) {
    const error = err instanceof BatonError ? err : toBatonError(err);
    return { code: error.code, message: error.message };
  }
}

async function outcome(call: () => Promise<unknown> | unknown): Promise<ErrorCode | 'OK'> {
  return (await outcomeOf(call)).code;
}

/** A refusal a person can act on: a message, and no stack trace in it. */
const unclear = (message: string) => message.trim().length < 10 || /\n\s+at \S+ \(|^\s*at /m.test(message);

/**
 * The status of the last HTTP response this process received through node's http client (BatonApi's
 * transport), read from node's diagnostics channel so the client under test stays as it is.
 */
let lastStatus: number | undefined;
const onResponse = (message: unknown) => {
  lastStatus = (message as { response: IncomingMessage }).response.statusCode;
};

/** An MCP error from the SDK's HTTP transport (a refused request carries the server's error body). */
function mcpHttpError(err: unknown): BatonError & { status?: number } {
  if (!(err instanceof StreamableHTTPError)) return toBatonError(err);
  const body = /(\{.*\})\s*$/s.exec(err.message)?.[1];
  const parsed = body ? (JSON.parse(body) as { error?: { code?: unknown; message?: string } }) : undefined;
  const code = parsed?.error?.code;
  return Object.assign(new BatonError(isErrorCode(code) ? code : 'INTERNAL', parsed?.error?.message ?? err.message), { status: err.code });
}

describe('bad-input corpus: every boundary refuses hostile input with its specific error and changes nothing', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let project: BatonProjectClient;
  let alice: Member;
  let a: Member;
  let b: Member;
  /** Registered, then retired (by itself): its name and token must not act any more. */
  let retired: Member;
  /** An agent of another project: its token is no key to this one. */
  let stranger: Member;
  let heldId: string;
  let messageId: string;
  const tried: Record<string, number> = {};
  const failures: string[] = [];
  const count = (boundary: string, n = 1) => (tried[boundary] = (tried[boundary] ?? 0) + n);

  const asMember = (r: Registration): Member => ({ name: r.member.name, token: r.token, actor: member(r.member.name) });
  const http = (who?: Member, extra: { member?: string } = {}) => new BatonApi({ baseUrl: api.url, token: who?.token, ...extra });

  /**
   * Messages are delivered after a send answers (one durable write per send): wait until the project has
   * delivered everything it recorded, so a delivery of an earlier accepted send never reads as a change.
   */
  async function settled(): Promise<void> {
    const end = Date.now() + 30_000;
    for (;;) {
      const pending = ((await project.describe()).modules.messages as { pendingDeliveries?: number } | null)?.pendingDeliveries ?? 0;
      if (pending === 0 || Date.now() > end) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Everything a hostile call could have changed (once earlier sends are delivered). */
  async function snapshot(): Promise<string> {
    await settled();
    const [members, reservations, audit, inboxA, inboxB, outboxA, settings] = await Promise.all([
      project.agents.list({ includeRetired: true }),
      project.reservations.list(),
      project.reservations.audit({ limit: 1000 }),
      project.messages.inbox(a.actor, { limit: 500 }),
      project.messages.inbox(b.actor, { limit: 500 }),
      project.messages.outbox(a.actor, { limit: 500 }),
      project.describe(),
    ]);
    return JSON.stringify({
      members: members.map((m) => [m.name, m.kind, m.status, m.contactPolicy, m.contacts, m.invitedBy ?? '']),
      reservations: reservations.reservations.map((r) => [r.id, r.holder, r.pattern, r.exclusive, r.expiresAt]),
      audit: audit.total,
      inboxA: inboxA.items.map((i) => [i.id, i.readAt ?? '', i.ackedAt ?? '']),
      inboxB: inboxB.items.map((i) => [i.id, i.readAt ?? '', i.ackedAt ?? '']),
      outboxA: outboxA.map((o) => [o.id, o.deliveredTo, o.acks.length]),
      settings: settings.settings,
    });
  }

  /** The state after the last case (each case's "after" is the next one's "before"). */
  let last: string | undefined;

  /** Run one hostile case: expect its code and an unchanged project. */
  async function expectRefused(boundary: string, label: string, expected: ErrorCode, call: () => Promise<unknown> | unknown): Promise<void> {
    count(boundary);
    const before = last ?? (await snapshot());
    const { code: got, message } = await outcomeOf(call);
    const after = await snapshot();
    last = after;
    if (got !== expected) failures.push(`${boundary}: ${label}: expected ${expected}, got ${got}${message ? `: ${message.slice(0, 160)}` : ''}`);
    else if (unclear(message)) failures.push(`${boundary}: ${label}: refused without a clear message: ${JSON.stringify(message.slice(0, 300))}`);
    if (after !== before) failures.push(`${boundary}: ${label}: the project changed (${got})`);
  }

  /**
   * A case through the HTTP API: its code, the HTTP status (by code, or as given; 'not sent' when BatonApi
   * must refuse it before sending anything), an unchanged project.
   */
  async function expectHttp(label: string, expected: ErrorCode, call: () => Promise<unknown>, status: number | 'not sent' = HTTP_STATUS_OF[expected]): Promise<void> {
    lastStatus = undefined;
    let answered: number | undefined;
    await expectRefused('http', label, expected, async () => {
      try {
        return await call();
      } finally {
        answered = lastStatus;
      }
    });
    if (answered !== (status === 'not sent' ? undefined : status)) failures.push(`http: ${label}: expected ${status === 'not sent' ? 'no request' : `HTTP ${status}`}, got ${answered ? `HTTP ${answered}` : 'no response'}`);
  }

  /**
   * An operator's well-formed call naming some member: accepted. `check` says what must have changed
   * (undefined when it did exactly that); the next case takes a fresh baseline.
   */
  async function expectAccepted<T>(boundary: string, label: string, call: () => Promise<T>, check: (answer: T) => Promise<string | undefined>): Promise<T | undefined> {
    count(boundary);
    let answer: T;
    try {
      answer = await call();
    } catch (err) {
      failures.push(`${boundary}: ${label}: expected it to be accepted, got ${toBatonError(err).code}: ${(err as Error).message.slice(0, 200)}`);
      last = undefined;
      return undefined;
    }
    const problem = await check(answer);
    if (problem) failures.push(`${boundary}: ${label}: accepted, but ${problem}`);
    last = undefined;
    return answer;
  }

  beforeAll(async () => {
    diagnostics.subscribe('http.client.response.finish', onResponse);
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    const created = await ctx.createProject({ prefix: 'hostile', human: 'alice' });
    project = created.client;
    alice = { name: created.human.name, token: created.human.token, actor: member(created.human.name) };
    a = asMember(await project.agents.register({ name: 'BoldMountain', program: 'hostile-test', contactPolicy: 'open' }));
    b = asMember(await project.agents.register({ name: 'SwiftEagle', program: 'hostile-test', contactPolicy: 'open' }));
    retired = asMember(await project.agents.register({ name: 'QuietRiver', program: 'hostile-test' }));
    await project.agents.retire(retired.actor, retired.name);
    const other = await ctx.createProject({ prefix: 'hostile-other', human: 'carol' });
    stranger = asMember(await other.client.agents.register({ name: 'SwiftEagle', program: 'hostile-test' }));
    const held = await project.reservations.reserve({ actor: a.actor, patterns: ['src/held.ts'], reason: 'held during the corpus' });
    if (held.status !== 'granted') throw new Error('setup reservation not granted');
    heldId = held.reservations[0]!.id;
    messageId = (await project.messages.send(a.actor, { to: [b.name], subject: 'setup', body: 'a message to act on' })).messageId;
  });

  afterAll(async () => {
    diagnostics.unsubscribe('http.client.response.finish', onResponse);
    const total = Object.values(tried).reduce((n, x) => n + x, 0);
    process.stdout.write(`bad-input corpus: ${total} hostile inputs tried (${Object.entries(tried).map(([k, n]) => `${k} ${n}`).join(', ')}); ${failures.length} not refused as expected\n`);
    await ctx.close();
  });

  afterEach(() => {
    const found = failures.splice(0);
    if (found.length) throw new Error(`Hostile inputs not refused as expected:\n${found.map((f) => `  - ${f}`).join('\n')}`);
  });

  it('client: reservations', async () => {
    for (const h of HOSTILE_PATTERNS) await expectRefused('client', `reserve ${h.label}`, h.code, () => project.reservations.reserve({ actor: b.actor, patterns: [h.value], reason: 'hostile' }));
    for (const h of HOSTILE_PATTERNS.filter((p) => !p.hoarding)) await expectRefused('client', `check ${h.label}`, h.code, () => project.reservations.check({ patterns: [h.value] }));
    for (const path of ['/etc/passwd', '../secrets.env', 'src/../../etc/passwd', '', 'src/a\u0000.ts', 'src\\a.ts', 'src//', 'src/./a.ts']) {
      await expectRefused('client', `check path ${JSON.stringify(path)}`, 'INVALID_INPUT', () => project.reservations.check({ paths: [path] }));
    }
    await expectRefused('client', 'gigantic pattern list', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
    await expectRefused('client', 'empty pattern list', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: [], reason: 'hostile' }));
    await expectRefused('client', 'whitespace reason', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: '   ' }));
    await expectRefused('client', 'gigantic reason', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: 'r'.repeat(100_000) }));
    await expectRefused('client', 'NaN ttl', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: 'x', ttlSeconds: Number.NaN }));
    // Identities: the workflow checks membership, retirement and the credential epoch of every actor.
    await expectRefused('client', 'a member that does not exist', 'UNAUTHORIZED', () => project.reservations.reserve({ actor: member('NobodyHere'), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'a retired member', 'UNAUTHORIZED', () => project.reservations.reserve({ actor: retired.actor, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'a stale credential epoch (token rotated since)', 'UNAUTHORIZED', () => project.reservations.reserve({ actor: member(b.name, 7), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'a negative epoch', 'INVALID_INPUT', () => project.reservations.reserve({ actor: member(b.name, -1), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'a fractional epoch', 'INVALID_INPUT', () => project.reservations.reserve({ actor: member(b.name, 0.5), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'look-alike of a member', 'INVALID_INPUT', () => project.reservations.reserve({ actor: member('B\u043eldMountain'), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', "another agent's held file", 'CONFLICT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/*.ts'], reason: 'x' }));
    await expectRefused('client', "the directory above another agent's held file", 'CONFLICT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src'], reason: 'x' }));
    await expectRefused('client', 'agent overriding the hoarding guard', 'FORBIDDEN', () => project.reservations.reserve({ actor: b.actor, patterns: ['**'], reason: 'x', allowBroad: true }));
    await expectRefused('client', "release another agent's lease", 'FORBIDDEN', () => project.reservations.release({ actor: b.actor, ids: [heldId] }));
    await expectRefused('client', "renew another agent's lease", 'FORBIDDEN', () => project.reservations.renew({ actor: b.actor, ids: [heldId] }));
    await expectRefused('client', 'renew an unknown id', 'NOT_FOUND', () => project.reservations.renew({ actor: a.actor, ids: ['r-0000000000000000'] }));
    await expectRefused('client', 'force-release by an agent', 'FORBIDDEN', () => project.reservations.forceRelease({ actor: b.actor, ids: [heldId], reason: 'mine now' }));
    await expectRefused('client', 'force-release by a human at a stale epoch', 'UNAUTHORIZED', () => project.reservations.forceRelease({ actor: member(alice.name, 3), ids: [heldId], reason: 'x' }));
    const forgedWorkflow: ForceReleaseInput = { actor: { kind: 'workflow', workflowId: `baton/${project.key}/sequential-handoff/forged`, onBehalfOf: alice.name }, ids: [heldId], reason: 'x' };
    await expectRefused('client', "force-release by a pattern's workflow actor on a human's behalf", 'FORBIDDEN', () => project.reservations.forceRelease(forgedWorkflow));
    await expectRefused('client', 'release with nothing named', 'INVALID_INPUT', () => project.reservations.release({ actor: a.actor } as never));
  });

  it('client: registration, identity, settings, project keys', async () => {
    for (const h of HOSTILE_NAMES) await expectRefused('client', `register ${h.label}`, h.code, () => project.agents.register({ name: h.value }));
    await expectRefused('client', 'register a taken name', 'ALREADY_EXISTS', () => project.agents.register({ name: 'BoldMountain' }));
    await expectRefused('client', 'register the name of a retired member', 'ALREADY_EXISTS', () => project.agents.register({ name: retired.name }));
    await expectRefused('client', 'gigantic task', 'INVALID_INPUT', () => project.agents.register({ task: 't'.repeat(100_000) }));
    await expectRefused('client', 'human invited by an agent', 'FORBIDDEN', () => project.agents.inviteHuman(a.actor, 'mallory'));
    await expectRefused('client', 'human invited by a human at a stale epoch', 'UNAUTHORIZED', () => project.agents.inviteHuman(member(alice.name, 9), 'mallory'));
    await expectRefused('client', 'human invited under a taken name', 'ALREADY_EXISTS', () => project.agents.inviteHuman(alice.actor, a.name));
    await expectRefused('client', 'human invited under a look-alike name', 'INVALID_INPUT', () => project.agents.inviteHuman(alice.actor, '\u0430lice'));
    await expectRefused('client', 'whoami of nobody', 'UNAUTHORIZED', () => project.agents.whoami(member('NobodyHere')));
    await expectRefused('client', 'whoami at a stale epoch', 'UNAUTHORIZED', () => project.agents.whoami(member(a.name, 4)));
    await expectRefused('client', 'whoami of a retired member', 'UNAUTHORIZED', () => project.agents.whoami(retired.actor));
    await expectRefused('client', 'whoami with a look-alike name', 'INVALID_INPUT', () => project.agents.whoami(member('B\u043eldMountain')));
    await expectRefused('client', 'agent retiring another agent', 'FORBIDDEN', () => project.agents.retire(b.actor, a.name));
    await expectRefused('client', 'retire an unknown member', 'NOT_FOUND', () => project.agents.retire(alice.actor, 'NobodyHere'));
    await expectRefused('client', "agent rotating another agent's token", 'FORBIDDEN', () => project.agents.rotateToken(b.actor, a.name));
    await expectRefused('client', "agent rotating a human's token", 'FORBIDDEN', () => project.agents.rotateToken(b.actor, alice.name));
    await expectRefused('client', 'rotate the token of nobody', 'NOT_FOUND', () => project.agents.rotateToken(alice.actor, 'NobodyHere'));
    await expectRefused('client', 'settings changed by an agent', 'FORBIDDEN', () => project.updateSettings(a.actor, { trustAfterTasks: 1 }));
    await expectRefused('client', 'settings: the removed "humans" list', 'INVALID_INPUT', () => project.updateSettings(alice.actor, { humans: ['mallory'] } as never));
    await expectRefused('client', 'settings out of range', 'INVALID_INPUT', () => project.updateSettings(alice.actor, { trustAfterTasks: 0 }));
    await expectRefused('client', 'shutdown by an agent', 'FORBIDDEN', () => project.shutdown(a.actor, 'not mine to end'));
    await expectRefused('client', 'shutdown without a reason', 'INVALID_INPUT', () => project.shutdown(alice.actor, '  '));
    for (const h of HOSTILE_PROJECT_KEYS) await expectRefused('client', `project key ${h.label}`, h.code, () => ctx.baton.project(h.value));
    await expectRefused('client', 'a project never created', 'NOT_FOUND', () => ctx.baton.project(ctx.project('missing')).agents.register({}));
    await expectRefused('client', 'create a project that exists', 'ALREADY_EXISTS', () => ctx.baton.initProject(project.key, { human: 'mallory' }));
    await expectRefused('client', 'create a project with a look-alike human', 'INVALID_INPUT', () => ctx.baton.initProject(ctx.project('hostile-new'), { human: '\u0430lice' }));
    await expectRefused('client', 'create a project with a control character in the human', 'INVALID_INPUT', () => ctx.baton.initProject(ctx.project('hostile-new'), { human: 'ali\u0007ce' }));
  });

  it('client: messages', async () => {
    const base = { to: [b.name], subject: 'hostile', body: 'hostile body' };
    for (const h of HOSTILE_MESSAGES) await expectRefused('client', `send ${h.label}`, h.code, () => project.messages.send(a.actor, { ...base, ...h.value }));
    for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('client', `read ${h.label}`, h.code, () => project.messages.read(b.actor, h.value));
    for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('client', `ack ${h.label}`, h.code, () => project.messages.ack(b.actor, h.value));
    await expectRefused('client', 'send as nobody', 'UNAUTHORIZED', () => project.messages.send(member('NobodyHere'), base));
    await expectRefused('client', 'send at a stale epoch', 'UNAUTHORIZED', () => project.messages.send(member(a.name, 2), base));
    await expectRefused('client', 'send as a retired member', 'UNAUTHORIZED', () => project.messages.send(retired.actor, base));
    await expectRefused('client', 'send to a retired member', 'INVALID_STATE', () => project.messages.send(a.actor, { ...base, to: [retired.name] }));
    await expectRefused('client', 'inbox at a stale epoch', 'UNAUTHORIZED', () => project.messages.inbox(member(b.name, 5)));
    await expectRefused('client', 'inbox of a retired member', 'UNAUTHORIZED', () => project.messages.inbox(retired.actor));
    await expectRefused('client', "read a message that is in someone else's inbox", 'NOT_FOUND', () => project.messages.read(alice.actor, messageId));
    await expectRefused('client', 'broadcast with a gigantic body', 'INVALID_INPUT', () => project.messages.broadcast(a.actor, { subject: 'x', body: 'b'.repeat(1024 * 1024) }));
    await expectRefused('client', 'inbox limit 0', 'INVALID_INPUT', () => project.messages.inbox(b.actor, { limit: 0 }));
    await expectRefused('client', 'inbox since garbage', 'INVALID_INPUT', () => project.messages.inbox(b.actor, { since: 'yesterday-ish' }));
  });

  it('raw workflow updates and queries through the Temporal client (no client-side validation; operator access)', async () => {
    const handle = ctx.client.workflow.getHandle(project.channel.workflowId);
    const raw = (name: string, arg: unknown) => () => handle.executeUpdate(name, { args: [arg] });
    for (const h of HOSTILE_PATTERNS) await expectRefused('raw update', `reserve ${h.label}`, h.code, raw('reserve', { actor: b.actor, patterns: [h.value], reason: 'hostile' }));
    await expectRefused('raw update', 'reserve a gigantic pattern list', 'INVALID_INPUT', raw('reserve', { actor: b.actor, patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
    await expectRefused('raw update', 'reserve as a forged workflow actor', 'INVALID_INPUT', raw('reserve', { actor: { kind: 'workflow', workflowId: '', onBehalfOf: a.name }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve as an actor of an unknown kind', 'INVALID_INPUT', raw('reserve', { actor: { kind: 'admin', name: a.name }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve as nobody', 'UNAUTHORIZED', raw('reserve', { actor: member('NobodyHere'), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve as a retired member', 'UNAUTHORIZED', raw('reserve', { actor: retired.actor, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve at a stale epoch', 'UNAUTHORIZED', raw('reserve', { actor: member(b.name, 11), patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve at a string epoch', 'INVALID_INPUT', raw('reserve', { actor: { kind: 'member', name: b.name, epoch: '0' }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve with a negative ttl', 'INVALID_INPUT', raw('reserve', { actor: b.actor, patterns: ['src/x.ts'], reason: 'x', ttlSeconds: -5 }));
    await expectRefused('raw update', 'force-release by an agent', 'FORBIDDEN', raw('forceRelease', { actor: b.actor, ids: [heldId], reason: 'x' }));
    await expectRefused('raw update', "force-release by a workflow actor on a human's behalf", 'FORBIDDEN', raw('forceRelease', { actor: { kind: 'workflow', workflowId: 'baton/x/code-review/y', onBehalfOf: alice.name }, ids: [heldId], reason: 'x' }));
    await expectRefused('raw update', "release another agent's lease", 'FORBIDDEN', raw('release', { actor: b.actor, ids: [heldId] }));
    for (const h of HOSTILE_NAMES) await expectRefused('raw update', `register ${h.label}`, h.code, raw('register', { name: h.value, tokenHash: 'a'.repeat(64) }));
    await expectRefused('raw update', 'register with a malformed token hash', 'INVALID_INPUT', raw('register', { tokenHash: 'not-a-hash' }));
    await expectRefused('raw update', 'register with no token hash', 'INVALID_INPUT', raw('register', { name: 'CalmHarbor' }));
    await expectRefused('raw update', 'register a human with a forged kind', 'FORBIDDEN', raw('register', { kind: 'human', name: 'mallory', tokenHash: 'b'.repeat(64) }));
    await expectRefused('raw update', 'invite a human as an agent', 'FORBIDDEN', raw('inviteHuman', { actor: a.actor, name: 'mallory', tokenHash: 'c'.repeat(64) }));
    await expectRefused('raw update', 'invite a human as a workflow actor', 'FORBIDDEN', raw('inviteHuman', { actor: { kind: 'workflow', workflowId: 'baton/x/onboarding/y', onBehalfOf: alice.name }, name: 'mallory', tokenHash: 'c'.repeat(64) }));
    await expectRefused('raw update', "rotate another agent's token as an agent", 'FORBIDDEN', raw('rotateToken', { actor: b.actor, name: a.name, tokenHash: 'd'.repeat(64) }));
    await expectRefused('raw update', 'retire a human as an agent', 'FORBIDDEN', raw('retire', { actor: a.actor, name: alice.name }));
    for (const h of HOSTILE_MESSAGES) await expectRefused('raw update', `send ${h.label}`, h.code, raw('send', { actor: a.actor, to: [b.name], subject: 'x', body: 'y', ...h.value }));
    await expectRefused('raw update', 'notify by a member (internal API)', 'FORBIDDEN', raw('notify', { actor: a.actor, to: 'all', subject: 'x', body: 'forged system notice' }));
    await expectRefused('raw update', 'record a success as a member (internal API)', 'FORBIDDEN', raw('recordSuccess', { actor: a.actor }));
    await expectRefused('raw update', 'shutdown by an agent', 'FORBIDDEN', raw('shutdown', { actor: a.actor, reason: 'agents may not end projects' }));
    await expectRefused('raw update', "shutdown by a workflow actor on a human's behalf", 'INVALID_INPUT', raw('shutdown', { actor: { kind: 'workflow', workflowId: 'baton/x/y/z', onBehalfOf: alice.name }, reason: 'x' }));
    await expectRefused('raw update', 'shutdown without a reason', 'INVALID_INPUT', raw('shutdown', { actor: alice.actor, reason: '' }));
    await expectRefused('raw update', 'settings changed by an agent', 'FORBIDDEN', raw('updateSettings', { actor: a.actor, patch: { trustAfterTasks: 1 } }));
    await expectRefused('raw update', 'settings: the removed "humans" list', 'INVALID_INPUT', raw('updateSettings', { actor: alice.actor, patch: { humans: ['mallory'] } }));
    for (const shape of WRONG_SHAPES) {
      for (const update of ['reserve', 'release', 'renew', 'forceRelease', 'register', 'inviteHuman', 'rotateToken', 'retire', 'send', 'shutdown', 'updateSettings']) {
        await expectRefused('raw update', `${update} with ${shape.label}`, shape.code, raw(update, shape.value));
      }
    }
    await expectRefused('raw query', 'whoami of nobody', 'UNAUTHORIZED', async () => {
      const answer = (await handle.query('whoami', { actor: member('NobodyHere') })) as { ok: boolean; code?: ErrorCode; message?: string };
      if (!answer.ok) throw new BatonError(answer.code!, answer.message ?? '');
      return answer;
    });

    // Operator access is trusted: a well-formed update naming any member acts as that member.
    const operatorLease = await expectAccepted(
      'raw update',
      'reserve naming another agent (operator access)',
      () => handle.executeUpdate('reserve', { args: [{ actor: member(a.name), patterns: ['src/operator.ts'], reason: 'operator test' }] }) as Promise<{ status: string; reservations?: { id: string; holder: string }[] }>,
      async (answer) => {
        const listed = (await project.reservations.list()).reservations.filter((r) => r.pattern === 'src/operator.ts');
        if (answer.status !== 'granted') return `answered ${answer.status}`;
        return listed.length === 1 && listed[0]!.holder === a.name ? undefined : `src/operator.ts is held by ${JSON.stringify(listed.map((r) => r.holder))}, not by ${a.name} alone`;
      },
    );
    const operatorId = operatorLease?.reservations?.[0]?.id;
    await expectAccepted(
      'raw update',
      "force-release naming a human (operator access; a human's right)",
      () => handle.executeUpdate('forceRelease', { args: [{ actor: alice.actor, ids: operatorId ? [operatorId] : ['r-0000000000000000'], reason: 'operator test over' }] }) as Promise<{ released: { id: string }[] }>,
      async (answer) => {
        const still = (await project.reservations.list()).reservations.some((r) => r.pattern === 'src/operator.ts');
        const held = (await project.reservations.list()).reservations.some((r) => r.id === heldId);
        if (still || answer.released.length !== 1 || answer.released[0]!.id !== operatorId) return `released ${JSON.stringify(answer.released.map((r) => r.id))}`;
        return held ? undefined : `it also released ${heldId}`;
      },
    );

    // Mailbox updates and queries go straight to the member's mailbox workflow, which checks the actor.
    const mailbox = ctx.client.workflow.getHandle(mailboxWorkflowId(project.key, b.name));
    await expectRefused('raw update', "mailbox read by another member (a's actor on b's mailbox)", 'FORBIDDEN', () => mailbox.executeUpdate('read', { args: [{ actor: a.actor, messageId }] }));
    await expectRefused('raw update', 'mailbox ack by another member', 'FORBIDDEN', () => mailbox.executeUpdate('ack', { args: [{ actor: alice.actor, messageId }] }));
    await expectRefused('raw update', 'mailbox read at a stale epoch', 'UNAUTHORIZED', () => mailbox.executeUpdate('read', { args: [{ actor: member(b.name, 6), messageId }] }));
    await expectRefused('raw update', 'mailbox read with a token instead of an actor', 'INVALID_INPUT', () => mailbox.executeUpdate('read', { args: [{ token: b.token, messageId }] }));
    await expectRefused('raw update', 'mailbox wait of 10 hours', 'INVALID_INPUT', () => mailbox.executeUpdate('wait', { args: [{ actor: b.actor, timeoutSeconds: 36_000 }] }));
    for (const shape of WRONG_SHAPES) await expectRefused('raw update', `mailbox read with ${shape.label}`, shape.code, () => mailbox.executeUpdate('read', { args: [shape.value] }));
    for (const [label, actor, code] of [
      ['by another member', a.actor, 'FORBIDDEN'],
      ['at a stale epoch', member(b.name, 8), 'UNAUTHORIZED'],
    ] as [string, MemberActor, ErrorCode][]) {
      await expectRefused('raw query', `mailbox inbox ${label}`, code, async () => {
        const answer = (await mailbox.query('inbox', { actor })) as { ok: boolean; code?: ErrorCode; message?: string };
        if (!answer.ok) throw new BatonError(answer.code!, answer.message ?? '');
        return answer;
      });
    }
    await expectAccepted(
      'raw update',
      'mailbox read as its owner (operator access)',
      () => mailbox.executeUpdate('read', { args: [{ actor: member(b.name), messageId }] }) as Promise<{ id: string; readAt?: string }>,
      async (item) => (item.id === messageId && item.readAt ? undefined : `answered ${JSON.stringify(item).slice(0, 120)}`),
    );
  });

  it('raw signals: garbage to live workflows is dropped without wedging them; a completed workflow is NOT_FOUND', async () => {
    const mailbox = ctx.client.workflow.getHandle(mailboxWorkflowId(project.key, b.name));
    const garbage: [string, unknown][] = [
      ['deliver', null],
      ['deliver', { id: 'm-../../x', body: 'b'.repeat(200_000) }],
      ['deliver', 42],
      ['sent', { message: null }],
      ['acked', { messageId: messageId, ack: { member: 'NobodyHere' } }],
      ['claim', { tokenHash: 'forged' }],
      ['claim', { memberId: '', epoch: -1, retired: 'no' }],
      ['claim', null],
    ];
    last = undefined;
    for (const [signal, payload] of garbage) {
      count('raw signal');
      const before = await snapshot();
      await mailbox.signal(signal, payload);
      // A round trip through the mailbox (an update) proves it processed the signal and still works.
      await project.messages.read(b.actor, messageId).catch(() => undefined);
      const after = await snapshot();
      if (JSON.stringify(JSON.parse(after).inboxB) !== JSON.stringify(JSON.parse(before).inboxB)) failures.push(`raw signal: ${signal} ${JSON.stringify(payload)?.slice(0, 60)} changed the inbox`);
    }
    // No workflow task of the mailbox failed on any of it (a throwing signal handler would wedge it).
    const history = await mailbox.fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    if (failed.length) failures.push(`raw signal: the mailbox failed ${failed.length} workflow task(s): ${failed[0]!.workflowTaskFailedEventAttributes!.failure?.message}`);

    // The project workflow ends only by a human's `shutdown` update: the signal scripts once sent does nothing.
    count('raw signal');
    const before = await snapshot();
    await project.channel.handle().signal('shutdown', { by: a.name, reason: 'the old signal' });
    await project.ping();
    if ((await project.state()).status !== 'running') failures.push('raw signal: the old shutdown signal ended the project');
    if ((await snapshot()) !== before) failures.push('raw signal: the old shutdown signal changed the project');
    const projectFailed = ((await project.channel.handle().fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    if (projectFailed.length) failures.push(`raw signal: the project failed ${projectFailed.length} workflow task(s)`);

    // A project that was shut down: its workflow is completed; signals and updates to it are refused,
    // and the typed client says who ended it.
    const done = await ctx.createProject({ prefix: 'done', human: 'dora' });
    await done.client.shutdown(member('dora'), 'corpus: ended on purpose');
    await done.client.channel.handle().result();
    count('raw signal');
    const code = await outcome(() => done.client.channel.handle().signal('shutdown', { by: 'test', reason: 'again' }));
    if (code !== 'NOT_FOUND') failures.push(`raw signal: a signal to a completed project: expected NOT_FOUND, got ${code}`);
    count('raw update');
    const updateCode = await outcome(() => done.client.channel.handle().executeUpdate('ping', { args: [{}] }));
    if (updateCode !== 'NOT_FOUND') failures.push(`raw update: ping to a completed project: expected NOT_FOUND, got ${updateCode}`);
    count('client');
    const ended = await done.client.agents.register({}).then(
      () => undefined,
      (err: BatonError) => err,
    );
    if (ended?.code !== 'INVALID_STATE' || !ended.message.includes('shut down by dora')) failures.push(`client: register in an ended project: expected INVALID_STATE naming dora, got ${ended?.code}: ${ended?.message}`);
  });

  it('patterns: approvals by agents, self-review, decisions on ended runs', async () => {
    last = undefined;
    await expectRefused('client', 'code review by its own author', 'INVALID_INPUT', () =>
      project.patterns.start('code-review', { title: 'Self review', author: a.name, reviewer: a.name, task: 'review my own work', files: ['src/review/**'] }, { startedBy: alice.name }),
    );
    await expectRefused('client', 'code review by a case-variant of the author', 'INVALID_INPUT', () =>
      project.patterns.start('code-review', { title: 'Self review', author: a.name, reviewer: a.name.toUpperCase(), task: 'review my own work', files: ['src/review/**'] }, { startedBy: alice.name }),
    );
    for (const file of ['../outside/**', '/etc/passwd', '**', 'src/a\u0000.ts', 'src/*/']) {
      await expectRefused('client', `handoff plan with file ${JSON.stringify(file)}`, 'INVALID_INPUT', () =>
        project.patterns.start('sequential-handoff', { title: 'Escape', steps: [{ name: 'one', agent: a.name, task: 'edit', files: [file] }] }, { startedBy: alice.name }),
      );
    }
    await expectRefused('client', 'parallel plan with an absolute file', 'INVALID_INPUT', () =>
      project.patterns.start('parallel-development', {
        title: 'Escape',
        workers: [
          { agent: a.name, task: 'x', files: ['/abs/**'] },
          { agent: b.name, task: 'y', files: ['src/y/**'] },
        ],
        integration: { command: 'true' },
      }, { startedBy: alice.name }),
    );
    const run = await project.patterns.start('sequential-handoff', { title: 'Hostile decisions', steps: [{ name: 'only', agent: a.name, task: 'edit the pattern file', files: ['src/pattern/**'] }] }, { startedBy: alice.name });
    const status = async () => {
      const s = await project.patterns.status(run.workflowId);
      return JSON.stringify({ state: s.state, step: s.step, decision: s.decision ?? null, steps: s.steps, timeline: s.timeline.map((t) => t.kind) });
    };
    // The run reserves its step's files and assigns the step asynchronously: wait for it before the baseline.
    await until(async () => (await project.patterns.status(run.workflowId)).assigned.length > 0);
    last = undefined;
    const patternBefore = await status();
    await expectRefused('client', 'approval by an agent', 'FORBIDDEN', () => project.patterns.approve(run.workflowId, { name: a.name }));
    await expectRefused('client', 'rejection by an agent', 'FORBIDDEN', () => project.patterns.reject(run.workflowId, { name: b.name }, 'no'));
    await expectRefused('client', 'cancel by an agent', 'FORBIDDEN', () => project.patterns.cancel(run.workflowId, { name: b.name }, 'mine now'));
    await expectRefused('client', 'approval by nobody', 'UNAUTHORIZED', () => project.patterns.approve(run.workflowId, { name: 'NobodyHere' }));
    await expectRefused('client', 'approval by a human at a stale epoch', 'UNAUTHORIZED', () => project.patterns.approve(run.workflowId, { name: alice.name, epoch: 12 }));
    await expectRefused('client', 'approval when nothing waits for one', 'INVALID_STATE', () => project.patterns.approve(run.workflowId, { name: alice.name }));
    await expectRefused('client', 'report by an agent not assigned', 'FORBIDDEN', () => project.patterns.done(run.workflowId, { name: b.name }, { summary: 'I did it (I did not)' }));
    await expectRefused('client', 'report under a look-alike of the assigned agent', 'INVALID_INPUT', () => project.patterns.done(run.workflowId, { name: 'B\u043eldMountain' }, { summary: 'x' }));

    // The same through the Baton server, with the members' own tokens.
    const asA = http(a).project(project.key);
    const asAlice = http(alice).project(project.key);
    await expectHttp('approval with an agent token', 'FORBIDDEN', () => asA.patterns.approve(run.workflowId));
    await expectHttp('cancel with an agent token', 'FORBIDDEN', () => asA.patterns.cancel(run.workflowId, 'mine now'));
    await expectHttp('approval when nothing waits for one', 'INVALID_STATE', () => asAlice.patterns.approve(run.workflowId));
    await expectHttp('report by an agent not assigned', 'FORBIDDEN', () => http(b).project(project.key).patterns.done(run.workflowId, { summary: 'I did it (I did not)' }));
    await expectHttp('report naming the reporting agent in the body', 'INVALID_INPUT', () => asA.patterns.done(run.workflowId, { summary: 'x', agent: b.name } as never));
    await expectHttp('approval naming the approver in the body', 'INVALID_INPUT', () => http(alice).transport.request('POST', `/v1/projects/${project.key}/patterns/sequential-handoff/${run.workflowId.split('/').pop()}/approve`, { body: { approver: b.name } }));
    await expectHttp('status of an unknown run', 'NOT_FOUND', () => asA.patterns.status('sequential-handoff/no-such-run'));
    await expectHttp('a run path that escapes', 'INVALID_INPUT', () => asA.patterns.status('sequential-handoff/..'), 'not sent');
    // BatonApi encodes what it is given: a percent-encoded dot-dot arrives as a literal (and invalid) run id.
    await expectHttp('a run id spelt as a percent-encoded dot-dot', 'INVALID_INPUT', () => asA.patterns.status('sequential-handoff/%2e%2E'));
    await expectHttp('a run of a pattern that is no pattern name', 'INVALID_INPUT', () => asA.patterns.status('Not_A_Pattern/x'));
    // A full id of this project must still name a pattern run: not the project's workflow, a mailbox,
    // or (through extra parts) the workflows of a project whose key starts with this one's.
    for (const ref of [`baton/${project.key}/project`, `baton/${project.key}/mailbox/${a.name.toLowerCase()}`, 'code-review/a/project', `baton/${project.key}/code-review/a/project`]) {
      await expectRefused('client', `status of ${ref}`, 'INVALID_INPUT', () => project.patterns.status(ref));
    }
    await expectHttp('start a pattern that does not exist', 'INVALID_INPUT', () => asA.patterns.start('world-domination', { title: 'x' }));
    await expectHttp('start a plan with a file outside the repository', 'INVALID_INPUT', () =>
      asA.patterns.start('sequential-handoff', { title: 'Escape', steps: [{ name: 'one', agent: a.name, task: 'edit', files: ['../outside/**'] }] }),
    );

    // Raw signals, past the client's pre-checks: the workflow itself must ignore them.
    const handle = ctx.client.workflow.getHandle(run.workflowId);
    for (const [signal, payload] of [
      ['approve', { approver: a.name }],
      ['approve', { approver: 'NobodyHere' }],
      ['approve', { approver: alice.name }], // a human, but nothing waits for a decision
      ['reject', { approver: b.name, reason: 'agents may not decide' }],
      ['cancel', { by: b.name, reason: 'agents may not cancel' }],
      ['cancel', { by: 'B\u043eldMountain', reason: 'a look-alike' }],
      ['approve', null],
      ['cancel', 42],
    ] as [string, unknown][]) {
      count('raw signal');
      await handle.signal(signal, payload);
    }
    await project.patterns.progress(run.workflowId, { name: a.name }, 'still working');
    // Refusals are logged in the timeline ("refused"); a decision signal's handler may first ask the
    // directory who its sender is (an activity), so its refusal can land after the progress report.
    const refusedIn = (j: string) => (JSON.parse(j).timeline as string[]).filter((k) => k === 'refused').length;
    let patternAfter = await status();
    // The 8 raw signals, and the agents' three approve/reject attempts above (client twice, HTTP once):
    // those are refused before they change anything and recorded on the run where people look.
    const expected = 8 + 3;
    await until(async () => refusedIn((patternAfter = await status())) - refusedIn(patternBefore) >= expected, 30_000).catch(() => undefined);
    const refusals = refusedIn(patternAfter) - refusedIn(patternBefore);
    if (refusals !== expected) failures.push(`raw signal: ${refusals} of the ${expected} decision attempts were recorded as refused`);
    // Nothing else may change.
    const strip = (j: string) => ({ ...JSON.parse(j), timeline: (JSON.parse(j).timeline as string[]).filter((k) => k !== 'progress' && k !== 'refused') });
    if (JSON.stringify(strip(patternAfter)) !== JSON.stringify(strip(patternBefore))) failures.push(`raw signal: agent decisions changed the pattern: ${patternBefore} -> ${patternAfter}`);
    const failed = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    if (failed.length) failures.push(`raw signal: the pattern failed ${failed.length} workflow task(s): ${failed[0]!.workflowTaskFailedEventAttributes!.failure?.message}`);
    // Ended: a human cancels, then every decision and report is refused as INVALID_STATE.
    await project.patterns.cancel(run.workflowId, { name: alice.name }, 'corpus done');
    await until(async () => !(await project.reservations.list()).reservations.some((r) => r.pattern === 'src/pattern/**'));
    last = undefined;
    await expectRefused('client', 'approval of an ended pattern', 'INVALID_STATE', () => project.patterns.approve(run.workflowId, { name: alice.name }));
    await expectRefused('client', 'cancel of an ended pattern', 'INVALID_STATE', () => project.patterns.cancel(run.workflowId, { name: alice.name }, 'again'));
    await expectRefused('client', 'report to an ended pattern', 'INVALID_STATE', () => project.patterns.done(run.workflowId, { name: a.name }, { summary: 'late' }));
    await expectHttp('report to an ended pattern', 'INVALID_STATE', () => asA.patterns.done(run.workflowId, { summary: 'late' }));
    count('raw signal');
    const code = await outcome(() => handle.signal('approve', { approver: alice.name }));
    if (code !== 'NOT_FOUND') failures.push(`raw signal: approval signal to an ended pattern: expected NOT_FOUND, got ${code}`);
    await expectRefused('client', 'status of an unknown pattern', 'NOT_FOUND', () => project.patterns.status('sequential-handoff/no-such-run'));
  });

  it('HTTP API: identities the server cannot verify, identities in bodies, human-only routes', async () => {
    last = undefined;
    const key = project.key;
    for (const h of HOSTILE_TOKENS) {
      await expectHttp(`whoami with ${h.label}`, h.code, () => new BatonApi({ baseUrl: api.url, token: h.value }).project(key).agents.whoami());
      // Authentication comes first: a hostile body behind a hostile token is never parsed.
      await expectHttp(`reserve /etc/passwd with ${h.label}`, h.code, () => new BatonApi({ baseUrl: api.url, token: h.value }).project(key).reservations.reserve({ patterns: ['/etc/passwd'], reason: 'x' }));
    }
    await expectHttp('no token at all', 'UNAUTHORIZED', () => http().project(key).reservations.reserve({ patterns: ['src/x.ts'], reason: 'x' }));
    await expectHttp('a token with a space in it', 'UNAUTHORIZED', () => new BatonApi({ baseUrl: api.url, token: `${b.token} ${a.token}` }).project(key).agents.whoami());
    await expectHttp("another project's agent token", 'UNAUTHORIZED', () => http(stranger).project(key).agents.whoami());
    await expectHttp("a retired member's token", 'UNAUTHORIZED', () => http(retired).project(key).agents.whoami());
    await expectHttp("b's token claimed as a's (X-Baton-Member)", 'UNAUTHORIZED', () => http(b, { member: a.name }).project(key).agents.whoami());
    await expectHttp("a human's token claimed as an agent's", 'UNAUTHORIZED', () => http(alice, { member: a.name }).project(key).reservations.release({ ids: [heldId] }));
    for (const h of HOSTILE_PROJECT_KEYS) await expectHttp(`project key ${h.label}`, h.code, () => http(b).project(h.value).agents.whoami(), h.http);
    await expectHttp('a project never created', 'NOT_FOUND', () => http(b).project(ctx.project('missing')).agents.whoami());
    // Identity never travels in a body.
    const asB = http(b).project(key);
    await expectHttp('reserve naming an actor in the body', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: ['src/x.ts'], reason: 'x', actor: a.actor } as unknown as ReserveRequest));
    await expectHttp('reserve carrying a token in the body', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: ['src/x.ts'], reason: 'x', token: a.token } as unknown as ReserveRequest));
    await expectHttp("release naming a's actor in the body", 'INVALID_INPUT', () => asB.reservations.release({ ids: [heldId], actor: a.actor } as never));
    await expectHttp("check naming whose leases to leave out (asAgent: a's held file)", 'INVALID_INPUT', () => asB.reservations.check({ paths: ['src/held.ts'], asAgent: a.name } as CheckRequest));
    await expectHttp('send naming the sender in the body', 'INVALID_INPUT', () => asB.messages.send({ to: [a.name], subject: 'x', body: 'y', by: a.name } as never));
    await expectHttp('register a human by asking (kind in the body)', 'INVALID_INPUT', () => http().project(key).agents.register({ name: 'mallory', kind: 'human' } as never));
    await expectHttp('register bringing its own token hash', 'INVALID_INPUT', () => http().project(key).agents.register({ tokenHash: 'e'.repeat(64) } as never));
    // Human-only routes refuse agents' tokens, whatever the body says.
    await expectHttp('force-release with an agent token', 'FORBIDDEN', () => asB.reservations.forceRelease({ ids: [heldId], reason: 'mine now' }));
    await expectHttp('invite a human with an agent token', 'FORBIDDEN', () => asB.agents.inviteHuman('mallory'));
    await expectHttp('settings with an agent token', 'FORBIDDEN', () => asB.updateSettings({ trustAfterTasks: 1 }));
    await expectHttp('shutdown with an agent token', 'FORBIDDEN', () => asB.shutdown('agents may not end projects', key));
    await expectHttp("retire another agent with an agent token", 'FORBIDDEN', () => asB.agents.retire(a.name));
    await expectHttp("rotate another agent's token with an agent token", 'FORBIDDEN', () => asB.agents.rotateToken(a.name));
    await expectHttp("force-release with another project's human token", 'UNAUTHORIZED', () => new BatonApi({ baseUrl: api.url, token: stranger.token.replace(/^bt_/, 'bh_') }).project(key).reservations.forceRelease({ ids: [heldId], reason: 'x' }));
    const asAlice = http(alice).project(key);
    await expectHttp('settings: the removed "humans" list', 'INVALID_INPUT', () => asAlice.updateSettings({ humans: ['mallory'] } as never));
    await expectHttp('settings out of range', 'INVALID_INPUT', () => asAlice.updateSettings({ trustAfterTasks: 0 }));
    await expectHttp('shutdown confirmed with the wrong key', 'INVALID_INPUT', () => asAlice.shutdown('slip of the keyboard', `${key}x`));
    await expectHttp('shutdown without a reason', 'INVALID_INPUT', () => asAlice.shutdown(' ', key));
    await expectHttp('invite under a taken name', 'ALREADY_EXISTS', () => asAlice.agents.inviteHuman(a.name));
    await expectHttp('invite under a look-alike name', 'INVALID_INPUT', () => asAlice.agents.inviteHuman('\u0430lice'));
    // Projects are created on purpose, once.
    await expectHttp('create a project that exists', 'ALREADY_EXISTS', () => http().initProject({ project: key, human: 'mallory' }));
    for (const h of HOSTILE_PROJECT_KEYS) await expectHttp(`create a project with key ${h.label}`, h.code, () => http().initProject({ project: h.value, human: 'mallory' }));
    const fresh = ctx.project('hostile-fresh');
    await expectHttp('create a project with a look-alike human', 'INVALID_INPUT', () => http().initProject({ project: fresh, human: '\u0430lice' }));
    await expectHttp('replace a project that never existed', 'INVALID_INPUT', () => http(alice).initProject({ project: fresh, human: 'mallory', replace: true }));
    await expectHttp('replace a running project', 'ALREADY_EXISTS', () => http(alice).initProject({ project: key, human: 'mallory', replace: true }));
    count('http');
    const freshState = (await ctx.baton.project(fresh).state()).status;
    if (freshState !== 'missing') failures.push(`http: refused creations of ${fresh} left it ${freshState}`);
    // An ended project is re-created only on purpose, by one of its humans.
    const ended = await ctx.createProject({ prefix: 'hostile-ended', human: 'erin' });
    const endedAgent = asMember(await ended.client.agents.register({ name: 'CalmHarbor' }));
    await ended.client.shutdown(member('erin'), 'corpus: ended to be replaced');
    await expectHttp('re-create an ended project without --replace', 'INVALID_STATE', () => http({ ...alice, token: ended.human.token }).initProject({ project: ended.key, human: 'erin' }));
    await expectHttp('replace an ended project without a token', 'UNAUTHORIZED', () => http().initProject({ project: ended.key, human: 'mallory', replace: true }));
    await expectHttp('replace an ended project with an unknown token', 'UNAUTHORIZED', () => new BatonApi({ baseUrl: api.url, token: HOSTILE_TOKENS[1]!.value }).initProject({ project: ended.key, human: 'mallory', replace: true }));
    await expectHttp("replace an ended project with another project's human token", 'UNAUTHORIZED', () => http(alice).initProject({ project: ended.key, human: 'mallory', replace: true }));
    await expectHttp("replace an ended project with its agent's token", 'FORBIDDEN', () => http(endedAgent).initProject({ project: ended.key, human: 'mallory', replace: true }));
    count('http');
    const endedState = await ended.client.state();
    if (endedState.status !== 'ended') failures.push(`http: refused replacements of ${ended.key} left it ${endedState.status}`);
    // ...and its own human may (the one request of this test that is meant to succeed).
    const replaced = await http({ ...alice, token: ended.human.token }).initProject({ project: ended.key, human: 'frank', replace: true }).catch((err: Error) => err);
    if (replaced instanceof Error || !replaced.replaced || replaced.member.name !== 'frank') failures.push(`http: erin could not replace her ended project: ${replaced instanceof Error ? replaced.message : JSON.stringify(replaced)}`);
    // The longest valid project key (120 characters, with "/" sent as %2F) reaches the server's routes.
    count('http');
    const longKey = `${'k'.repeat(60)}/${'e'.repeat(59)}`;
    const long = await ctx.baton.initProject(longKey, { human: 'lena' });
    const lena = await new BatonApi({ baseUrl: api.url, token: long.token }).project(longKey).agents.whoami().catch((err: Error) => err);
    if (lena instanceof Error || lena.name !== 'lena') failures.push(`http: whoami in a project with a 120-character key: ${lena instanceof Error ? lena.message : lena.name}`);
  });

  it('HTTP API: reservations and messages through BatonApi', async () => {
    last = undefined;
    const asB = http(b).project(project.key);
    for (const h of HOSTILE_PATTERNS) await expectHttp(`reserve ${h.label}`, h.code, () => asB.reservations.reserve({ patterns: [h.value], reason: 'hostile' }));
    for (const h of HOSTILE_PATTERNS.filter((p) => !p.hoarding)) await expectHttp(`check ${h.label}`, h.code, () => asB.reservations.check({ patterns: [h.value] }));
    for (const path of ['/etc/passwd', '../secrets.env', '', 'src/a\u0000.ts', 'src\\a.ts', 'src//']) await expectHttp(`check path ${JSON.stringify(path)}`, 'INVALID_INPUT', () => asB.reservations.check({ paths: [path] }));
    await expectHttp('check nothing', 'INVALID_INPUT', () => asB.reservations.check({}));
    await expectHttp('reserve a gigantic pattern list', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
    await expectHttp('a body over the 1 MiB limit', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: ['src/x.ts'], reason: 'r'.repeat(2 * 1024 * 1024) }));
    await expectHttp('a misspelt field (ttl for ttlSeconds)', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: ['src/x.ts'], reason: 'x', ttl: 60 } as unknown as ReserveRequest));
    await expectHttp('a string ttl', 'INVALID_INPUT', () => asB.reservations.reserve({ patterns: ['src/x.ts'], reason: 'x', ttlSeconds: '3600' } as unknown as ReserveRequest));
    for (const shape of WRONG_SHAPES) await expectHttp(`reserve with ${shape.label}`, shape.code, () => http(b).transport.request('POST', `/v1/projects/${project.key}/reservations`, { body: shape.value }));
    await expectHttp("another agent's held file (a conflict is an answer)", 'CONFLICT', () => asB.reservations.reserve({ patterns: ['src/*.ts'], reason: 'x' }), 200);
    await expectHttp('agent overriding the hoarding guard', 'FORBIDDEN', () => asB.reservations.reserve({ patterns: ['**'], reason: 'x', allowBroad: true }));
    await expectHttp("release another agent's lease", 'FORBIDDEN', () => asB.reservations.release({ ids: [heldId] }));
    await expectHttp("renew another agent's lease", 'FORBIDDEN', () => asB.reservations.renew({ ids: [heldId] }));
    await expectHttp('renew an unknown id', 'NOT_FOUND', () => asB.reservations.renew({ ids: ['r-0000000000000000'] }));
    await expectHttp('release with nothing named', 'INVALID_INPUT', () => asB.reservations.release({}));
    await expectHttp('audit limit of a million', 'INVALID_INPUT', () => asB.reservations.audit({ limit: 1_000_000 }));
    await expectHttp('reservations of a look-alike holder', 'INVALID_INPUT', () => asB.reservations.list({ holder: 'B\u043eldMountain' }));
    // The agent's own registration goes through the server too (no token needed, none given).
    const anonymous = http().project(project.key);
    for (const h of HOSTILE_NAMES) await expectHttp(`register ${h.label}`, h.code, () => anonymous.agents.register({ name: h.value }));
    await expectHttp('register a taken name', 'ALREADY_EXISTS', () => anonymous.agents.register({ name: a.name }));
    // Messages.
    const asA = http(a).project(project.key);
    const base = { to: [b.name], subject: 'hostile', body: 'hostile body' };
    for (const h of HOSTILE_MESSAGES) await expectHttp(`send ${h.label}`, h.code, () => asA.messages.send({ ...base, ...h.value }));
    for (const h of HOSTILE_MESSAGE_IDS) await expectHttp(`read ${h.label}`, h.code, () => asB.messages.read(h.value), h.http);
    for (const h of HOSTILE_MESSAGE_IDS) await expectHttp(`ack ${h.label}`, h.code, () => asB.messages.ack(h.value), h.http);
    await expectHttp('rotate the token of a member named ".."', 'INVALID_INPUT', () => asB.agents.rotateToken('..'), 'not sent');
    await expectHttp("read a message that is in someone else's inbox", 'NOT_FOUND', () => http(alice).project(project.key).messages.read(messageId));
    await expectHttp('reply to an unknown message', 'NOT_FOUND', () => asB.messages.reply('m-000000000000', { body: 'x' }));
    await expectHttp('inbox limit 0', 'INVALID_INPUT', () => asB.messages.inbox({ limit: 0 }));
    await expectHttp('inbox since garbage', 'INVALID_INPUT', () => asB.messages.inbox({ since: 'yesterday-ish' }));
    await expectHttp('inbox unread=maybe', 'INVALID_INPUT', () => http(b).transport.request('GET', `/v1/projects/${project.key}/inbox`, { query: { unread: 'maybe' } }));
    await expectHttp('inbox wait of 10 hours', 'INVALID_INPUT', () => asB.messages.wait({ timeoutSeconds: 36_000 }));
    await expectHttp('contact request to nobody', 'NOT_FOUND', () => asB.messages.requestContact('NobodyHere'));
    await expectHttp('a route that does not exist', 'NOT_FOUND', () => http(b).transport.request('POST', `/v1/projects/${project.key}/reservations/steal`, { body: {} }));
  });

  it('MCP tools (in-process server; the session acts as SwiftEagle)', async () => {
    const sessions: { mcp: McpClient; close(): Promise<void> }[] = [];
    const open = async (identity: SessionMember) => {
      const server = createMcpServer(new McpSession(ctx.baton, project.key, identity), batonTools());
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const mcp = new McpClient({ name: 'hostile', version: '0.0.0' });
      await mcp.connect(clientSide);
      const session = {
        mcp,
        close: async () => {
          await mcp.close();
          await server.close();
        },
      };
      sessions.push(session);
      return session;
    };
    const toolOf = (mcp: McpClient) => (name: string, args: Record<string, unknown>) => async () => {
      const result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
      if (!result.isError) return result.structuredContent;
      const error = (result.structuredContent as { error?: { code: ErrorCode; message: string } } | undefined)?.error;
      throw new BatonError(error?.code ?? 'INTERNAL', error?.message ?? JSON.stringify(result.content));
    };
    last = undefined;
    try {
      const tool = toolOf((await open({ name: b.name, kind: 'agent', epoch: 0 })).mcp);
      for (const h of HOSTILE_PATTERNS) await expectRefused('mcp', `reserve ${h.label}`, h.code, tool('reserve', { patterns: [h.value], reason: 'hostile' }));
      await expectRefused('mcp', 'reserve a gigantic pattern list', 'INVALID_INPUT', tool('reserve', { patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
      await expectRefused('mcp', 'reserve a held file', 'CONFLICT', tool('reserve', { patterns: ['src/held.ts'], reason: 'x' }));
      await expectRefused('mcp', 'reserve smuggling an actor', 'INVALID_INPUT', tool('reserve', { patterns: ['src/x.ts'], reason: 'x', actor: a.actor }));
      await expectRefused('mcp', 'reserve smuggling a token', 'INVALID_INPUT', tool('reserve', { patterns: ['src/x.ts'], reason: 'x', token: a.token }));
      await expectRefused('mcp', "check smuggling whose leases to leave out (a's)", 'INVALID_INPUT', tool('check', { paths: ['src/held.ts'], asAgent: a.name }));
      await expectRefused('mcp', 'unknown argument', 'INVALID_INPUT', tool('reserve', { patterns: ['src/x.ts'], reason: 'x', ttl: 5 }));
      await expectRefused('mcp', "release another agent's lease", 'FORBIDDEN', tool('release', { ids: [heldId] }));
      await expectRefused('mcp', 'force-release by an agent', 'FORBIDDEN', tool('force_release', { ids: [heldId], reason: 'x' }));
      await expectRefused('mcp', 'register in a session that already has an identity', 'NOT_FOUND', tool('register', { name: 'CalmHarbor' }));
      await expectRefused('mcp', 'a tool that does not exist', 'NOT_FOUND', tool('login', { name: a.name, token: a.token }));
      for (const h of HOSTILE_MESSAGES) await expectRefused('mcp', `send ${h.label}`, h.code, tool('send', { to: [a.name], subject: 'x', body: 'y', ...h.value }));
      for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('mcp', `read ${h.label}`, h.code, tool('read', { messageId: h.value }));
      // Sessions whose member changed since they were opened: the workflows refuse them.
      const stale = toolOf((await open({ name: b.name, kind: 'agent', epoch: 5 })).mcp);
      await expectRefused('mcp', 'a session at a stale epoch reserves', 'UNAUTHORIZED', stale('reserve', { patterns: ['src/x.ts'], reason: 'x' }));
      await expectRefused('mcp', 'a session at a stale epoch reads its inbox', 'UNAUTHORIZED', stale('inbox', {}));
      const gone = toolOf((await open({ name: retired.name, kind: 'agent', epoch: 1 })).mcp);
      await expectRefused('mcp', "a retired member's session sends", 'UNAUTHORIZED', gone('send', { to: [a.name], subject: 'x', body: 'y' }));
    } finally {
      for (const s of sessions) await s.close();
    }
  });

  it('MCP at the server (/mcp over streamable HTTP): who a session is comes from its bearer token', async () => {
    const url = new URL('/mcp', api.url);
    const clients: McpClient[] = [];
    /** A session through the SDK's HTTP transport; `bearer` may change between requests. */
    const connect = async (options: { token?: string; project?: string; projectInQuery?: string; tools?: string; sessionId?: string }) => {
      const bearer = { token: options.token };
      const headers: Record<string, string> = {};
      if (options.project !== undefined) headers['x-baton-project'] = options.project;
      if (options.tools !== undefined) headers['x-baton-tools'] = options.tools;
      const target = new URL(url);
      // Header values are ASCII without control characters (fetch refuses others): hostile keys travel in ?project=.
      if (options.projectInQuery !== undefined) target.searchParams.set('project', options.projectInQuery);
      const transport = new StreamableHTTPClientTransport(target, {
        sessionId: options.sessionId,
        requestInit: { headers },
        fetch: (input, init) => {
          const h = new Headers(init?.headers);
          if (bearer.token === undefined) h.delete('authorization');
          else h.set('authorization', `Bearer ${bearer.token}`);
          return fetch(input, { ...init, headers: h });
        },
      });
      const mcp = new McpClient({ name: 'hostile-http', version: '0.0.0' });
      try {
        await mcp.connect(transport);
      } catch (err) {
        await transport.close().catch(() => undefined);
        throw mcpHttpError(err);
      }
      clients.push(mcp);
      return { mcp, bearer };
    };
    /** A tool call: its tool error, or the HTTP error of the request (with its status). */
    const call = (mcp: McpClient, name: string, args: Record<string, unknown> = {}) => async () => {
      let result: CallToolResult;
      try {
        result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
      } catch (err) {
        throw mcpHttpError(err);
      }
      if (!result.isError) return result.structuredContent;
      const error = (result.structuredContent as { error?: { code: ErrorCode; message: string } } | undefined)?.error;
      throw new BatonError(error?.code ?? 'INTERNAL', error?.message ?? JSON.stringify(result.content));
    };
    /** An identity case: its code, and (for refusals at the HTTP level) the status. */
    const expectMcp = async (label: string, expected: ErrorCode, run: () => Promise<unknown>, status?: number) => {
      let seen: number | undefined;
      await expectRefused('mcp /mcp', label, expected, async () => {
        try {
          return await run();
        } catch (err) {
          seen = (err as { status?: number }).status;
          throw err;
        }
      });
      if (status !== undefined && seen !== status) failures.push(`mcp /mcp: ${label}: expected HTTP ${status}, got ${seen ?? 'a tool error'}`);
    };
    last = undefined;
    try {
      const key = project.key;
      for (const h of HOSTILE_TOKENS) await expectMcp(`open a session with ${h.label}`, h.code, () => connect({ token: h.value, project: key }), HTTP_STATUS_OF[h.code]);
      await expectMcp("open a session with another project's token", 'UNAUTHORIZED', () => connect({ token: stranger.token, project: key }), 401);
      await expectMcp("open a session with a retired member's token", 'UNAUTHORIZED', () => connect({ token: retired.token, project: key }), 401);
      for (const h of HOSTILE_PROJECT_KEYS) await expectMcp(`open a session on project key ${h.label}`, h.code, () => connect({ token: b.token, projectInQuery: h.value }), HTTP_STATUS_OF[h.code]);
      await expectMcp('open a session naming no project', 'INVALID_INPUT', () => connect({ token: b.token }), 400);
      await expectMcp('open a session on a project never created', 'NOT_FOUND', () => connect({ token: b.token, project: ctx.project('missing') }), 404);
      await expectMcp('open a session with an unknown tool profile', 'INVALID_INPUT', () => connect({ token: b.token, project: key, tools: 'everything' }), 400);
      // The SDK skips initialize when resuming: the first request of the unknown session is refused.
      const ghost = await connect({ token: b.token, project: key, sessionId: randomUUID() });
      await expectMcp('use a session that does not exist', 'NOT_FOUND', call(ghost.mcp, 'whoami'), 404);

      // A session opened with SwiftEagle's token acts as SwiftEagle, and only with that token.
      const swift = await connect({ token: b.token, project: key });
      const me = (await call(swift.mcp, 'whoami')()) as { name?: string } | undefined;
      if (me?.name !== b.name) failures.push(`mcp /mcp: a session opened with ${b.name}'s token acts as ${me?.name}`);
      swift.bearer.token = a.token;
      await expectMcp("SwiftEagle's session used with BoldMountain's token", 'FORBIDDEN', call(swift.mcp, 'release', { ids: [heldId] }), 403);
      swift.bearer.token = alice.token;
      await expectMcp("SwiftEagle's session used with a human's token", 'FORBIDDEN', call(swift.mcp, 'force_release', { ids: [heldId], reason: 'x' }), 403);
      swift.bearer.token = undefined;
      await expectMcp("SwiftEagle's session used without a token", 'UNAUTHORIZED', call(swift.mcp, 'reserve', { patterns: ['src/x.ts'], reason: 'x' }), 401);
      swift.bearer.token = HOSTILE_TOKENS[0]!.value;
      await expectMcp("SwiftEagle's session used with an unknown token", 'UNAUTHORIZED', call(swift.mcp, 'reserve', { patterns: ['src/x.ts'], reason: 'x' }), 401);
      swift.bearer.token = b.token;
      await expectMcp('force-release in an agent session', 'FORBIDDEN', call(swift.mcp, 'force_release', { ids: [heldId], reason: 'x' }));
      await expectMcp('reserve smuggling an actor', 'INVALID_INPUT', call(swift.mcp, 'reserve', { patterns: ['src/x.ts'], reason: 'x', actor: a.actor }));

      // A session opened without a token can only register; what it registers is checked like any registration.
      const anonymous = await connect({ project: key });
      await expectMcp('an anonymous session reserves', 'UNAUTHORIZED', call(anonymous.mcp, 'reserve', { patterns: ['src/x.ts'], reason: 'x' }));
      await expectMcp('an anonymous session reads an inbox', 'UNAUTHORIZED', call(anonymous.mcp, 'inbox'));
      for (const h of HOSTILE_NAMES) await expectMcp(`register ${h.label}`, h.code, call(anonymous.mcp, 'register', { name: h.value }));
      await expectMcp('register a taken name', 'ALREADY_EXISTS', call(anonymous.mcp, 'register', { name: a.name }));
      await expectMcp('register as a human', 'INVALID_INPUT', call(anonymous.mcp, 'register', { name: 'mallory', kind: 'human' }));
      await expectMcp('register bringing a token', 'INVALID_INPUT', call(anonymous.mcp, 'register', { token: a.token }));
    } finally {
      for (const c of clients) await c.close().catch(() => undefined);
    }
  });

  it('the baton CLI as a child process, against the Baton server: exit codes', async () => {
    const home = tempDir('hostile-cli');
    const env: NodeJS.ProcessEnv = {
      BATON_SERVER: api.url,
      BATON_PROJECT: project.key,
      BATON_AGENT: b.name,
      BATON_TOKEN: b.token,
      BATON_HUMAN_TOKEN: '',
      BATON_HUMAN: '',
      XDG_CONFIG_HOME: home,
      BATON_CREDENTIALS: path.join(home, 'credentials.json'),
      BATON_HUMAN_CREDENTIALS: path.join(home, 'humans.json'),
    };
    const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => async () => {
      const run = await runBaton({ ...env, ...extraEnv }, ...args, '--json');
      if (run.code === 0) return;
      const code = (Object.entries(EXIT_CODES).find(([, n]) => n === run.code)?.[0] ?? 'INTERNAL') as ErrorCode;
      // Exit 5 is both UNAUTHORIZED and FORBIDDEN (6 both ALREADY_EXISTS and INVALID_STATE): the JSON error on stderr says which.
      const said = /"code":"([A-Z_]+)"/.exec(run.stderr)?.[1];
      // A conflict is an answer (exit 3): printed on stdout, as a granted reservation would be.
      throw new BatonError(said && isErrorCode(said) && EXIT_CODES[said] === run.code ? said : code, (run.stderr.trim() || run.stdout.trim()).slice(0, 300));
    };
    // A port the OS just handed out and nobody listens on.
    const closedPort = `http://127.0.0.1:${await freePort()}`;
    const cases: [string, ErrorCode, () => Promise<void>][] = [
      ['reserve an absolute path', 'INVALID_INPUT', cli(['reserve', '/etc/passwd', '--reason', 'x'])],
      ['reserve a parent escape', 'INVALID_INPUT', cli(['reserve', '../secrets.env', '--reason', 'x'])],
      ['reserve with a control character', 'INVALID_INPUT', cli(['reserve', 'src/a\u0007.ts', '--reason', 'x'])],
      ['reserve the whole repository', 'INVALID_INPUT', cli(['reserve', '**', '--reason', 'x'])],
      ['reserve a glob ending with a slash', 'INVALID_INPUT', cli(['reserve', 'src/*/', '--reason', 'x'])],
      ['reserve a held file', 'CONFLICT', cli(['reserve', 'src/held.ts', '--reason', 'x'])],
      ['reserve the directory of a held file', 'CONFLICT', cli(['reserve', 'src/', '--reason', 'x'])],
      ['reserve with an unknown token', 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_TOKEN: HOSTILE_TOKENS[0]!.value })],
      ['reserve with a malformed token', 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_TOKEN: 'hunter2' })],
      ["reserve with SwiftEagle's token as BoldMountain", 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_AGENT: a.name })],
      ['reserve with no identity in the shell', 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_AGENT: '', BATON_TOKEN: '' })],
      ["reserve with another project's token", 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_AGENT: stranger.name, BATON_TOKEN: stranger.token })],
      ["reserve with a retired member's token", 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_AGENT: retired.name, BATON_TOKEN: retired.token })],
      ['release another agent\u2019s lease', 'FORBIDDEN', cli(['release', heldId])],
      ['force-release from an agent shell (no human login)', 'UNAUTHORIZED', cli(['force-release', heldId, '--reason', 'x'])],
      ["force-release with an agent's token as the human token", 'FORBIDDEN', cli(['force-release', heldId, '--reason', 'x'], { BATON_HUMAN_TOKEN: b.token })],
      ['shutdown confirmed with the wrong key', 'INVALID_INPUT', cli(['shutdown', '--reason', 'slip', '--confirm', `${project.key}x`], { BATON_HUMAN_TOKEN: alice.token })],
      ['invite from an agent shell', 'UNAUTHORIZED', cli(['invite', 'mallory'])],
      ['register a Cyrillic look-alike', 'INVALID_INPUT', cli(['register', '--name', 'B\u043eldMountain'])],
      ['register a whitespace name', 'INVALID_INPUT', cli(['register', '--name', '   '])],
      ['register a taken name', 'ALREADY_EXISTS', cli(['register', '--name', a.name])],
      ['init a project that exists', 'ALREADY_EXISTS', cli(['init', '--project', project.key, '--human', 'mallory'])],
      ['a parent-escape project', 'INVALID_INPUT', cli(['agents'], { BATON_PROJECT: '../other' })],
      ['a project never created', 'NOT_FOUND', cli(['agents'], { BATON_PROJECT: ctx.project('missing') })],
      ['send to an unknown member', 'NOT_FOUND', cli(['send', 'NobodyHere', '--subject', 'x', '--body', 'y'])],
      ['read an unknown message', 'NOT_FOUND', cli(['read', 'm-000000000000'])],
      ['read a malformed message id', 'INVALID_INPUT', cli(['read', 'm-../../etc'])],
      ['BATON_SERVER that is not a URL', 'INVALID_INPUT', cli(['agents'], { BATON_SERVER: 'not a url' })],
      ['BATON_SERVER where nothing listens', 'UNAVAILABLE', cli(['agents'], { BATON_SERVER: closedPort })],
    ];
    last = undefined;
    try {
      for (let i = 0; i < cases.length; i += 2) {
        // Two at a time (2 cores); each pair is checked against the state before and after it.
        count('cli', Math.min(2, cases.length - i));
        const before = await snapshot();
        const pair = cases.slice(i, i + 2);
        const got = await Promise.all(pair.map(([, , run]) => outcomeOf(run)));
        pair.forEach(([label, expected], k) => {
          const { code, message } = got[k]!;
          if (code !== expected) failures.push(`cli: ${label}: expected ${expected} (exit ${EXIT_CODES[expected]}), got ${code}: ${message.slice(0, 160)}`);
          else if (unclear(message)) failures.push(`cli: ${label}: refused without a clear message: ${JSON.stringify(message.slice(0, 300))}`);
        });
        if ((await snapshot()) !== before) failures.push(`cli: ${pair.map(([l]) => l).join(' / ')}: the project changed`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

