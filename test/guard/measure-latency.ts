/**
 * Measures what the guard adds to `git commit`: run with `npx tsx test/guard/measure-latency.ts [runs]`.
 * Starts its own dev server and worker, then times commits in a temp repository without the hook,
 * with the installed hook (bundled entry, the path git really takes), and with the same check loaded
 * through tsx and through `bin/baton guard check` (what a hook calling the CLI would cost). Prints
 * medians in milliseconds.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { BatonClient } from '../../src/client';
import { createBatonWorker } from '../../src/worker';
import { startDevServer } from '../../src/server/dev-server';
import { install, uninstall } from '../../src/guard/hooks';

const runs = Number(process.argv[2] ?? 9);

function timed(cwd: string, cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // Asynchronous: the worker answering the hook's query runs in this process.
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${cmd.join(' ')} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig();
  const server = await startDevServer({ home: base.home, ui: false, serverLogLevel: 'never' });
  const config = { ...base, address: server.address, connectionOptions: { address: server.address }, taskQueue: 'guard-latency' };
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await createBatonWorker({ config, connection: native, client, workflowBundle: { code } });
  const running = worker.run();

  const project = ctx();
  const baton = new BatonClient(client, config).project(project);
  const holder = await baton.agents.register({});
  await baton.reservations.reserve({ actor: { kind: 'member', name: holder.member.name, token: holder.token }, patterns: ['src/reserved/**'], reason: 'latency run' });

  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-latency-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 'a@example.com');
  git('config', 'user.name', 'a');
  fs.mkdirSync(path.join(repo, 'src/free'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'src/free/a.ts'), '0\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, BATON_AGENT: 'Somebody' };
  let n = 0;
  const commitOnce = async (extra: NodeJS.ProcessEnv = {}) => {
    fs.writeFileSync(path.join(repo, 'src/free/a.ts'), `${++n}\n`);
    git('add', 'src/free/a.ts');
    return timed(repo, ['git', 'commit', '-qm', `c${n}`], { ...env, ...extra });
  };
  const checkViaTsx = async () => {
    fs.writeFileSync(path.join(repo, 'src/free/a.ts'), `${++n}\n`);
    git('add', 'src/free/a.ts');
    return timed(repo, [process.execPath, '-r', require.resolve('tsx/cjs'), path.resolve(__dirname, '../../src/guard/hook-main.ts'), 'pre-commit'], { ...env, BATON_PROJECT: project });
  };

  const viaCli = async () => {
    fs.writeFileSync(path.join(repo, 'src/free/a.ts'), `${++n}\n`);
    git('add', 'src/free/a.ts');
    return timed(repo, [path.resolve(__dirname, '../../bin/baton'), 'guard', 'check', '--project', project], env);
  };

  const without: number[] = [];
  const cli: number[] = [];
  const withHook: number[] = [];
  const viaTsx: number[] = [];
  const hookOff: number[] = [];
  await commitOnce(); // warm the file cache
  for (let i = 0; i < runs; i++) without.push(await commitOnce());
  install(repo, ['pre-commit'], { project });
  await commitOnce(); // first run builds the bundle
  for (let i = 0; i < runs; i++) withHook.push(await commitOnce());
  // The hook's process alone: node, the launcher and the bundle, stopping before the Temporal client.
  for (let i = 0; i < runs; i++) hookOff.push(await commitOnce({ BATON_GUARD: 'off' }));
  uninstall(repo, ['pre-commit']);
  for (let i = 0; i < runs; i++) viaTsx.push(await checkViaTsx());
  for (let i = 0; i < runs; i++) cli.push(await viaCli());

  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`runs: ${runs}, cores: ${os.cpus().length}, load average: ${load}`);
  console.log(`git commit without hook:            median ${median(without).toFixed(0)} ms  (${without.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`git commit with the guard:          median ${median(withHook).toFixed(0)} ms  (${withHook.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`added by the guard:                 median ${(median(withHook) - median(without)).toFixed(0)} ms`);
  console.log(`with the hook, BATON_GUARD=off:     median ${median(hookOff).toFixed(0)} ms (node + launcher; the rest is the Temporal client, connect, query)`);
  console.log(`the same check loaded through tsx:  median ${median(viaTsx).toFixed(0)} ms (hook process alone, no commit)`);
  console.log(`the same check as \`bin/baton guard check\`: median ${median(cli).toFixed(0)} ms (the whole CLI through tsx, no commit)`);

  fs.rmSync(repo, { recursive: true, force: true });
  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  await server.stop();
}

const ctx = () => `latency-${Date.now().toString(36)}`;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
