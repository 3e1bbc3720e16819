/**
 * Measures what the guard adds to `git commit`: run with `npx tsx test/guard/measure-latency.ts [runs]`
 * (default 7). Starts its own Temporal dev server, a Baton worker and the Baton server, then times
 * commits in a temp repository without the hook, with the installed hook (bundled entry, the path git
 * really takes, asking the server with an agent's token), with the hook switched off, and the same
 * check loaded through tsx and as `bin/baton guard check`. Also times the check request alone from
 * this process, to tell the server's share from process start-up. Prints medians in milliseconds.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { BatonClient } from '../../src/client';
import { createBatonWorker } from '../../src/worker';
import { startDevServer } from '../../src/server/dev-server';
import { startApi } from '../../src/api/main';
import { BatonApi } from '../../src/api-client';
import { install, uninstall } from '../../src/guard/hooks';
import { member } from '../../src/schemas/actor';

const runs = Number(process.argv[2] ?? 7);

function timed(cwd: string, cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // Asynchronous: the server and worker answering the hook run in this process.
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${cmd.join(' ')} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig();
  const server = await startDevServer({ home: base.home, serverLogLevel: 'never' });
  const config = { ...base, address: server.address, connectionOptions: { address: server.address }, taskQueue: 'guard-latency' };
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await createBatonWorker({ config, connection: native, client, workflowBundle: { code } });
  const running = worker.run();
  const api = await startApi(config, client, { port: 0, host: '127.0.0.1' });

  const project = `latency-${Date.now().toString(36)}`;
  const baton = new BatonClient(client, config);
  await baton.initProject(project, { human: 'alice' });
  const p = baton.project(project);
  const holder = await p.agents.register({});
  const committer = await p.agents.register({});
  await p.reservations.reserve({ actor: member(holder.member.name), patterns: ['src/reserved/**'], reason: 'latency run' });

  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-latency-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 'a@example.com');
  git('config', 'user.name', 'a');
  fs.mkdirSync(path.join(repo, 'src/free'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'src/free/a.ts'), '0\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BATON_SERVER: api.url,
    BATON_AGENT: committer.member.name,
    BATON_TOKEN: committer.token,
    BATON_CREDENTIALS: path.join(repo, '.git', 'agents.json'),
    BATON_HUMAN_CREDENTIALS: path.join(repo, '.git', 'humans.json'),
  };
  delete env.BATON_GUARD;
  delete env.BATON_PROJECT;
  let n = 0;
  const stage = () => {
    fs.writeFileSync(path.join(repo, 'src/free/a.ts'), `${++n}\n`);
    git('add', 'src/free/a.ts');
  };
  const commitOnce = async (extra: NodeJS.ProcessEnv = {}) => {
    stage();
    return timed(repo, ['git', 'commit', '-qm', `c${n}`], { ...env, ...extra });
  };
  const checkViaTsx = async () => {
    stage();
    return timed(repo, [process.execPath, '-r', require.resolve('tsx/cjs'), path.resolve(__dirname, '../../src/guard/hook-main.ts'), 'pre-commit'], { ...env, BATON_PROJECT: project });
  };
  const viaCli = async () => {
    stage();
    return timed(repo, [path.resolve(__dirname, '../../bin/baton'), 'guard', 'check', '--project', project], env);
  };
  const http = new BatonApi({ baseUrl: api.url, token: committer.token }).project(project);
  const requestOnly = async () => {
    const start = process.hrtime.bigint();
    await http.reservations.check({ paths: ['src/free/a.ts'], exclusive: true });
    return Number(process.hrtime.bigint() - start) / 1e6;
  };

  const without: number[] = [];
  const withHook: number[] = [];
  const hookOff: number[] = [];
  const viaTsx: number[] = [];
  const cli: number[] = [];
  const request: number[] = [];
  await commitOnce(); // warm the file cache
  for (let i = 0; i < runs; i++) without.push(await commitOnce());
  install(repo, ['pre-commit'], { project });
  await commitOnce(); // the first run builds the hook's bundle (and the server's token cache)
  for (let i = 0; i < runs; i++) withHook.push(await commitOnce());
  for (let i = 0; i < runs; i++) hookOff.push(await commitOnce({ BATON_GUARD: 'off' }));
  uninstall(repo, ['pre-commit']);
  for (let i = 0; i < runs; i++) viaTsx.push(await checkViaTsx());
  for (let i = 0; i < runs; i++) cli.push(await viaCli());
  for (let i = 0; i < runs; i++) request.push(await requestOnly());

  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`runs: ${runs}, cores: ${os.cpus().length}, load average: ${load}`);
  console.log(`git commit without hook:              median ${median(without).toFixed(0)} ms  (${list(without)})`);
  console.log(`git commit with the guard:            median ${median(withHook).toFixed(0)} ms  (${list(withHook)})`);
  console.log(`added by the guard:                   median ${(median(withHook) - median(without)).toFixed(0)} ms`);
  console.log(`with the hook, BATON_GUARD=off:       median ${median(hookOff).toFixed(0)} ms  (node + launcher + bundle; the rest is the HTTP check)`);
  console.log(`the check request alone (in-process): median ${median(request).toFixed(1)} ms  (${request.map((x) => x.toFixed(1)).join(', ')})`);
  console.log(`the same check loaded through tsx:    median ${median(viaTsx).toFixed(0)} ms  (hook process alone, no commit)`);
  console.log(`the same check as \`bin/baton guard check\`: median ${median(cli).toFixed(0)} ms  (the bundled CLI, no commit)`);

  fs.rmSync(repo, { recursive: true, force: true });
  await api.close();
  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
