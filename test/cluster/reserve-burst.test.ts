import { randomUUID } from 'node:crypto';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { BatonClient, type BatonProjectClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import type { AuditEntry, ReserveResult } from '../../src/schemas/reservations';
import { createProject, registerAgents, type ClusterAgent } from './identity';
import { RefusalCounter } from './refusal-counter';

/**
 * 50 agents reserving at the same moment on one project of a real cluster (four Temporal processes on
 * PostgreSQL, two Baton workers) at Temporal's default dynamic config, where the server admits at most
 * 10 in-flight updates per workflow and refuses the rest. Every call must still be answered (refused
 * updates are retried by the client), and the audit trail must show each decision exactly once: a
 * retry of an update that did run would show as a second entry for its holder. No request id is sent,
 * so no idempotency key could hide such a double.
 */
const AGENTS = 50;

describe('a real Temporal cluster at default dynamic config', () => {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const counter = new RefusalCounter();
  const connections: Connection[] = [];
  let baton: BatonClient;

  /**
   * The typed client over a connection whose refusals are counted; `sdkRetries: false` takes the
   * SDK's own resending out, leaving only Baton's.
   */
  async function batonClient(options: { sdkRetries: boolean }): Promise<BatonClient> {
    const config = loadConfig();
    const interceptors = options.sdkRetries ? [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), counter.interceptor] : [counter.interceptor];
    const connection = await Connection.connect({ address: config.address, interceptors });
    connections.push(connection);
    return new BatonClient(new Client({ connection, namespace: config.namespace }), config);
  }

  beforeAll(async () => {
    baton = await batonClient({ sdkRetries: true });
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
  });

  it(`answers ${AGENTS} concurrent reserves of distinct files on one project, granting each exactly once`, async () => {
    const { project } = await createProject(baton, `burst-${randomUUID().slice(0, 8)}`);
    const agents = await registerAgents(project, AGENTS, 'distinct files');
    expect(new Set(agents.map((a) => a.name)).size).toBe(AGENTS);

    const outcomes = await burst(project, agents, (_, i) => [`src/agent-${i}/**`], 'distinct');

    expect(outcomes.filter((o) => o.error).map((o) => `${o.agent}: ${o.error}`)).toEqual([]);
    expect(outcomes.filter((o) => o.result?.status !== 'granted').map((o) => o.agent)).toEqual([]);
    const grants = await grantsOf(project);
    expect(grants.length).toBe(AGENTS);
    for (const [i, agent] of agents.entries()) {
      const mine = grants.filter((g) => g.holder === agent.name);
      expect({ agent: agent.name, patterns: mine.map((g) => g.patterns) }).toEqual({ agent: agent.name, patterns: [[`src/agent-${i}/**`]] });
    }
    const held = await project.reservations.list({ limit: 1000 });
    expect(held.reservations.map((r) => r.holder).sort()).toEqual(agents.map((a) => a.name).sort());
  });

  it(`resends every refused update by itself when the SDK's gRPC retries are off, still deciding each exactly once`, async () => {
    // Without the SDK's interceptor every refusal reaches Baton's client at once, so only its own
    // recognition of refused and aborted updates (in the error's cause) can get all 50 answered.
    const bare = await batonClient({ sdkRetries: false });
    const { project } = await createProject(bare, `bare-${randomUUID().slice(0, 8)}`);
    const agents = await registerAgents(project, AGENTS, 'no sdk retries');

    const outcomes = await burst(project, agents, (_, i) => [`lib/agent-${i}.ts`], 'no SDK retries');

    expect(outcomes.filter((o) => o.error).map((o) => `${o.agent}: ${o.error}`)).toEqual([]);
    const grants = await grantsOf(project);
    expect(grants.map((g) => g.holder).sort()).toEqual(agents.map((a) => a.name).sort());
  });

  it(`lets exactly one of ${AGENTS} agents racing for one file have it, and tells the rest who holds it`, async () => {
    const { project } = await createProject(baton, `race-${randomUUID().slice(0, 8)}`);
    const agents = await registerAgents(project, AGENTS, 'one file');

    const outcomes = await burst(project, agents, () => ['src/hot.ts'], 'one file');

    expect(outcomes.filter((o) => o.error).map((o) => `${o.agent}: ${o.error}`)).toEqual([]);
    const winners = outcomes.filter((o) => o.result?.status === 'granted').map((o) => o.agent);
    expect(winners).toHaveLength(1);
    for (const o of outcomes.filter((x) => x.result?.status === 'conflict')) {
      expect(o.result!.status === 'conflict' && o.result!.conflicts.map((c) => c.holder)).toEqual(winners);
    }
    const grants = await grantsOf(project);
    expect(grants.map((g) => g.holder)).toEqual(winners);
  });

  interface Outcome {
    agent: string;
    ms: number;
    result?: ReserveResult;
    error?: string;
  }

  /** All agents reserve at once; reports latency and the refusals the server logged meanwhile. */
  async function burst(project: BatonProjectClient, agents: ClusterAgent[], patternsOf: (a: ClusterAgent, i: number) => string[], label: string): Promise<Outcome[]> {
    const before = counter.snapshot();
    const started = performance.now();
    const outcomes = await Promise.all(
      agents.map(async (agent, i): Promise<Outcome> => {
        const t = performance.now();
        try {
          const result = await project.reservations.reserve({ actor: agent.actor, patterns: patternsOf(agent, i), ttlSeconds: 3600, reason: `cluster burst (${label})` });
          return { agent: agent.name, ms: performance.now() - t, result };
        } catch (err) {
          const e = err as { code?: string; message?: string };
          return { agent: agent.name, ms: performance.now() - t, error: `[${e.code ?? 'no code'}] ${e.message ?? String(err)}` };
        }
      }),
    );
    const wall = performance.now() - started;
    const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
    say(
      `cluster burst (${label}): ${agents.length} concurrent reserves in ${(wall / 1000).toFixed(2)}s; latency p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms; ` +
        `${outcomes.filter((o) => o.error).length} failed; the server refused ${counter.refused - before.refused} attempts at the in-flight limit and aborted ${counter.aborted - before.aborted}`,
    );
    return outcomes;
  }

  /** Every grant in the project's audit trail (a fresh project: the whole trail fits one page). */
  async function grantsOf(project: BatonProjectClient): Promise<AuditEntry[]> {
    const audit = await project.reservations.audit({ limit: 1000 });
    expect(audit.entries.length).toBe(audit.total);
    return audit.entries.filter((e) => e.action === 'grant');
  }
});
