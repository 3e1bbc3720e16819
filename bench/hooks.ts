import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BatonApi } from '../src/api-client';
import { projectRoot } from '../src/project-root';
import { member } from '../src/schemas/actor';
import type { BenchEnv } from './run';
import { ms, percentile, printTable, ratio, timed } from './stats';

export const name = 'hooks';
export const description =
  'an agent hook call (`bin/baton hooks run ...`, JSON on stdin) against `node -e 0` and against a node process doing one no-op HTTP round trip to the Baton server; target p50 < 100 ms';

const SAMPLES = Number(process.env.BATON_BENCH_HOOK_SAMPLES || process.env.BENCH_CLI_SAMPLES || 31);
const BATON = path.join(projectRoot, 'bin', 'baton');
const TARGET_MS = 100;

/** Wall time of one process, stdin written and closed; exit codes are part of what is measured. */
function wall(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, stdin = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
    child.stdin.end(stdin);
  });
}

/** One GET to the server on a route it answers without Temporal (an unknown path: its 404). */
function noopRoundTrip(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/bench-no-such-route`, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

export async function run(env: BenchEnv): Promise<void> {
  const project = await env.createProject('hooks');
  const holder = await project.agents.register({ program: 'bench' });
  const agent = await project.agents.register({ program: 'bench' });
  await project.reservations.reserve({ actor: member(holder.member.name), patterns: ['src/held/**'], reason: 'bench', ttlSeconds: 3600 });
  const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-hooks-')));
  fs.mkdirSync(path.join(repo, '.git'));
  const shell = {
    ...process.env,
    XDG_CONFIG_HOME: repo,
    NO_COLOR: '1',
    BATON_SERVER: env.servers[0]!,
    BATON_PROJECT: project.key,
    BATON_AGENT: agent.member.name,
    BATON_TOKEN: agent.token,
    BATON_HOOKS_OFFLINE: '',
  };
  const claude = (hook: string, extra: Record<string, unknown>) => JSON.stringify({ session_id: 'bench', transcript_path: '/tmp/t.jsonl', cwd: repo, permission_mode: 'default', hook_event_name: hook, ...extra });
  const write = (file: string) => claude('PreToolUse', { tool_name: 'Write', tool_input: { file_path: path.join(repo, file), content: '' }, tool_use_id: 't' });
  const httpScript = `require('http').get(${JSON.stringify(`${env.servers[0]!}/bench-no-such-route`)}, (r) => { r.resume(); r.on('end', () => {}); })`;

  const cases: { label: string; command: string; args: string[]; stdin?: string }[] = [
    { label: 'node -e 0 (process floor)', command: process.execPath, args: ['-e', '0'] },
    { label: 'node + one no-op HTTP round trip (floor)', command: process.execPath, args: ['-e', httpScript] },
    { label: 'claude-code pre-tool, Bash (no check)', command: BATON, args: ['hooks', 'run', 'claude-code', 'pre-tool'], stdin: claude('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 't' }) },
    { label: 'claude-code pre-tool, Write free file', command: BATON, args: ['hooks', 'run', 'claude-code', 'pre-tool'], stdin: write('src/free.ts') },
    { label: 'claude-code pre-tool, Write held file (deny)', command: BATON, args: ['hooks', 'run', 'claude-code', 'pre-tool'], stdin: write('src/held/a.ts') },
    { label: 'claude-code post-tool (attention, nothing new)', command: BATON, args: ['hooks', 'run', 'claude-code', 'post-tool'], stdin: claude('PostToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: {} }) },
    { label: 'generic pre-tool, free path', command: BATON, args: ['hooks', 'run', 'generic', 'pre-tool'], stdin: JSON.stringify({ paths: ['src/free.ts'] }) },
  ];

  // Warm the server's token cache, the workflows' caches and the file system.
  for (const c of cases) await wall(c.command, c.args, shell, repo, c.stdin);
  const samples = cases.map(() => [] as number[]);
  const roundTrips: number[] = [];
  // The same requests a hook makes, from this process: what the server and Temporal take of a hook's time.
  const asAgent = new BatonApi({ baseUrl: env.servers[0]!, token: agent.token, member: agent.member.name }).project(project.key);
  const inProcess = { check: [] as number[], attention: [] as number[] };
  // Interleaved rounds: a load spike on the shared machine hits every case alike, so ratios hold.
  for (let round = 0; round < SAMPLES; round++) {
    for (const [i, c] of cases.entries()) samples[i]!.push(await wall(c.command, c.args, shell, repo, c.stdin));
    roundTrips.push(await timed(() => noopRoundTrip(env.servers[0]!)));
    inProcess.check.push(await timed(() => asAgent.reservations.check({ paths: ['src/free.ts'], exclusive: true })));
    inProcess.attention.push(await timed(() => asAgent.messages.attention()));
  }
  const floor = percentile(samples[0]!, 50);
  const httpFloor = percentile(samples[1]!, 50);
  printTable(
    ['call', 'p50', 'p90', 'vs node -e 0', 'vs node+HTTP', 'above node+HTTP', `p50 < ${TARGET_MS} ms`],
    cases.map((c, i) => {
      const p50 = percentile(samples[i]!, 50);
      const verdict = i < 2 ? '' : p50 < TARGET_MS ? 'ok' : floor >= TARGET_MS ? 'MISSED (floor is over it)' : 'MISSED';
      return [c.label, ms(p50), ms(percentile(samples[i]!, 90)), ratio(p50, floor), ratio(p50, httpFloor), i < 2 ? '' : ms(p50 - httpFloor), verdict];
    }),
  );
  env.log(
    `${SAMPLES} interleaved rounds; dist/baton-hooks.cjs is ${(fs.statSync(path.join(projectRoot, 'dist', 'baton-hooks.cjs')).size / 1024).toFixed(0)} KiB. ` +
      `From this process, p50: a no-op HTTP round trip ${ms(percentile(roundTrips, 50))}, the check request ${ms(percentile(inProcess.check, 50))}, the attention request ${ms(percentile(inProcess.attention, 50))} ` +
      `(the server and one Temporal query). "above node+HTTP" is what a hook costs beyond starting node and making one request.`,
  );
  fs.rmSync(repo, { recursive: true, force: true });
}
