import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestContext, type TestContext } from '../support/temporal';
import { tempDir } from '../support/processes';
import { BatonError, EXIT_CODES, type ErrorCode } from '../../src/domain/errors';
import { toBatonError } from '../../src/client/errors';
import { projectRoot } from '../../src/config';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { McpSession } from '../../src/mcp/session';
import { batonTools, createMcpServer } from '../../src/mcp/server';
import { shutdownSignal } from '../../src/workflows/project/api';
import type { BatonProjectClient } from '../../src/client';
import { GIGANTIC_PATTERN_LIST, HOSTILE_MESSAGE_IDS, HOSTILE_MESSAGES, HOSTILE_NAMES, HOSTILE_PATTERNS, HOSTILE_PROJECT_KEYS, WRONG_SHAPES } from './hostile-inputs';

/**
 * Bad-input corpus: the hostile table (hostile-inputs.ts) and the boundary-specific cases (wrong tokens,
 * unknown ids, other members' leases, agents acting as humans, completed workflows) sent through every
 * boundary: the typed client, raw workflow updates and signals through the Temporal client (bypassing
 * the client's validation), the MCP tools, and the `baton` CLI as a child process. Each must earn its
 * specific error code (the CLI its exit code) and leave the project exactly as it was, checked by
 * querying members, reservations, the audit trail and the mailboxes before and after.
 */

interface Member {
  name: string;
  token: string;
  actor: { kind: 'member'; name: string; token: string };
}

const WRONG_TOKEN = `bt_${'x'.repeat(32)}`;

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the pattern to settle');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What a call earned: the error code, CONFLICT for a conflict answer, or OK. */
async function outcome(call: () => Promise<unknown> | unknown): Promise<ErrorCode | 'OK'> {
  try {
    const answer = (await call()) as { status?: string } | undefined;
    return answer?.status === 'conflict' ? 'CONFLICT' : 'OK';
  } catch (err) {
    return err instanceof BatonError ? err.code : toBatonError(err).code;
  }
}

describe('bad-input corpus: every boundary refuses hostile input with its specific error and changes nothing', () => {
  let ctx: TestContext;
  let project: BatonProjectClient;
  let alice: Member;
  let a: Member;
  let b: Member;
  let heldId: string;
  let messageId: string;
  const tried: Record<string, number> = {};
  const failures: string[] = [];

  const member = (r: { member: { name: string }; token: string }): Member => ({ name: r.member.name, token: r.token, actor: { kind: 'member', name: r.member.name, token: r.token } });

  /** Everything a hostile call could have changed. */
  async function snapshot(): Promise<string> {
    const [members, reservations, audit, inboxA, inboxB, outboxA] = await Promise.all([
      project.agents.list({ includeRetired: true }),
      project.reservations.list(),
      project.reservations.audit({ limit: 1000 }),
      project.messages.inbox(a.actor, { limit: 500 }),
      project.messages.inbox(b.actor, { limit: 500 }),
      project.messages.outbox(a.actor, { limit: 500 }),
    ]);
    return JSON.stringify({
      members: members.map((m) => [m.name, m.kind, m.status, m.contactPolicy, m.contacts]),
      reservations: reservations.reservations.map((r) => [r.id, r.holder, r.pattern, r.exclusive, r.expiresAt]),
      audit: audit.total,
      inboxA: inboxA.items.map((i) => [i.id, i.readAt ?? '', i.ackedAt ?? '']),
      inboxB: inboxB.items.map((i) => [i.id, i.readAt ?? '', i.ackedAt ?? '']),
      outboxA: outboxA.map((o) => [o.id, o.deliveredTo, o.acks.length]),
    });
  }

  /** The state after the last case (each case's "after" is the next one's "before"). */
  let last: string | undefined;

  /** Run one hostile case: expect its code and an unchanged project. */
  async function expectRefused(boundary: string, label: string, expected: ErrorCode, call: () => Promise<unknown> | unknown): Promise<void> {
    tried[boundary] = (tried[boundary] ?? 0) + 1;
    const before = last ?? (await snapshot());
    const got = await outcome(call);
    const after = await snapshot();
    last = after;
    if (got !== expected) failures.push(`${boundary}: ${label}: expected ${expected}, got ${got}`);
    if (after !== before) failures.push(`${boundary}: ${label}: the project changed (${got})`);
  }

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    project = ctx.baton.project(ctx.project('hostile'));
    alice = member(await project.agents.register({ kind: 'human', name: 'alice' }));
    a = member(await project.agents.register({ name: 'BoldMountain', program: 'hostile-test', contactPolicy: 'open' }));
    b = member(await project.agents.register({ name: 'SwiftEagle', program: 'hostile-test', contactPolicy: 'open' }));
    const held = await project.reservations.reserve({ actor: a.actor, patterns: ['src/held.ts'], reason: 'held during the corpus' });
    if (held.status !== 'granted') throw new Error('setup reservation not granted');
    heldId = held.reservations[0]!.id;
    messageId = (await project.messages.send(a.actor, { to: [b.name], subject: 'setup', body: 'a message to act on' })).messageId;
  });

  afterAll(async () => {
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
    for (const path of ['/etc/passwd', '../secrets.env', 'src/../../etc/passwd', '', 'src/a\u0000.ts', 'src\\a.ts']) {
      await expectRefused('client', `check path ${JSON.stringify(path)}`, 'INVALID_INPUT', () => project.reservations.check({ paths: [path] }));
    }
    await expectRefused('client', 'gigantic pattern list', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
    await expectRefused('client', 'empty pattern list', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: [], reason: 'hostile' }));
    await expectRefused('client', 'whitespace reason', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: '   ' }));
    await expectRefused('client', 'gigantic reason', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: 'r'.repeat(100_000) }));
    await expectRefused('client', 'NaN ttl', 'INVALID_INPUT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/x.ts'], reason: 'x', ttlSeconds: Number.NaN }));
    await expectRefused('client', 'wrong token', 'UNAUTHORIZED', () => project.reservations.reserve({ actor: { ...b.actor, token: WRONG_TOKEN }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'short token', 'INVALID_INPUT', () => project.reservations.reserve({ actor: { ...b.actor, token: 'x' }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'unknown member', 'UNAUTHORIZED', () => project.reservations.reserve({ actor: { kind: 'member', name: 'NobodyHere', token: WRONG_TOKEN }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', 'look-alike of a member', 'INVALID_INPUT', () => project.reservations.reserve({ actor: { kind: 'member', name: 'B\u043eldMountain', token: a.token }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('client', "another agent's held file", 'CONFLICT', () => project.reservations.reserve({ actor: b.actor, patterns: ['src/*.ts'], reason: 'x' }));
    await expectRefused('client', 'agent overriding the hoarding guard', 'FORBIDDEN', () => project.reservations.reserve({ actor: b.actor, patterns: ['**'], reason: 'x', allowBroad: true }));
    await expectRefused('client', "release another agent's lease", 'FORBIDDEN', () => project.reservations.release({ actor: b.actor, ids: [heldId] }));
    await expectRefused('client', "renew another agent's lease", 'FORBIDDEN', () => project.reservations.renew({ actor: b.actor, ids: [heldId] }));
    await expectRefused('client', 'renew an unknown id', 'NOT_FOUND', () => project.reservations.renew({ actor: a.actor, ids: ['r-0000000000000000'] }));
    await expectRefused('client', 'force-release by an agent', 'FORBIDDEN', () => project.reservations.forceRelease({ actor: b.actor, ids: [heldId], reason: 'mine now' }));
    await expectRefused('client', 'force-release with a wrong human token', 'UNAUTHORIZED', () => project.reservations.forceRelease({ actor: { ...alice.actor, token: WRONG_TOKEN }, ids: [heldId], reason: 'x' }));
    await expectRefused('client', 'release with nothing named', 'INVALID_INPUT', () => project.reservations.release({ actor: a.actor }));
  });

  it('client: registration, identity, project keys', async () => {
    for (const h of HOSTILE_NAMES) await expectRefused('client', `register ${h.label}`, h.code, () => project.agents.register({ name: h.value }));
    await expectRefused('client', 'register a taken name', 'ALREADY_EXISTS', () => project.agents.register({ name: 'BoldMountain' }));
    await expectRefused('client', 'register a human uninvited', 'FORBIDDEN', () => project.agents.register({ kind: 'human', name: 'mallory' }));
    await expectRefused('client', 'human invited by an agent', 'FORBIDDEN', () => project.agents.register({ kind: 'human', name: 'mallory', invitedBy: a.actor }));
    await expectRefused('client', 'gigantic task', 'INVALID_INPUT', () => project.agents.register({ task: 't'.repeat(100_000) }));
    await expectRefused('client', 'whoami with a wrong token', 'UNAUTHORIZED', () => project.agents.whoami(a.name, WRONG_TOKEN));
    await expectRefused('client', 'whoami with a look-alike name', 'INVALID_INPUT', () => project.agents.whoami('B\u043eldMountain', a.token));
    await expectRefused('client', 'agent retiring another agent', 'FORBIDDEN', () => project.agents.retire(b.actor, a.name));
    await expectRefused('client', 'retire an unknown member', 'NOT_FOUND', () => project.agents.retire(alice.actor, 'NobodyHere'));
    for (const h of HOSTILE_PROJECT_KEYS) await expectRefused('client', `project key ${h.label}`, h.code, () => ctx.baton.project(h.value));
  });

  it('client: messages', async () => {
    const base = { to: [b.name], subject: 'hostile', body: 'hostile body' };
    for (const h of HOSTILE_MESSAGES) await expectRefused('client', `send ${h.label}`, h.code, () => project.messages.send(a.actor, { ...base, ...h.value }));
    for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('client', `read ${h.label}`, h.code, () => project.messages.read(b.actor, h.value));
    for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('client', `ack ${h.label}`, h.code, () => project.messages.ack(b.actor, h.value));
    await expectRefused('client', 'send with a wrong token', 'UNAUTHORIZED', () => project.messages.send({ ...a.actor, token: WRONG_TOKEN }, base));
    await expectRefused('client', 'inbox with a wrong token', 'UNAUTHORIZED', () => project.messages.inbox({ ...b.actor, token: WRONG_TOKEN }));
    await expectRefused('client', "read someone else's message with my token", 'UNAUTHORIZED', () => project.messages.read({ ...b.actor, token: a.token }, messageId));
    await expectRefused('client', 'broadcast with a gigantic body', 'INVALID_INPUT', () => project.messages.broadcast(a.actor, { subject: 'x', body: 'b'.repeat(1024 * 1024) }));
    await expectRefused('client', 'inbox limit 0', 'INVALID_INPUT', () => project.messages.inbox(b.actor, { limit: 0 }));
    await expectRefused('client', 'inbox since garbage', 'INVALID_INPUT', () => project.messages.inbox(b.actor, { since: 'yesterday-ish' }));
  });

  it('raw workflow updates and queries through the Temporal client (no client-side validation)', async () => {
    const handle = ctx.client.workflow.getHandle(project.channel.workflowId);
    const raw = (name: string, arg: unknown) => () => handle.executeUpdate(name, { args: [arg] });
    for (const h of HOSTILE_PATTERNS) await expectRefused('raw update', `reserve ${h.label}`, h.code, raw('reserve', { actor: b.actor, patterns: [h.value], reason: 'hostile' }));
    await expectRefused('raw update', 'reserve a gigantic pattern list', 'INVALID_INPUT', raw('reserve', { actor: b.actor, patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
    await expectRefused('raw update', 'reserve as a forged workflow actor', 'INVALID_INPUT', raw('reserve', { actor: { kind: 'workflow', workflowId: '', onBehalfOf: a.name }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve with a wrong token', 'UNAUTHORIZED', raw('reserve', { actor: { ...b.actor, token: WRONG_TOKEN }, patterns: ['src/x.ts'], reason: 'x' }));
    await expectRefused('raw update', 'reserve with a negative ttl', 'INVALID_INPUT', raw('reserve', { actor: b.actor, patterns: ['src/x.ts'], reason: 'x', ttlSeconds: -5 }));
    await expectRefused('raw update', 'force-release by an agent', 'FORBIDDEN', raw('forceRelease', { actor: b.actor, ids: [heldId], reason: 'x' }));
    await expectRefused('raw update', "release another agent's lease", 'FORBIDDEN', raw('release', { actor: b.actor, ids: [heldId] }));
    for (const h of HOSTILE_NAMES) await expectRefused('raw update', `register ${h.label}`, h.code, raw('register', { name: h.value, tokenHash: 'a'.repeat(64) }));
    await expectRefused('raw update', 'register with a malformed token hash', 'INVALID_INPUT', raw('register', { tokenHash: 'not-a-hash' }));
    await expectRefused('raw update', 'register a human with a forged kind', 'FORBIDDEN', raw('register', { kind: 'human', name: 'mallory', tokenHash: 'b'.repeat(64) }));
    for (const h of HOSTILE_MESSAGES) await expectRefused('raw update', `send ${h.label}`, h.code, raw('send', { actor: a.actor, to: [b.name], subject: 'x', body: 'y', ...h.value }));
    await expectRefused('raw update', 'notify by a member (internal API)', 'FORBIDDEN', raw('notify', { actor: a.actor, to: 'all', subject: 'x', body: 'forged system notice' }));
    for (const shape of WRONG_SHAPES) {
      for (const update of ['reserve', 'release', 'renew', 'forceRelease', 'register', 'retire', 'send']) {
        await expectRefused('raw update', `${update} with ${shape.label}`, shape.code, raw(update, shape.value));
      }
    }
    // Mailbox updates and queries go straight to the member's mailbox workflow.
    const mailbox = ctx.client.workflow.getHandle(mailboxWorkflowId(project.key, b.name));
    await expectRefused('raw update', 'mailbox read with a wrong token', 'UNAUTHORIZED', () => mailbox.executeUpdate('read', { args: [{ token: WRONG_TOKEN, messageId }] }));
    await expectRefused('raw update', "mailbox ack with another member's token", 'UNAUTHORIZED', () => mailbox.executeUpdate('ack', { args: [{ token: a.token, messageId }] }));
    await expectRefused('raw update', 'mailbox wait of 10 hours', 'INVALID_INPUT', () => mailbox.executeUpdate('wait', { args: [{ token: b.token, timeoutSeconds: 36_000 }] }));
    for (const shape of WRONG_SHAPES) await expectRefused('raw update', `mailbox read with ${shape.label}`, shape.code, () => mailbox.executeUpdate('read', { args: [shape.value] }));
    await expectRefused('raw query', 'inbox with a wrong token', 'UNAUTHORIZED', async () => {
      const answer = (await mailbox.query('inbox', { token: WRONG_TOKEN })) as { ok: boolean; code?: ErrorCode; message?: string };
      if (!answer.ok) throw new BatonError(answer.code!, answer.message ?? '');
      return answer;
    });
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
      ['claim', null],
    ];
    last = undefined;
    for (const [signal, payload] of garbage) {
      tried['raw signal'] = (tried['raw signal'] ?? 0) + 1;
      const before = await snapshot();
      await mailbox.signal(signal, payload);
      // A round trip through the mailbox (an update) proves it processed the signal and still works.
      await project.messages.read(b.actor, messageId).catch(() => undefined);
      const after = await snapshot();
      if (JSON.parse(after).inboxB.length !== JSON.parse(before).inboxB.length) failures.push(`raw signal: ${signal} ${JSON.stringify(payload)?.slice(0, 60)} changed the inbox`);
    }
    // No workflow task of the mailbox failed on any of it (a throwing signal handler would wedge it).
    const history = await mailbox.fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    if (failed.length) failures.push(`raw signal: the mailbox failed ${failed.length} workflow task(s): ${failed[0]!.workflowTaskFailedEventAttributes!.failure?.message}`);

    // A project that was shut down: its workflow is completed; signals to it are refused.
    const done = ctx.baton.project(ctx.project('done'));
    await done.ping();
    await done.channel.handle().signal(shutdownSignal, { by: 'test', reason: 'done' });
    await done.channel.handle().result();
    tried['raw signal'] = (tried['raw signal'] ?? 0) + 1;
    const code = await outcome(() => done.channel.handle().signal(shutdownSignal, { by: 'test', reason: 'again' }));
    if (code !== 'NOT_FOUND') failures.push(`raw signal: shutdown to a completed project: expected NOT_FOUND, got ${code}`);
    tried['raw update'] = (tried['raw update'] ?? 0) + 1;
    const updateCode = await outcome(() => done.channel.handle().executeUpdate('ping', { args: [{}] }));
    if (updateCode !== 'NOT_FOUND') failures.push(`raw update: ping to a completed project: expected NOT_FOUND, got ${updateCode}`);
  });

  it('patterns: approvals by agents, self-review, decisions on ended runs', async () => {
    last = undefined;
    await expectRefused('client', 'code review by its own author', 'INVALID_INPUT', () =>
      project.patterns.start('code-review', { title: 'Self review', author: a.name, reviewer: a.name, task: 'review my own work', files: ['src/review/**'] }),
    );
    await expectRefused('client', 'code review by a case-variant of the author', 'INVALID_INPUT', () =>
      project.patterns.start('code-review', { title: 'Self review', author: a.name, reviewer: a.name.toUpperCase(), task: 'review my own work', files: ['src/review/**'] }),
    );
    for (const file of ['../outside/**', '/etc/passwd', '**', 'src/a\u0000.ts']) {
      await expectRefused('client', `handoff plan with file ${JSON.stringify(file)}`, 'INVALID_INPUT', () =>
        project.patterns.start('sequential-handoff', { title: 'Escape', steps: [{ name: 'one', agent: a.name, task: 'edit', files: [file] }] }),
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
      }),
    );
    const run = await project.patterns.start('sequential-handoff', { title: 'Hostile decisions', steps: [{ name: 'only', agent: a.name, task: 'edit the pattern file', files: ['src/pattern/**'] }] });
    const status = async () => {
      const s = await project.patterns.status(run.workflowId);
      return JSON.stringify({ state: s.state, step: s.step, decision: s.decision ?? null, steps: s.steps, timeline: s.timeline.map((t) => t.kind) });
    };
    // The run reserves its step's files and assigns the step asynchronously: wait for it before the baseline.
    await until(async () => (await project.patterns.status(run.workflowId)).assigned.length > 0);
    last = undefined;
    const patternBefore = await status();
    const me = (m: Member) => ({ name: m.name, token: m.token });
    await expectRefused('client', 'approval by an agent', 'FORBIDDEN', () => project.patterns.approve(run.workflowId, me(a)));
    await expectRefused('client', 'rejection by an agent', 'FORBIDDEN', () => project.patterns.reject(run.workflowId, me(b), 'no'));
    await expectRefused('client', 'cancel by an agent', 'FORBIDDEN', () => project.patterns.cancel(run.workflowId, me(b), 'mine now'));
    await expectRefused('client', 'approval with a wrong human token', 'UNAUTHORIZED', () => project.patterns.approve(run.workflowId, { name: alice.name, token: WRONG_TOKEN }));
    await expectRefused('client', 'approval when nothing waits for one', 'INVALID_STATE', () => project.patterns.approve(run.workflowId, me(alice)));
    await expectRefused('client', 'report by an agent not assigned', 'FORBIDDEN', () => project.patterns.done(run.workflowId, me(b), { summary: 'I did it (I did not)' }));
    await expectRefused('client', 'report with a wrong token', 'UNAUTHORIZED', () => project.patterns.done(run.workflowId, { name: a.name, token: WRONG_TOKEN }, { summary: 'x' }));
    // Raw signals, past the client's pre-checks: the workflow itself must ignore them.
    const handle = ctx.client.workflow.getHandle(run.workflowId);
    for (const [signal, payload] of [
      ['approve', { approver: a.name, token: a.token }],
      ['approve', { approver: alice.name, token: WRONG_TOKEN }],
      ['reject', { approver: b.name, token: b.token, reason: 'agents may not decide' }],
      ['cancel', { by: b.name, token: b.token, reason: 'agents may not cancel' }],
      ['approve', null],
      ['cancel', 42],
    ] as [string, unknown][]) {
      tried['raw signal'] = (tried['raw signal'] ?? 0) + 1;
      await handle.signal(signal, payload);
    }
    await project.patterns.progress(run.workflowId, me(a), 'still working');
    const patternAfter = await status();
    // Refusals are logged in the timeline ("refused"); nothing else may change.
    const strip = (j: string) => ({ ...JSON.parse(j), timeline: (JSON.parse(j).timeline as string[]).filter((k) => k !== 'progress' && k !== 'refused') });
    if (JSON.stringify(strip(patternAfter)) !== JSON.stringify(strip(patternBefore))) failures.push(`raw signal: agent decisions changed the pattern: ${patternBefore} -> ${patternAfter}`);
    const failed = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    if (failed.length) failures.push(`raw signal: the pattern failed ${failed.length} workflow task(s): ${failed[0]!.workflowTaskFailedEventAttributes!.failure?.message}`);
    // Ended: a human cancels, then every decision and report is refused as INVALID_STATE.
    await project.patterns.cancel(run.workflowId, me(alice), 'corpus done');
    await until(async () => !(await project.reservations.list()).reservations.some((r) => r.pattern === 'src/pattern/**'));
    last = undefined;
    await expectRefused('client', 'approval of an ended pattern', 'INVALID_STATE', () => project.patterns.approve(run.workflowId, me(alice)));
    await expectRefused('client', 'cancel of an ended pattern', 'INVALID_STATE', () => project.patterns.cancel(run.workflowId, me(alice), 'again'));
    await expectRefused('client', 'report to an ended pattern', 'INVALID_STATE', () => project.patterns.done(run.workflowId, me(a), { summary: 'late' }));
    tried['raw signal'] = (tried['raw signal'] ?? 0) + 1;
    const code = await outcome(() => handle.signal('approve', { approver: alice.name, token: alice.token }));
    if (code !== 'NOT_FOUND') failures.push(`raw signal: approval signal to an ended pattern: expected NOT_FOUND, got ${code}`);
    await expectRefused('client', 'status of an unknown pattern', 'NOT_FOUND', () => project.patterns.status('sequential-handoff/no-such-run'));
  });

  it('MCP tools (in-process server, one session)', async () => {
    const server = createMcpServer(new McpSession(ctx.baton, { project: project.key, identity: { name: b.name, token: b.token } }), batonTools());
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const mcp = new McpClient({ name: 'hostile', version: '0.0.0' });
    await mcp.connect(clientSide);
    const tool = (name: string, args: Record<string, unknown>) => async () => {
      const result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
      if (!result.isError) return result.structuredContent;
      const error = (result.structuredContent as { error?: { code: ErrorCode; message: string } } | undefined)?.error;
      throw new BatonError(error?.code ?? 'INTERNAL', error?.message ?? JSON.stringify(result.content));
    };
    try {
      for (const h of HOSTILE_PATTERNS) await expectRefused('mcp', `reserve ${h.label}`, h.code, tool('reserve', { patterns: [h.value], reason: 'hostile' }));
      await expectRefused('mcp', 'reserve a gigantic pattern list', 'INVALID_INPUT', tool('reserve', { patterns: GIGANTIC_PATTERN_LIST, reason: 'hostile' }));
      await expectRefused('mcp', 'reserve a held file', 'CONFLICT', tool('reserve', { patterns: ['src/held.ts'], reason: 'x' }));
      await expectRefused('mcp', 'reserve smuggling an actor', 'INVALID_INPUT', tool('reserve', { patterns: ['src/x.ts'], reason: 'x', actor: a.actor }));
      await expectRefused('mcp', 'unknown argument', 'INVALID_INPUT', tool('reserve', { patterns: ['src/x.ts'], reason: 'x', ttl: 5 }));
      await expectRefused('mcp', "release another agent's lease", 'FORBIDDEN', tool('release', { ids: [heldId] }));
      await expectRefused('mcp', 'force-release by an agent', 'FORBIDDEN', tool('force_release', { ids: [heldId], reason: 'x' }));
      for (const h of HOSTILE_NAMES) await expectRefused('mcp', `register ${h.label}`, h.code, tool('register', { name: h.value }));
      await expectRefused('mcp', 'login with a wrong token', 'UNAUTHORIZED', tool('login', { name: a.name, token: WRONG_TOKEN }));
      for (const h of HOSTILE_MESSAGES) await expectRefused('mcp', `send ${h.label}`, h.code, tool('send', { to: [a.name], subject: 'x', body: 'y', ...h.value }));
      for (const h of HOSTILE_MESSAGE_IDS) await expectRefused('mcp', `read ${h.label}`, h.code, tool('read', { messageId: h.value }));
    } finally {
      await mcp.close();
      await server.close();
    }
  });

  it('the baton CLI as a child process: exit codes', async () => {
    const home = tempDir('hostile-cli');
    const credentials = path.join(home, 'credentials.json');
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: ctx.config.address,
      TEMPORAL_NAMESPACE: ctx.config.namespace,
      BATON_TASK_QUEUE: ctx.taskQueue,
      BATON_CREDENTIALS: credentials,
      BATON_PROJECT: project.key,
      BATON_AGENT: b.name,
      BATON_TOKEN: b.token,
      NO_COLOR: '1',
    };
    const cli = (args: string[], extraEnv: Record<string, string> = {}) => () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'baton'), ...args, '--json'], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (exitCode) => {
          if (exitCode === 0) return resolve();
          const code = (Object.entries(EXIT_CODES).find(([, n]) => n === exitCode)?.[0] ?? 'INTERNAL') as ErrorCode;
          // Exit 5 is both UNAUTHORIZED and FORBIDDEN: the JSON error on stderr says which.
          const said = /"code":"([A-Z_]+)"/.exec(stderr)?.[1] as ErrorCode | undefined;
          reject(new BatonError(said && EXIT_CODES[said] === exitCode ? said : code, stderr.trim().slice(0, 300)));
        });
      });
    const cases: [string, ErrorCode, () => Promise<void>][] = [
      ['reserve an absolute path', 'INVALID_INPUT', cli(['reserve', '/etc/passwd', '--reason', 'x'])],
      ['reserve a parent escape', 'INVALID_INPUT', cli(['reserve', '../secrets.env', '--reason', 'x'])],
      ['reserve with a control character', 'INVALID_INPUT', cli(['reserve', 'src/a\u0007.ts', '--reason', 'x'])],
      ['reserve the whole repository', 'INVALID_INPUT', cli(['reserve', '**', '--reason', 'x'])],
      ['reserve a held file', 'CONFLICT', cli(['reserve', 'src/held.ts', '--reason', 'x'])],
      ['reserve with a wrong token', 'UNAUTHORIZED', cli(['reserve', 'src/x.ts', '--reason', 'x'], { BATON_TOKEN: WRONG_TOKEN })],
      ['release another agent\u2019s lease', 'FORBIDDEN', cli(['release', heldId])],
      ['force-release as an agent', 'FORBIDDEN', cli(['force-release', heldId, '--reason', 'x'])],
      ['register a Cyrillic look-alike', 'INVALID_INPUT', cli(['register', '--name', 'B\u043eldMountain'])],
      ['register a whitespace name', 'INVALID_INPUT', cli(['register', '--name', '   '])],
      ['a parent-escape project', 'INVALID_INPUT', cli(['agents'], { BATON_PROJECT: '../other' })],
      ['send to an unknown member', 'NOT_FOUND', cli(['send', 'NobodyHere', '--subject', 'x', '--body', 'y'])],
      ['read an unknown message', 'NOT_FOUND', cli(['read', 'm-000000000000'])],
      ['read a malformed message id', 'INVALID_INPUT', cli(['read', 'm-../../etc'])],
    ];
    last = undefined;
    try {
      for (let i = 0; i < cases.length; i += 2) {
        // Two at a time (2 cores); each pair is checked against the state before and after it.
        tried.cli = (tried.cli ?? 0) + Math.min(2, cases.length - i);
        const before = await snapshot();
        const pair = cases.slice(i, i + 2);
        const codes = await Promise.all(pair.map(([, , run]) => outcome(run)));
        pair.forEach(([label, expected], k) => {
          if (codes[k] !== expected) failures.push(`cli: ${label}: expected ${expected} (exit ${EXIT_CODES[expected]}), got ${codes[k]}`);
        });
        if ((await snapshot()) !== before) failures.push(`cli: ${pair.map(([l]) => l).join(' / ')}: the project changed`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
