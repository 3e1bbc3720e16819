import pc from 'picocolors';
import { BatonCluster, seededRandom, sleep } from '../test/support/processes';
import { percentile, printTable } from './stats';
import { BatonApi, type ProjectApi } from '../src/api-client';

/**
 * `npm run soak`: an hour-scale mixed load against a Temporal dev server (SQLite), a Baton worker and the
 * Baton server run as child processes on loopback, for spotting leaks and history growth (not run in
 * CI). The agents go through the Baton server as agents do (HTTP, each with its own bearer token); the
 * project is created on purpose with its human first. Every interval it prints the resident memory of
 * the worker, Temporal's server and the Baton server (from /proc), latency percentiles per kind of call,
 * and the history length and continue-as-new generation of the project and mailbox workflows.
 *
 *   npm run soak                                # 60 minutes, report every minute
 *   npm run soak -- --minutes 2 --every 15      # a quick check that it works
 *   BATON_SOAK_MINUTES=240 npm run soak         # longer
 *
 * Options: --minutes (BATON_SOAK_MINUTES), --every <seconds> between reports, --agents <n> (12),
 * --rate <calls per second> (20), --concurrency <calls in flight> (8), --seed <n>.
 */
interface Options {
  minutes: number;
  every: number;
  agents: number;
  rate: number;
  concurrency: number;
  seed: number;
}

function parseOptions(argv: string[]): Options {
  const flag = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const raw = i >= 0 ? argv[i + 1] : undefined;
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${raw})`);
    return n;
  };
  const minutes = flag('minutes', Number(process.env.BATON_SOAK_MINUTES ?? 60));
  return {
    minutes,
    every: flag('every', minutes <= 5 ? 15 : 60),
    agents: Math.round(flag('agents', 12)),
    rate: flag('rate', 20),
    concurrency: Math.round(flag('concurrency', 8)),
    seed: Math.round(flag('seed', Math.floor(Math.random() * 2 ** 31))),
  };
}

type Kind = 'reserve' | 'release' | 'renew' | 'check' | 'list' | 'send' | 'inbox' | 'ack' | 'register';

interface Agent {
  name: string;
  /** The project through the Baton server, as this agent (its bearer token). */
  api: ProjectApi;
  held: string[];
  unacked: string[];
}

class Window {
  latencies = new Map<Kind, number[]>();
  errors = new Map<string, number>();
  calls = 0;

  record(kind: Kind, ms: number): void {
    let list = this.latencies.get(kind);
    if (!list) this.latencies.set(kind, (list = []));
    list.push(ms);
    this.calls++;
  }

  fail(kind: Kind, err: unknown): void {
    const key = `${kind}: ${(err as { code?: string }).code ?? (err as Error).message?.split('\n')[0]?.slice(0, 60)}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  all(): number[] {
    return [...this.latencies.values()].flat();
  }
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const f1 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const rnd = seededRandom(options.seed);
  console.log(pc.bold(`Baton soak: ${options.minutes} min, ${options.agents} agents, ~${options.rate} calls/s, ${options.concurrency} in flight, report every ${options.every}s, seed ${options.seed}`));
  console.log(pc.dim('Starting a Temporal dev server (SQLite, loopback), a Baton worker and the Baton server as child processes ...'));
  const cluster = await BatonCluster.start({ name: 'soak', api: true, log: (line) => console.log(pc.dim(line)) });
  const stop = async () => {
    await cluster.close();
  };
  process.once('SIGINT', () => {
    console.log('\nInterrupted; stopping the server and the worker.');
    void stop().then(() => process.exit(130));
  });

  try {
    const key = `soak-${options.seed}`;
    await cluster.baton.initProject(key, { human: 'alice', settings: { maxHistoryEvents: 3000 } });
    // The operator's view (history lengths, mailboxes) goes through the typed client; the load through the server.
    const project = cluster.baton.project(key);
    const server = new BatonApi({ baseUrl: cluster.apiUrl });
    const agents: Agent[] = [];
    for (let i = 0; i < options.agents; i++) agents.push(await register(server, key, `soak ${i}`));
    console.log(`${agents.length} agents registered in project ${key}; Temporal ${cluster.address}, Baton server ${cluster.apiUrl}, task queue ${cluster.taskQueue}`);

    const started = Date.now();
    const deadline = started + options.minutes * 60_000;
    let window = new Window();
    const totals = { calls: 0, errors: 0 };
    const rows: string[][] = [];
    const headers = ['t', 'calls', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'worker RSS', 'server RSS', 'Baton server RSS', 'project hist (gen)', 'max mailbox hist (gen)', 'active leases'];

    const report = async () => {
      const w = window;
      window = new Window();
      const all = w.all();
      const described = await project.describe().catch(() => undefined);
      const mailboxes = await Promise.all(agents.slice(0, 50).map((a) => project.messages.describeMailbox(a.name).catch(() => undefined)));
      const biggest = mailboxes.reduce<{ historyLength: number; generation: number } | undefined>((m, d) => (d && (!m || d.historyLength > m.historyLength) ? d : m), undefined);
      const leases = await project.reservations.list({ limit: 1 }).catch(() => undefined);
      totals.calls += w.calls;
      const errs = [...w.errors.values()].reduce((n, x) => n + x, 0);
      totals.errors += errs;
      const row = [
        `${((Date.now() - started) / 60_000).toFixed(1)}m`,
        String(w.calls),
        String(errs),
        f1(percentile(all, 50)),
        f1(percentile(all, 95)),
        f1(percentile(all, 99)),
        f1(all.length ? Math.max(...all) : NaN),
        mb(cluster.worker.rssBytes()),
        mb(cluster.server.rssBytes()),
        mb(cluster.api?.rssBytes()),
        described ? `${described.historyLength} (${described.generation})` : '-',
        biggest ? `${biggest.historyLength} (${biggest.generation})` : '-',
        leases ? String(leases.total) : '-',
      ];
      rows.push(row);
      console.log('');
      printTable(headers, rows.slice(-1));
      const kinds = [...w.latencies.entries()].sort(([a], [b]) => a.localeCompare(b));
      console.log(pc.dim(`  per call: ${kinds.map(([k, l]) => `${k} n=${l.length} p50=${f1(percentile(l, 50))} p95=${f1(percentile(l, 95))}`).join(' | ')}`));
      if (w.errors.size) console.log(pc.yellow(`  errors: ${[...w.errors.entries()].map(([k, n]) => `${k} x${n}`).join('; ')}`));
    };

    // The load: a paced loop that starts one call every 1/rate seconds, at most `concurrency` in flight.
    let inFlight = 0;
    let nextReport = started + options.every * 1000;
    const interval = 1000 / options.rate;
    let nextStart = Date.now();
    while (Date.now() < deadline) {
      if (Date.now() >= nextReport) {
        await report();
        nextReport += options.every * 1000;
      }
      if (inFlight >= options.concurrency || Date.now() < nextStart) {
        await sleep(Math.max(1, Math.min(50, nextStart - Date.now())));
        continue;
      }
      nextStart += interval;
      if (nextStart < Date.now() - 1000) nextStart = Date.now(); // do not burst to catch up after a stall
      inFlight++;
      const w = window;
      void oneCall(server, key, agents, rnd, w).finally(() => inFlight--);
    }
    while (inFlight > 0) await sleep(50);
    await report();

    console.log('');
    console.log(pc.bold('Soak summary'));
    printTable(headers, rows);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first && last) {
      console.log(
        `worker RSS ${first[7]} -> ${last[7]}, server RSS ${first[8]} -> ${last[8]}, Baton server RSS ${first[9]} -> ${last[9]}, project history ${first[10]} -> ${last[10]}, mailbox history ${first[11]} -> ${last[11]}`,
      );
    }
    console.log(`${totals.calls} calls, ${totals.errors} errors in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  } finally {
    await stop();
  }
}

/** Registers through the server, as `baton register` does; the agent then acts with its own token. */
async function register(server: BatonApi, key: string, task: string): Promise<Agent> {
  const r = await server.project(key).agents.register({ program: 'soak', task, contactPolicy: 'open' });
  const api = new BatonApi({ baseUrl: server.transport.baseUrl, token: r.token, member: r.member.name }).project(key);
  return { name: r.member.name, api, held: [], unacked: [] };
}

const FILES = ['src/api/users.ts', 'src/api/*.ts', 'src/web/**', 'src/web/index.ts', 'docs/*.md', 'test/api/**', 'package.json', 'src/db/schema.sql'];

/** One call of a mixed agent workload through the Baton server; latencies and errors go to the current window. */
async function oneCall(server: BatonApi, key: string, agents: Agent[], rnd: () => number, w: Window): Promise<void> {
  const agent = agents[Math.floor(rnd() * agents.length)]!;
  const roll = rnd();
  let kind: Kind;
  let call: () => Promise<unknown>;
  if (roll < 0.2) {
    kind = 'reserve';
    const pattern = rnd() < 0.5 ? FILES[Math.floor(rnd() * FILES.length)]! : `src/own/${agent.name}/${Math.floor(rnd() * 50)}.ts`;
    call = async () => {
      const res = await agent.api.reservations.reserve({ patterns: [pattern], ttlSeconds: 60 + Math.floor(rnd() * 600), reason: 'soak' });
      if (res.status === 'granted') for (const r of res.reservations) if (!agent.held.includes(r.id)) agent.held.push(r.id);
    };
  } else if (roll < 0.32) {
    kind = 'release';
    const id = agent.held.shift();
    call = () => agent.api.reservations.release(id ? { ids: [id] } : { all: true });
  } else if (roll < 0.37) {
    kind = 'renew';
    call = () => agent.api.reservations.renew({ ttlSeconds: 300 });
  } else if (roll < 0.5) {
    kind = 'check';
    call = () => agent.api.reservations.check({ paths: [FILES[Math.floor(rnd() * FILES.length)]!.replace(/\*+/g, 'x')] });
  } else if (roll < 0.55) {
    kind = 'list';
    call = () => agent.api.reservations.list({ limit: 100 });
  } else if (roll < 0.75) {
    kind = 'send';
    const to = agents[Math.floor(rnd() * agents.length)]!;
    call = () => agent.api.messages.send({ to: [to.name], subject: 'soak', body: 'x'.repeat(Math.floor(rnd() * 2000)), ackRequired: rnd() < 0.3 });
  } else if (roll < 0.93) {
    kind = 'inbox';
    call = async () => {
      const page = await agent.api.messages.inbox({ unread: true, limit: 20 });
      for (const item of page.items) if (item.ackRequired && !item.ackedAt && !agent.unacked.includes(item.id)) agent.unacked.push(item.id);
    };
  } else if (roll < 0.995) {
    kind = 'ack';
    const id = agent.unacked.shift();
    call = async () => {
      if (id) await agent.api.messages.ack(id);
    };
  } else {
    kind = 'register';
    // Turnover: an agent leaves and a new one joins (bounded: the count stays the same).
    call = async () => {
      await agent.api.agents.retire(agent.name);
      const fresh = await register(server, key, 'soak turnover');
      agents[agents.indexOf(agent)] = fresh;
    };
  }
  const t = process.hrtime.bigint();
  try {
    await call();
    w.record(kind, Number(process.hrtime.bigint() - t) / 1e6);
  } catch (err) {
    w.fail(kind, err);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
