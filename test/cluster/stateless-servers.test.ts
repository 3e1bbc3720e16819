import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { BatonApi, type ProjectApi } from '../../src/api-client';
import { BatonClient, type BatonProjectClient } from '../../src/client';
import { connectClient } from '../../src/client/connection';
import { loadConfig } from '../../src/config';
import { BatonError } from '../../src/domain/errors';
import { clusterPaths } from '../../src/server/cluster/layout';
import type { ReserveResult } from '../../src/schemas/reservations';

/**
 * Two Baton servers (child processes, started by the global setup) in front of one real cluster, as
 * behind a load balancer: whatever one server learnt must not be needed by the other, and neither may
 * trust what it cached once the directory changed through the other. Every agent acts with its own
 * token over HTTP; the operator's typed client only reads the evidence (audit trail, member list).
 */
const SERVERS = (process.env.BATON_CLUSTER_SERVERS ?? '').split(',').filter(Boolean);
const CROWD = Number(process.env.BATON_CLUSTER_CROWD || 200);

interface Agent {
  name: string;
  token: string;
}

describe('two Baton servers in front of one cluster', () => {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const [A, B] = SERVERS;
  let baton: BatonClient;
  const as = (url: string, token: string | undefined, project: string): ProjectApi => new BatonApi({ baseUrl: url, token }).project(project);

  beforeAll(async () => {
    if (!A || !B) throw new Error(`BATON_CLUSTER_SERVERS must name two Baton servers (the cluster's global setup starts them); got "${process.env.BATON_CLUSTER_SERVERS ?? ''}"`);
    const config = loadConfig();
    baton = new BatonClient(await connectClient(config), config);
  });
  afterAll(async () => {
    await baton?.temporal.connection.close();
  });

  /** A project created through server A, with its human's token. */
  async function createThrough(url: string, prefix: string): Promise<{ key: string; human: Agent; project: BatonProjectClient }> {
    const key = `${prefix}-${randomUUID().slice(0, 8)}`;
    const created = await new BatonApi({ baseUrl: url }).initProject({ project: key, human: 'alice' });
    return { key, human: { name: created.member.name, token: created.token }, project: baton.project(key) };
  }

  async function refusal(call: Promise<unknown>): Promise<BatonError> {
    const outcome = await call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`expected a refusal, but the call was answered: ${JSON.stringify(outcome.value)}`);
    if (!(outcome.error instanceof BatonError)) throw outcome.error;
    return outcome.error;
  }

  it('serves a project created through one server from the other', async () => {
    const { key, human } = await createThrough(A!, 'across');
    const agent = await as(B!, undefined, key).agents.register({ program: 'cluster-test', task: 'registered through B' });
    expect((await as(B!, human.token, key).agents.whoami()).name).toBe(human.name);
    const granted = await as(A!, agent.token, key).reservations.reserve({ patterns: ['src/across.ts'], reason: 'through A' });
    expect(granted.status).toBe('granted');
    const listed = await as(B!, agent.token, key).reservations.list();
    expect(listed.reservations.map((r) => [r.holder, r.pattern])).toEqual([[agent.member.name, 'src/across.ts']]);
    const members = await as(A!, human.token, key).agents.list();
    expect(members.map((m) => m.name).sort()).toEqual([agent.member.name, human.name].sort());
  });

  it('refuses at server B, at its next call, a token rotated through server A (the epoch check, not a shared cache)', async () => {
    const { key } = await createThrough(A!, 'rotate');
    const agent = await as(A!, undefined, key).agents.register({ program: 'cluster-test', task: 'rotates its token' });
    // B verifies the token now and caches the answer (epoch 0) for a minute.
    expect((await as(B!, agent.token, key).reservations.reserve({ patterns: ['src/before.ts'], reason: 'cached by B' })).status).toBe('granted');

    const rotated = await as(A!, agent.token, key).agents.rotateToken(agent.member.name);
    expect(rotated.token).not.toBe(agent.token);

    // B still believes the old token (its cache is fresh); the project workflow refuses the epoch it carries.
    const stale = await refusal(as(B!, agent.token, key).reservations.reserve({ patterns: ['src/after.ts'], reason: 'old token through B' }));
    expect({ code: stale.code, reason: (stale.details as { reason?: string } | undefined)?.reason }).toEqual({ code: 'UNAUTHORIZED', reason: 'stale-credential' });
    // B forgot it: the next call is refused at the door (no member owns that token any more).
    expect((await refusal(as(B!, agent.token, key).agents.whoami())).code).toBe('UNAUTHORIZED');
    expect((await refusal(as(A!, agent.token, key).agents.whoami())).code).toBe('UNAUTHORIZED');
    // The new token works through both.
    expect((await as(B!, rotated.token, key).reservations.reserve({ patterns: ['src/after.ts'], reason: 'new token through B' })).status).toBe('granted');
    expect((await as(A!, rotated.token, key).agents.whoami()).name).toBe(agent.member.name);
    // Nothing was granted on the refused call.
    const audit = await baton.project(key).reservations.audit({ limit: 100 });
    expect(audit.entries.filter((e) => e.action === 'grant').map((e) => e.patterns)).toEqual([['src/before.ts'], ['src/after.ts']]);
  });

  it('refuses at server B, at its next call, a member retired through server A', async () => {
    const { key, human } = await createThrough(A!, 'retire');
    const agent = await as(B!, undefined, key).agents.register({ program: 'cluster-test', task: 'gets retired' });
    expect((await as(B!, agent.token, key).reservations.reserve({ patterns: ['src/mine.ts'], reason: 'cached by B' })).status).toBe('granted');

    await as(A!, human.token, key).agents.retire(agent.member.name);

    const retired = await refusal(as(B!, agent.token, key).reservations.reserve({ patterns: ['src/more.ts'], reason: 'retired, through B' }));
    expect({ code: retired.code, reason: (retired.details as { reason?: string } | undefined)?.reason }).toEqual({ code: 'UNAUTHORIZED', reason: 'retired' });
    expect((await refusal(as(B!, agent.token, key).agents.whoami())).code).toBe('UNAUTHORIZED');
    const audit = await baton.project(key).reservations.audit({ limit: 100 });
    expect(audit.entries.filter((e) => e.action === 'grant').map((e) => e.patterns)).toEqual([['src/mine.ts']]);
  });

  it(`answers ${CROWD} agents reserving at once through both servers at Temporal's default dynamic config, deciding each exactly once`, async () => {
    // The claim is about Temporal's defaults (10 in-flight updates per workflow): an override in the
    // cluster's dynamic config would make it a claim about something else.
    const dynamic = parse(fs.readFileSync(clusterPaths(loadConfig().home).dynamicConfig, 'utf8')) as Record<string, unknown> | null;
    expect(Object.keys(dynamic ?? {})).toEqual([]);

    const { key } = await createThrough(B!, 'crowd');
    const server = (i: number) => SERVERS[i % SERVERS.length]!;
    const registrations = await Promise.all(Array.from({ length: CROWD }, (_, i) => as(server(i), undefined, key).agents.register({ program: 'cluster-test', task: `crowd ${i}` })));
    const agents: Agent[] = registrations.map((r) => ({ name: r.member.name, token: r.token }));
    expect(new Set(agents.map((a) => a.name)).size).toBe(CROWD);

    // Everyone's own file: every one granted, once.
    const own = await burst(key, agents, (a) => [`src/${a.name}/**`], 'own files');
    expect(own.filter((o) => o.error).map((o) => `${o.agent}: ${o.error}`)).toEqual([]);
    expect(own.filter((o) => o.result?.status !== 'granted').map((o) => o.agent)).toEqual([]);
    let grants = await grantsOf(key);
    expect(grants.map((g) => `${g.holder} ${g.patterns.join(',')}`).sort()).toEqual(agents.map((a) => `${a.name} src/${a.name}/**`).sort());

    // One file for everyone: exactly one winner, the rest told who holds it.
    const hot = await burst(key, agents, () => ['src/hot.ts'], 'one file');
    expect(hot.filter((o) => o.error).map((o) => `${o.agent}: ${o.error}`)).toEqual([]);
    const winners = hot.filter((o) => o.result?.status === 'granted').map((o) => o.agent);
    expect(winners).toHaveLength(1);
    const told = new Set(hot.flatMap((o) => (o.result?.status === 'conflict' ? o.result.conflicts.map((c) => c.holder) : [])));
    expect([...told]).toEqual(winners);
    grants = await grantsOf(key);
    expect(grants.filter((g) => g.patterns.includes('src/hot.ts')).map((g) => g.holder)).toEqual(winners);
    expect(grants).toHaveLength(CROWD + 1);
  });

  interface Outcome {
    agent: string;
    ms: number;
    result?: ReserveResult;
    error?: string;
  }

  /** All agents reserve at the same moment, agent i through server i mod 2, each with its own token. */
  async function burst(key: string, agents: Agent[], patternsOf: (a: Agent) => string[], label: string): Promise<Outcome[]> {
    const started = performance.now();
    const outcomes = await Promise.all(
      agents.map(async (a, i): Promise<Outcome> => {
        const t = performance.now();
        try {
          const result = await as(SERVERS[i % SERVERS.length]!, a.token, key).reservations.reserve({ patterns: patternsOf(a), ttlSeconds: 3600, reason: `crowd (${label})` });
          return { agent: a.name, ms: performance.now() - t, result };
        } catch (err) {
          const e = err as { code?: string; message?: string };
          return { agent: a.name, ms: performance.now() - t, error: `[${e.code ?? 'no code'}] ${e.message ?? String(err)}` };
        }
      }),
    );
    const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
    say(
      `crowd (${label}): ${agents.length} concurrent reserves through ${SERVERS.length} Baton servers in ${((performance.now() - started) / 1000).toFixed(2)}s; ` +
        `latency p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms; ${outcomes.filter((o) => o.error).length} failed`,
    );
    return outcomes;
  }

  async function grantsOf(key: string) {
    const audit = await baton.project(key).reservations.audit({ limit: 1000 });
    expect(audit.entries.length).toBe(audit.total);
    return audit.entries.filter((e) => e.action === 'grant');
  }
});
