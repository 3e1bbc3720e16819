import { BatonApi, type ProjectApi } from '../src/api-client';
import type { BenchEnv } from './run';
import { ms, percentile, printTable, ratio, timed } from './stats';

export const name = 'throughput';
export const description = 'reservation decisions per second through the Baton server(s) (HTTP, group commit) with 50 and 200 agents, p50/p99, against the HTTP no-op floor';

const SECONDS = Number(process.env.BATON_BENCH_THROUGHPUT_SECONDS || 10);
const CROWDS = (process.env.BATON_BENCH_CROWDS || '50,200').split(',').map(Number);

interface Agent {
  name: string;
  api: ProjectApi;
}

/**
 * Every agent loops reserve (80% its own files, 20% contending for 5 hot files) as fast as the server
 * answers, for SECONDS, like a crowd of agents each running `baton reserve`. Each call is one HTTP
 * request (a new connection, as the CLI makes one); the server groups the crowd's requests into batch
 * updates of the project workflow. The floor: the same crowd calling the HTTP no-op (`POST .../ping`,
 * one plain update per call, not batched) in the same run. Agents are spread over the Baton servers
 * (two on the cluster); each one's first call, where its server verifies the new token, is timed
 * apart from the steady state.
 */
export async function run(env: BenchEnv): Promise<void> {
  const rows: string[][] = [];
  const cold: string[][] = [];
  for (const crowd of CROWDS) {
    const project = await env.createProject(`tp${crowd}`);
    const agents: Agent[] = [];
    for (let i = 0; i < crowd; i += 50) {
      const regs = await Promise.all(Array.from({ length: Math.min(50, crowd - i) }, () => project.agents.register({ program: 'bench' })));
      // Agents spread over the Baton servers (two on the cluster), as behind a load balancer.
      for (const r of regs) agents.push({ name: r.member.name, api: new BatonApi({ baseUrl: env.servers[agents.length % env.servers.length]!, token: r.token }).project(project.key) });
    }
    // Each agent's first call makes its server verify the token (a directory query, cached for a
    // minute); measured on its own, so the floor and the decisions are the steady state.
    const firstCalls = await Promise.all(agents.map((a) => timed(() => a.api.agents.whoami())));
    const floor = await hammer(agents, (a) => a.api.ping().then(() => 'ok' as const));
    const before = env.apiBatchStats?.() ?? {};
    const decisions = await hammer(agents, (a, k) => {
      const pattern = k % 5 === 0 ? `hot/f${k % 5}.ts` : `agents/${a.name}/f${k}.ts`;
      return a.api.reservations.reserve({ patterns: [pattern], reason: 'bench', ttlSeconds: 300 }).then((r) => r.status);
    });
    const after = env.apiBatchStats?.()[project.key];
    const prior = before[project.key];
    const batches = after ? after.batches - (prior?.batches ?? 0) : NaN;
    const ops = after ? after.operations - (prior?.operations ?? 0) : NaN;
    cold.push([`${crowd} agents`, ms(percentile(firstCalls, 50)), ms(percentile(firstCalls, 99)), ms(Math.max(...firstCalls))]);
    rows.push([
      `${crowd} agents`,
      (decisions.done / decisions.seconds).toFixed(0),
      ms(percentile(decisions.latencies, 50)),
      ms(percentile(decisions.latencies, 99)),
      String(decisions.failed),
      (floor.done / floor.seconds).toFixed(0),
      ms(percentile(floor.latencies, 50)),
      ms(percentile(floor.latencies, 99)),
      ratio(decisions.done / decisions.seconds, floor.done / floor.seconds),
      Number.isNaN(ops) ? '-' : (ops / batches).toFixed(1),
    ]);
  }
  env.log(`\nEvery agent's first call at once (${env.servers.length} Baton server(s) verify each new token with a directory query):`);
  printTable(['crowd', 'first call p50', 'p99', 'max'], cold);
  env.log(`\nEach crowd for ${SECONDS}s; targets (issue 13): >= 1,000 decisions/s with 200 agents, p99 under 250 ms.`);
  printTable(['crowd', 'decisions/s', 'p50', 'p99', 'failed', 'no-op/s', 'no-op p50', 'no-op p99', 'decisions vs no-op', 'ops per update'], rows);
}

async function hammer(agents: Agent[], call: (a: Agent, k: number) => Promise<string>): Promise<{ done: number; failed: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let done = 0;
  let failed = 0;
  const start = Date.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    agents.map(async (a) => {
      for (let k = 0; Date.now() < end; k++) {
        try {
          latencies.push(await timed(() => call(a, k)));
          done++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { done, failed, seconds: (Date.now() - start) / 1000, latencies };
}
