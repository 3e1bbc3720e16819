import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatonApi, type ProjectApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import type { BatonProjectClient } from '../../src/client';
import type { CliRun } from '../support/cli';
import type { Identity } from '../../src/patterns/client';
import type { ErrorCode } from '../../src/domain/errors';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { PatternStatus } from '../../src/schemas/patterns';
import type { ProjectSettingsInput } from '../../src/schemas/project';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * Scripted members of a test project: the first human created the project (as `baton init` does), the
 * other humans were invited by it, the agents registered. The typed client is an operator's (namespace
 * access), so members act by name; `tokens` holds what registration gave, for tests through the server.
 */
export interface Team {
  project: BatonProjectClient;
  key: string;
  members: Record<string, Identity>;
  tokens: Record<string, string>;
  me(name: string): Identity;
  actor(name: string): MemberActor;
}

export async function team(ctx: TestContext, agents: string[], humans: string[] = ['alice'], settings: ProjectSettingsInput = {}, prefix = 'pat'): Promise<Team> {
  const [founder, ...invited] = humans;
  const created = await ctx.createProject({ prefix, human: founder, settings });
  const project = created.client;
  const tokens: Record<string, string> = { [created.human.name]: created.human.token };
  for (const name of invited) tokens[name] = (await project.agents.inviteHuman(member(created.human.name), name)).token;
  for (const name of agents) tokens[name] = (await project.agents.register({ name, program: 'scripted' })).token;
  const members: Record<string, Identity> = Object.fromEntries(Object.keys(tokens).map((name) => [name, { name }]));
  return {
    project,
    key: created.key,
    members,
    tokens,
    me: (name) => members[name]!,
    actor: (name) => member(name),
  };
}

/** The project through the Baton server as `name`, with the token registration (or invitation) gave. */
export function asMember(api: RunningApi, t: Team, name: string): ProjectApi {
  return new BatonApi({ baseUrl: api.url, token: t.tokens[name], member: name }).project(t.key);
}

export interface ServerAnswer {
  status: number;
  error?: { code: ErrorCode; message: string; details?: unknown };
}

/**
 * One raw request to the Baton server, for tests that assert the HTTP status along with the error
 * code (BatonApi turns an error answer into a BatonError and drops the status). `path` is under the
 * project: `/patterns/<pattern>/<id>/approve`.
 */
export async function callServer(api: RunningApi, t: Team, token: string | undefined, path: string, body: unknown = {}, options: { member?: string } = {}): Promise<ServerAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.member) headers['x-baton-member'] = options.member;
  const res = await fetch(`${api.url}/v1/projects/${encodeURIComponent(t.key)}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = (await res.json()) as { error?: ServerAnswer['error'] };
  return { status: res.status, error: json.error };
}

/** A pattern run's URL path under its project: `/patterns/<pattern>/<id>`, from its workflow id. */
export const runPath = (workflowId: string) => `/patterns/${workflowId.split('/').slice(-2).join('/')}`;

/**
 * Environments of the team's members for the spawned `bin/baton`: the Baton server, the project, the
 * credential stores and config under `dir` (so nothing reads ~/.config), and one identity each: an
 * agent's BATON_AGENT/BATON_TOKEN, a human's BATON_HUMAN_TOKEN (what a script acting for a human sets).
 * Identity variables of the test's own environment are blanked.
 */
export function cliShells(api: RunningApi, t: Team, dir: string) {
  const base = {
    BATON_SERVER: api.url,
    BATON_PROJECT: t.key,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    BATON_CREDENTIALS: path.join(dir, 'agents.json'),
    BATON_HUMAN_CREDENTIALS: path.join(dir, 'humans.json'),
    BATON_AGENT: '',
    BATON_TOKEN: '',
    BATON_HUMAN: '',
    BATON_HUMAN_TOKEN: '',
  };
  return {
    agent: (name: string) => ({ ...base, BATON_AGENT: name, BATON_TOKEN: t.tokens[name]! }),
    human: (name: string) => ({ ...base, BATON_HUMAN_TOKEN: t.tokens[name]! }),
    /** An agent whose token was put where a human's goes: the server decides by the member's kind. */
    agentAsHuman: (name: string) => ({ ...base, BATON_AGENT: name, BATON_TOKEN: t.tokens[name]!, BATON_HUMAN_TOKEN: t.tokens[name]! }),
  };
}

/** The error a command printed with --json (`{ error: { code, message } }` on stderr). */
export const cliError = (run: CliRun) => (JSON.parse(run.stderr) as { error: { code: string; message: string } }).error;

/** Poll a pattern's status until `ready` holds (deadlines in these tests are seconds). */
export async function until(project: BatonProjectClient, workflowId: string, ready: (s: PatternStatus) => boolean, timeoutMs = 30_000): Promise<PatternStatus> {
  const end = Date.now() + timeoutMs;
  let last: PatternStatus | undefined;
  for (;;) {
    try {
      last = await project.patterns.status(workflowId);
      if (ready(last)) return last;
    } catch (err) {
      if (Date.now() > end) throw err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting on ${workflowId}; last status: ${JSON.stringify(last && { step: last.step, waitingFor: last.waitingFor, timeline: last.timeline.slice(-6) }, null, 1)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The step is open for this agent's reports. */
export const waitingFor = (name: string, step?: string) => (s: PatternStatus) => s.assigned.some((a) => a.agent === name && (step === undefined || a.step === step));
export const has = (kind: string, text?: string) => (s: PatternStatus) => s.timeline.some((e) => e.kind === kind && (text === undefined || e.text.includes(text)));

/** Poll a member's inbox until a message matches (notices are delivered by activities, a moment later). */
export async function inboxHas(t: Team, name: string, match: (m: { subject: string; body: string }) => boolean, timeoutMs = 15_000): Promise<{ subject: string; body: string }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const page = await t.project.messages.inbox(t.actor(name), { limit: 500 });
    const found = page.items.find(match);
    if (found) return found;
    if (Date.now() > end) throw new Error(`no matching message for ${name}; subjects: ${page.items.map((m) => m.subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const goodHandoff = (what: string, where: string[]) => ({ whatWasDone: what, where, howToTest: 'npm test -- --runInBand users' });

/**
 * With BATON_RECORD_HISTORIES=1 (`npm run record-histories`), save a finished workflow's history as a
 * replay fixture: test/replay/histories/<workflowType>--<name>.json, or under
 * BATON_RECORD_HISTORIES_DIR when set (to look at a recording without replacing the fixtures).
 */
export async function recordHistory(ctx: TestContext, workflowId: string, name: string): Promise<void> {
  if (process.env.BATON_RECORD_HISTORIES !== '1') return;
  const handle = ctx.client.workflow.getHandle(workflowId);
  const type = (await handle.describe()).type;
  const history = await handle.fetchHistory();
  const dir = process.env.BATON_RECORD_HISTORIES_DIR || path.join(__dirname, '..', 'replay', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  // The message's own proto3 JSON (historyToJSON trips over a second protobufjs copy); the replay
  // test reads it back with historyFromJSON.
  fs.writeFileSync(path.join(dir, `${type}--${name}.json`), JSON.stringify(history, null, 1) + '\n');
}

/** Poll until `ready` returns a truthy value (deadlines in these tests are seconds). */
export async function eventually<T>(what: string, probe: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await probe();
      if (ready(last)) return last;
    } catch (err) {
      error = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 1500)} ${error ? String(error) : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function inboxSubjects(t: Team, name: string): Promise<{ subject: string; body: string }[]> {
  return (await t.project.messages.inbox(t.actor(name), { limit: 200 })).items.map((m) => ({ subject: m.subject, body: m.body }));
}

/**
 * The CLI suites' setup, registered with jest's beforeAll/afterAll: a test context with a worker, a
 * Baton server (the spawned bin/baton talks to it) and a scratch directory (`<tmp>/<prefix>...`).
 * Read its fields inside tests (they are set once beforeAll has run).
 */
export function cliSuite(prefix: string): { readonly ctx: TestContext; readonly api: RunningApi; readonly dir: string } {
  const suite = {} as { ctx: TestContext; api: RunningApi; dir: string };
  beforeAll(async () => {
    suite.ctx = await createTestContext();
    await suite.ctx.startWorker();
    suite.api = await suite.ctx.startApi();
    suite.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await suite.ctx?.close();
    if (suite.dir) fs.rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
