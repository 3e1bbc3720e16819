import fs from 'node:fs';
import path from 'node:path';
import type { BatonProjectClient } from '../../src/client';
import type { Identity } from '../../src/client/patterns';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { PatternStatus } from '../../src/schemas/patterns';
import type { TestContext } from '../support/temporal';

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

export async function team(ctx: TestContext, agents: string[], humans: string[] = ['alice'], settings: { trustAfterTasks?: number } = {}): Promise<Team> {
  const [founder, ...invited] = humans;
  const created = await ctx.createProject({ prefix: 'pat', human: founder, settings });
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
 * replay fixture: test/replay/histories/<workflowType>--<name>.json.
 */
export async function recordHistory(ctx: TestContext, workflowId: string, name: string): Promise<void> {
  if (process.env.BATON_RECORD_HISTORIES !== '1') return;
  const handle = ctx.client.workflow.getHandle(workflowId);
  const type = (await handle.describe()).type;
  const history = await handle.fetchHistory();
  const dir = path.join(__dirname, '..', 'replay', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  // The message's own proto3 JSON (historyToJSON trips over a second protobufjs copy); the replay
  // test reads it back with historyFromJSON.
  fs.writeFileSync(path.join(dir, `${type}--${name}.json`), JSON.stringify(history, null, 1) + '\n');
}
