import type { BatonProjectClient } from '../src/client';
import { member, type Actor } from '../src/schemas/actor';
import type { BenchEnv } from './run';
import { limiter, ms, percentile, printTable, ratio, timed } from './stats';
import { MAX_ACTIVE_RESERVATIONS } from '../src/workflows/project/reservations';

export const name = 'reservations';
export const description = 'reserve latency vs a no-op update at 0 / 10,000 / 20,000 active reservations (typed client, one caller); decisions per second with 50 agents';

const LEVELS = (process.env.BATON_BENCH_LEVELS || '0,10000,20000').split(',').map(Number);
const SAMPLES = Number(process.env.BATON_BENCH_SAMPLES || 100);
const AGENTS = 50;
const CALLS_PER_AGENT = Number(process.env.BATON_BENCH_CALLS || 6);
/** Politeness of one process hosting many agents: stays under the server's 10 in-flight updates per workflow. */
const SHARED_LIMIT = 8;

interface Agent {
  name: string;
  actor: Actor;
}

async function registerAgents(project: BatonProjectClient, count: number): Promise<Agent[]> {
  const polite = limiter(SHARED_LIMIT);
  return Promise.all(
    Array.from({ length: count }, () =>
      polite(async () => {
        const { name } = (await project.agents.register({ program: 'bench' })).member;
        return { name, actor: member(name) };
      }),
    ),
  );
}

export async function run(env: BenchEnv): Promise<void> {
  const project = await env.createProject('res');
  const [filler, probe] = await registerAgents(project, 2);
  let filled = 0;
  // To `target` active reservations in all (the probes of the levels before count too: the limit is 20,000).
  const fillTo = async (target: number) => {
    for (let active = (await project.reservations.list()).total; active < target; active += Math.min(200, target - active)) {
      const n = Math.min(200, target - active);
      // One directory per 100 files, as a real tree has: the index narrows a query to its branch.
      const patterns = Array.from({ length: n }, (_, k) => `fill/d${Math.floor((filled + k) / 100)}/f${filled + k}.ts`);
      const r = await project.reservations.reserve({ actor: filler!.actor, patterns, reason: 'bench fill', ttlSeconds: 7200 });
      if (r.status !== 'granted') throw new Error('fill conflicted');
      filled += n;
    }
  };

  const rows: string[][] = [];
  for (const level of LEVELS) {
    // The probes below take 10 + SAMPLES leases more: at the top level they stay just under the limit.
    await fillTo(Math.min(level, MAX_ACTIVE_RESERVATIONS - 2 * (10 + SAMPLES)));
    for (let i = 0; i < 10; i++) {
      await project.ping();
      await project.reservations.reserve({ actor: probe!.actor, patterns: [`warm/L${level}/f${i}.ts`], reason: 'warm-up' });
    }
    const ping: number[] = [];
    const reserve: number[] = [];
    const conflict: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      ping.push(await timed(() => project.ping()));
      reserve.push(await timed(() => project.reservations.reserve({ actor: probe!.actor, patterns: [`probe/L${level}/f${i}.ts`], reason: 'bench' })));
      if (level > 0 && i % 3 === 0) {
        const dir = Math.floor(((i * 37) % level) / 100);
        conflict.push(await timed(() => project.reservations.reserve({ actor: probe!.actor, patterns: [`fill/d${dir}/*.ts`], reason: 'bench conflict' })));
      }
    }
    const active = (await project.reservations.list({ limit: 1 })).total;
    rows.push([
      level.toLocaleString('en-US'),
      active.toLocaleString('en-US'),
      ms(percentile(ping, 50)),
      ms(percentile(ping, 99)),
      ms(percentile(reserve, 50)),
      ms(percentile(reserve, 99)),
      ratio(percentile(reserve, 50), percentile(ping, 50)),
      ratio(percentile(reserve, 99), percentile(ping, 99)),
      conflict.length ? ms(percentile(conflict, 50)) : '-',
    ]);
  }
  env.log(`\nLatency, sequential calls from one client (${SAMPLES} samples per row; ping = no-op update on the same workflow):`);
  printTable(['filled', 'active', 'ping p50', 'ping p99', 'reserve p50', 'reserve p99', 'p50 ratio', 'p99 ratio', 'glob conflict p50'], rows);
  const described = await project.describe();
  env.log(`(project workflow generation ${described.generation}: continued-as-new ${described.generation} times carrying the leases)`);

  env.log(`\nThroughput, ${AGENTS} agents x ${CALLS_PER_AGENT} calls each (20% of reserves contend for 5 hot files):`);
  const throughputRows: string[][] = [];
  for (const mode of ['independent', 'shared limit'] as const) {
    const tp = await env.createProject('tp');
    const agents = await registerAgents(tp, AGENTS);
    const gate = mode === 'shared limit' ? limiter(SHARED_LIMIT) : <T>(fn: () => Promise<T>) => fn();
    let pingFailures = 0;
    const pingStart = Date.now();
    await Promise.all(
      agents.map(async () => {
        for (let k = 0; k < CALLS_PER_AGENT; k++) await gate(() => tp.ping()).catch(() => pingFailures++);
      }),
    );
    const pingSeconds = (Date.now() - pingStart) / 1000;
    const pings = AGENTS * CALLS_PER_AGENT - pingFailures;
    let granted = 0;
    let conflicts = 0;
    let failures = 0;
    const start = Date.now();
    await Promise.all(
      agents.map(async (agent) => {
        for (let k = 0; k < CALLS_PER_AGENT; k++) {
          const pattern = k % 5 === 0 ? `hot/f${k % 25}.ts` : `agents/${agent.name}/f${k}.ts`;
          // Failures are the server's in-flight limit outlasting the SDK's retries; counted, not decisions.
          const r = await gate(() => tp.reservations.reserve({ actor: agent.actor, patterns: [pattern], reason: 'bench', ttlSeconds: 600 })).catch(() => undefined);
          if (r === undefined) failures++;
          else if (r.status === 'granted') granted++;
          else conflicts++;
        }
      }),
    );
    const seconds = (Date.now() - start) / 1000;
    const decisions = granted + conflicts;
    throughputRows.push([
      mode === 'independent' ? `${AGENTS} independent clients` : `one process, <= ${SHARED_LIMIT} in flight`,
      (decisions / seconds).toFixed(1),
      `${granted} / ${conflicts} / ${failures}`,
      (pings / pingSeconds).toFixed(1),
      String(pingFailures),
      ratio(decisions / seconds, pings / pingSeconds),
    ]);
  }
  printTable(['mode', 'decisions/s', 'granted / conflict / failed', 'pings/s', 'pings failed', 'vs ping'], throughputRows);
  env.log(
    'Temporal admits at most 10 in-flight updates per workflow (history.maxInFlightUpdates); uncoordinated callers beyond that are\n' +
      'refused and retried with backoff, so "failed" counts calls whose retries ran out. The ping column shows the same for a no-op update.',
  );
}
