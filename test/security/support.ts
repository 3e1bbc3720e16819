import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { BatonApi, type ProjectApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import type { BatonProjectClient } from '../../src/client';
import { EXIT_CODES, type ErrorCode } from '../../src/domain/errors';
import { install } from '../../src/guard/hooks';
import { member } from '../../src/schemas/actor';
import type { MemberView } from '../../src/schemas/agents';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * The security suite's harness: the real worker and the real Baton server of one test context, and a
 * way to attack each public surface (raw HTTP, the CLI, MCP, the git guard) and to read the state
 * back as an operator (namespace access, the typed client) to prove a refusal changed nothing.
 */

export const BATON_BIN = path.resolve(__dirname, '../../bin/baton');

/** HTTP status of each error code, written out here (not imported) so a change in src/api/errors.ts is caught. */
export const STATUS: Record<ErrorCode, number> = {
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

export interface SecurityEnv {
  ctx: TestContext;
  api: RunningApi;
  url: string;
  /** A temporary directory of this env (credential stores, repositories); removed by close(). */
  dir: string;
  /** MCP sessions opened in this env, closed by close() (an open stream would hold the server). */
  sessions: McpClient[];
  close(): Promise<void>;
}

/** One test context with its worker and its Baton server on a free loopback port. */
export async function securityEnv(): Promise<SecurityEnv> {
  const ctx = await createTestContext();
  await ctx.startWorker();
  const api = await ctx.startApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-security-'));
  const sessions: McpClient[] = [];
  return {
    ctx,
    api,
    url: api.url,
    dir,
    sessions,
    async close() {
      for (const session of sessions) await session.close().catch(() => undefined);
      await ctx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- members ---------------------------------------------------------------------------------------

export interface Member {
  name: string;
  token: string;
}

/**
 * A project made the way people make one, through the server: `init` with its first human, other
 * humans invited by that human, agents registered. `client` is the operator's view for state checks.
 */
export interface Team {
  key: string;
  client: BatonProjectClient;
  founder: Member;
  members: Record<string, Member>;
  /** The project through the server as a member (their bearer token). */
  as(name: string): ProjectApi;
  token(name: string): string;
}

export async function createTeam(env: SecurityEnv, options: { prefix?: string; humans?: string[]; agents?: string[] } = {}): Promise<Team> {
  const [founderName = 'alice', ...invited] = options.humans ?? ['alice'];
  const key = env.ctx.project(options.prefix ?? 'sec');
  // A day before anyone shows as idle: a member's status must not change under a state check.
  const created = await new BatonApi({ baseUrl: env.url }).initProject({ project: key, human: founderName, settings: { idleAfterSeconds: 86_400 } });
  const founder = { name: created.member.name, token: created.token };
  const members: Record<string, Member> = { [founder.name]: founder };
  const as = (name: string) => new BatonApi({ baseUrl: env.url, token: members[name]!.token }).project(key);
  for (const name of invited) members[name] = { name, token: (await as(founder.name).agents.inviteHuman(name)).token };
  for (const name of options.agents ?? []) {
    const registered = await new BatonApi({ baseUrl: env.url }).project(key).agents.register({ name, program: 'scripted' });
    members[name] = { name, token: registered.token };
  }
  return { key, client: env.ctx.baton.project(key), founder, members, as, token: (name) => members[name]!.token };
}

/** A well-formed token nobody was ever given (refused for who it is, never for its form). */
export const unknownToken = (kind: 'bt' | 'bh' = 'bt') => `${kind}_${'Q'.repeat(8)}${Math.random().toString(36).slice(2).padEnd(24, 'x')}`;

// --- state, as an operator reads it ----------------------------------------------------------------

export interface ProjectState {
  members: MemberView[];
  reservations: unknown;
  audit: unknown;
  inboxes: Record<string, unknown>;
  outboxes: Record<string, unknown>;
  patterns: unknown;
  runs: Record<string, unknown>;
  settings: unknown;
}

/**
 * Everything an attack could have changed, read through the operator's typed client: members (retired
 * too, with trust and activity), leases, the audit trail, every active member's inbox and outbox, the
 * pattern runs (listing and status) and the settings. Compare two of them with toEqual.
 */
export async function snapshot(project: BatonProjectClient): Promise<ProjectState> {
  const members = await project.agents.list({ includeRetired: true });
  const active = members.filter((m) => m.status !== 'retired').map((m) => m.name);
  const inboxes: Record<string, unknown> = {};
  const outboxes: Record<string, unknown> = {};
  for (const name of active) {
    inboxes[name] = await project.messages.inbox(member(name), { limit: 500 });
    outboxes[name] = await project.messages.outbox(member(name), { limit: 500 });
  }
  const [reservations, audit, patterns, described] = await Promise.all([project.reservations.list({ limit: 10_000 }), project.reservations.audit({ limit: 1000 }), project.patterns.list(), project.describe()]);
  const runs: Record<string, unknown> = {};
  for (const run of patterns) runs[run.workflowId] = await project.patterns.status(run.workflowId);
  return { members, reservations, audit, inboxes, outboxes, patterns, runs, settings: described.settings };
}

/** Runs an attack (which asserts its own refusal) and checks that the project's state did not move. */
export async function expectUnchanged(project: BatonProjectClient, attack: () => Promise<void>): Promise<void> {
  const before = await snapshot(project);
  await attack();
  expect(await snapshot(project)).toEqual(before);
}

/**
 * An agent's approve/reject of a run: refused, and recorded on the run where people look (issue #14:
 * agents' approval attempts are kept), so the run's `refused` list gains exactly that attempt and
 * nothing else anywhere changes: the decision still waits for a human.
 */
export async function expectRecordedRefusal(project: BatonProjectClient, workflowId: string, who: string, action: string, attack: () => Promise<void>): Promise<void> {
  const before = await snapshot(project);
  await attack();
  const after = await snapshot(project);
  const run = (s: ProjectState) => s.runs[workflowId] as { refused: { who: string; action: string }[]; timeline: { kind: string }[] };
  const added = run(after).refused.slice(run(before).refused.length);
  expect(added.map((r) => ({ who: r.who, action: r.action }))).toEqual([{ who, action }]);
  const withoutRefusals = (s: ProjectState) => ({ ...s, runs: { ...s.runs, [workflowId]: { ...run(s), refused: [], timeline: run(s).timeline.filter((e) => e.kind !== 'refused') } } });
  expect(withoutRefusals(after)).toEqual(withoutRefusals(before));
}

/** Poll `read` until `ready` holds (workflows and visibility answer a moment after a call). */
export async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(value).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

// --- HTTP, raw -------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  json: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

export interface HttpRequest {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The whole Authorization header, as an attacker writes it. */
  authorization?: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  /** Sent as it is, with content-type application/json unless headers say otherwise. */
  raw?: string | Buffer;
}

/** One HTTP request as any client could send it (no BatonApi in the way). */
export function request(url: string, method: string, pathname: string, options: HttpRequest = {}): Promise<HttpAnswer> {
  const payload = options.raw !== undefined ? Buffer.from(options.raw) : options.body !== undefined ? Buffer.from(JSON.stringify(options.body)) : undefined;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  Object.assign(headers, options.headers);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(pathname, url), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: HttpAnswer['json'];
        try {
          json = JSON.parse(text) as HttpAnswer['json'];
        } catch {
          json = {};
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The answer is the server's refusal: this status, this code, and a message with this in it. */
export function expectRefused(answer: HttpAnswer, code: ErrorCode, message: string | RegExp): void {
  expect({ status: answer.status, code: answer.json.error?.code }).toEqual({ status: STATUS[code], code });
  if (typeof message === 'string') expect(answer.json.error?.message).toContain(message);
  else expect(answer.json.error?.message).toMatch(message);
}

// --- the CLI ---------------------------------------------------------------------------------------

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a shell of the CLI sees: the server, the project, its own (temporary) credential stores. */
export interface Shell {
  env: NodeJS.ProcessEnv;
  /** Where commands run (default: this process's directory). */
  cwd?: string;
  agentsFile: string;
  humansFile: string;
}

/**
 * A fresh shell: no identity unless `identity` gives one, credential stores in a directory of its own,
 * nothing inherited from the outer environment that could pick an identity or a server.
 */
export function shell(env: SecurityEnv, project: string | undefined, identity: Record<string, string> = {}): Shell {
  const home = fs.mkdtempSync(path.join(env.dir, 'shell-'));
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BATON_') && !k.startsWith('TEMPORAL_')) base[k] = v;
  const agentsFile = path.join(home, 'credentials.json');
  const humansFile = path.join(home, 'humans.json');
  return {
    env: { ...base, NO_COLOR: '1', XDG_CONFIG_HOME: home, BATON_SERVER: env.url, BATON_CREDENTIALS: agentsFile, BATON_HUMAN_CREDENTIALS: humansFile, ...(project ? { BATON_PROJECT: project } : {}), ...identity },
    agentsFile,
    humansFile,
  };
}

/**
 * Runs the real `bin/baton` without blocking the event loop (the worker answering it runs in this very
 * process). stdin is not a terminal, as in an agent's shell.
 */
export function baton(sh: Shell, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(BATON_BIN, args, { env: sh.env, cwd: sh.cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** The CLI refused: its documented exit code for `code`, and `[CODE] message` on stderr. */
export function expectCliRefused(run: CliRun, code: ErrorCode, message: string | RegExp): void {
  expect({ exit: run.code, stderr: run.stderr }).toMatchObject({ exit: EXIT_CODES[code], stderr: expect.stringContaining(`error [${code}] `) });
  if (typeof message === 'string') expect(run.stderr).toContain(message);
  else expect(run.stderr).toMatch(message);
}

// --- MCP -------------------------------------------------------------------------------------------

/** An MCP session on the server's /mcp, opened with a bearer token (or none, to `register`). */
export async function mcpSession(env: SecurityEnv, project: string, headers: Record<string, string> = {}): Promise<McpClient> {
  const client = new McpClient({ name: 'security-suite', version: '0.0.0' });
  env.sessions.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', env.url), { requestInit: { headers: { 'x-baton-project': project, ...headers } } }));
  return client;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Opening a session that the server refuses: the HTTP status and the server's error body. */
export async function mcpRefusedAtOpen(env: SecurityEnv, project: string, headers: Record<string, string>): Promise<{ status: number; code?: string; message?: string }> {
  const err = (await mcpSession(env, project, headers).then(
    (c) => c.close().then(() => new Error('the session opened')),
    (e: unknown) => e,
  )) as Error & { code?: number };
  const body = /Error POSTing to endpoint: (\{.*\})$/s.exec(err.message)?.[1];
  const parsed = body ? (JSON.parse(body) as { error?: { code: string; message: string } }) : {};
  return { status: err.code ?? 0, code: parsed.error?.code, message: parsed.error?.message };
}

export async function tool(client: McpClient, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured answer of a call that must succeed. */
export async function toolOk<T = Record<string, unknown>>(client: McpClient, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await tool(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${toolText(result)}`);
  return result.structuredContent as T;
}

export const toolText = (result: CallToolResult): string => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** A tool call refused with this code and a message with this in it (`[CODE] message`, as the CLI prints). */
export function expectToolRefused(result: CallToolResult, code: ErrorCode, message: string | RegExp): void {
  expect({ isError: result.isError, code: (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code }).toEqual({ isError: true, code });
  expect(toolText(result).startsWith(`[${code}] `)).toBe(true);
  if (typeof message === 'string') expect(toolText(result)).toContain(message);
  else expect(toolText(result)).toMatch(message);
}

// --- the git guard ---------------------------------------------------------------------------------

/** A repository with a few committed files and Baton's pre-commit hook installed for `project`. */
export function guardedRepo(env: SecurityEnv, project: string, files: string[]): string {
  const repo = fs.mkdtempSync(path.join(env.dir, 'repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'agents@example.com');
  git('config', 'user.name', 'Agents');
  for (const file of files) writeFile(repo, file, 'export {};\n');
  git('add', '.');
  git('commit', '-qm', 'init', '--no-verify');
  install(repo, ['pre-commit'], { project });
  return repo;
}

export function writeFile(repo: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
}

/** Change `file` and stage it. */
export function stageChange(repo: string, file: string): void {
  writeFile(repo, file, `export const at = ${JSON.stringify(`${Date.now()}-${Math.random()}`)};\n`);
  execFileSync('git', ['add', file], { cwd: repo });
}

/**
 * Change and stage `file`, then `git commit` it as the shell `sh` (the pre-commit hook runs; `git
 * commit --dry-run` would skip it). Not blocking the event loop: the worker answering the hook's
 * check runs in this process.
 */
export function guardedCommit(repo: string, sh: Shell, file: string): Promise<{ status: number | null; stderr: string }> {
  stageChange(repo, file);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['commit', '-qm', `change ${file}`], { cwd: repo, env: sh.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

// --- the token scan --------------------------------------------------------------------------------

export interface TokenFinding {
  workflowId: string;
  runId: string;
  eventId: string;
  eventType: string;
  token: string;
  form: 'raw' | 'base64';
}

/** Every workflow run of these projects, by the project search attribute and by workflow id prefix. */
export async function projectRuns(client: Client, projects: string[]): Promise<{ workflowId: string; runId: string; type: string }[]> {
  const runs = new Map<string, { workflowId: string; runId: string; type: string }>();
  for (const key of projects) {
    const quoted = key.replace(/'/g, "\\'");
    for (const query of [`BatonProject = '${quoted}'`, `WorkflowId STARTS_WITH 'baton/${quoted}/'`]) {
      for await (const info of client.workflow.list({ query })) runs.set(info.runId, { workflowId: info.workflowId, runId: info.runId, type: info.type });
    }
  }
  return [...runs.values()];
}

/**
 * The text of one history event as anyone reading the history could see it: every field, every
 * payload decoded with the default payload converter (JSON), and every byte string both as UTF-8 and
 * as base64.
 */
export function eventText(event: unknown): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (value instanceof Uint8Array) {
      const buf = Buffer.from(value);
      out.push(buf.toString('utf8'), buf.toString('base64'));
      return;
    }
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      if (obj.data instanceof Uint8Array && obj.metadata && typeof obj.metadata === 'object') {
        try {
          out.push(JSON.stringify(defaultPayloadConverter.fromPayload(obj as never)));
        } catch {
          // Not a payload the default converter reads (e.g. binary/protobuf): its bytes are walked below.
        }
      }
      for (const v of Object.values(obj)) walk(v);
      return;
    }
    out.push(String(value));
  };
  walk(event);
  return out.join('\n');
}

/** Where any of `tokens` (or its base64) appears in any event of any run of these projects. */
export async function scanHistories(client: Client, projects: string[], tokens: string[]): Promise<{ runs: number; events: number; findings: TokenFinding[] }> {
  const needles = tokens.flatMap((token) => [
    { token, form: 'raw' as const, text: token },
    { token, form: 'base64' as const, text: Buffer.from(token).toString('base64') },
  ]);
  const findings: TokenFinding[] = [];
  let events = 0;
  const runs = await projectRuns(client, projects);
  for (const run of runs) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    for (const event of history.events ?? []) {
      events += 1;
      const text = eventText(event);
      for (const n of needles) {
        if (text.includes(n.text)) findings.push({ workflowId: run.workflowId, runId: run.runId, eventId: String(event.eventId), eventType: temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType), token: n.token, form: n.form });
      }
    }
  }
  return { runs: runs.length, events, findings };
}

/** Tokens printed by the CLI (`bt_...`/`bh_...`), in order. */
export const tokensIn = (text: string): string[] => text.match(/\bb[th]_[A-Za-z0-9_-]{16,200}/g) ?? [];

/**
 * Waits until `name`'s inbox holds `count` messages whose subject contains `subject`: notices from
 * pattern runs arrive a moment after the status shows the step, and must not land during a state check.
 */
export function inboxHolds(team: Team, name: string, subject: string, count = 1): Promise<unknown> {
  return until(() => team.client.messages.inbox(member(name), { limit: 500 }), (page) => page.items.filter((m) => m.subject.includes(subject)).length >= count, `${count} "${subject}" in ${name}'s inbox`);
}

/**
 * A Sequential Handoff started by `human` whose only step `agent` failed, so that it now waits for a
 * human's decision (approve: another attempt; reject: stop). `path` is its route under the project.
 */
export async function handoffAwaitingDecision(team: Team, human: string, agent: string): Promise<{ workflowId: string; ref: string; path: string }> {
  const started = await team.as(human).patterns.start('sequential-handoff', { title: 'Deploy', steps: [{ name: 'deploy', agent, task: 'Deploy the release', files: ['deploy/**'] }] });
  const id = started.workflowId.split('/').pop()!;
  await until(() => team.client.patterns.status(started.workflowId), (s) => s.assigned.some((a) => a.agent === agent), 'the deploy step to open');
  await team.as(agent).patterns.fail(started.workflowId, 'the staging cluster is down');
  await until(() => team.client.patterns.status(started.workflowId), (s) => s.decision !== undefined, 'a decision to wait for a human');
  await inboxHolds(team, agent, 'step "deploy" is yours');
  for (const m of await team.client.agents.list({ kind: 'human' })) await inboxHolds(team, m.name, 'decision needed: Deploy');
  return { workflowId: started.workflowId, ref: `sequential-handoff/${id}`, path: `/patterns/sequential-handoff/${id}` };
}

/**
 * The scene every surface is attacked in: a project with two humans (alice, bob) and four agents,
 * SwiftEagle holding src/auth/**, mail in BoldMountain's inbox, QuietRiver's token rotated (the old
 * one kept as `rotatedAway`), RetiredOwl retired, a handoff waiting for a human's decision, and
 * another project (AmberFalcon and its own alice) whose tokens must not open this one.
 */
export interface Scene {
  t: Team;
  other: Team;
  rotatedAway: string;
  run: { workflowId: string; ref: string; path: string };
}

export async function attackScene(env: SecurityEnv): Promise<Scene> {
  const t = await createTeam(env, { humans: ['alice', 'bob'], agents: ['SwiftEagle', 'BoldMountain', 'QuietRiver', 'RetiredOwl'] });
  const other = await createTeam(env, { prefix: 'other', agents: ['AmberFalcon'] });
  await t.as('SwiftEagle').reservations.reserve({ patterns: ['src/auth/**'], reason: 'rewriting login' });
  await t.as('alice').messages.send({ to: ['BoldMountain'], subject: 'plan', body: 'Take the deploy step.' });
  const rotatedAway = t.token('QuietRiver');
  t.members.QuietRiver!.token = (await t.as('QuietRiver').agents.rotateToken('QuietRiver')).token;
  await t.as('RetiredOwl').agents.retire('RetiredOwl');
  const run = await handoffAwaitingDecision(t, 'alice', 'BoldMountain');
  return { t, other, rotatedAway, run };
}
