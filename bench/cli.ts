import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/project-root';
import type { BenchEnv } from './run';
import { ms, percentile, printTable, ratio } from './stats';

export const name = 'cli';
export const description = 'the agent\'s path: `baton` calls (bundled CLI over HTTP) against `node -e 0` as the floor; targets --help and a local error <= 3x, `check` <= 4x';

const SAMPLES = Number(process.env.BENCH_CLI_SAMPLES || 21);
const BATON = path.join(projectRoot, 'bin', 'baton');

function wall(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(command, args, { env }, (err) => {
      const took = Number(process.hrtime.bigint() - start) / 1e6;
      // Exit codes are part of what is measured (a local error exits 2): only a failure to start counts.
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve(took);
    });
  });
}

export async function run(env: BenchEnv): Promise<void> {
  const key = env.project('cli');
  const created = await env.baton.initProject(key, { human: 'alice' });
  const agent = await env.baton.project(key).agents.register({ program: 'bench' });
  void created;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-cli-'));
  const shell = { ...process.env, XDG_CONFIG_HOME: home, NO_COLOR: '1', BATON_SERVER: env.servers[0]!, BATON_PROJECT: key, BATON_AGENT: agent.member.name, BATON_TOKEN: agent.token };
  const cases: { label: string; target: number; command: string; args: string[] }[] = [
    { label: 'node -e 0 (floor)', target: 1, command: process.execPath, args: ['-e', '0'] },
    { label: 'baton --help', target: 3, command: BATON, args: ['--help'] },
    { label: 'baton reserve (local error: no --reason)', target: 3, command: BATON, args: ['reserve', 'src/x.ts'] },
    { label: 'baton check src/x.ts (HTTP + query)', target: 4, command: BATON, args: ['check', 'src/x.ts'] },
  ];
  const samples = cases.map(() => [] as number[]);
  // Interleaved rounds: a load spike on the shared machine hits every case alike, so ratios hold.
  for (let round = 0; round < SAMPLES; round++) {
    for (const [i, c] of cases.entries()) samples[i]!.push(await wall(c.command, c.args, shell));
  }
  const floor = percentile(samples[0]!, 50);
  printTable(
    ['call', 'p50', 'p90', 'vs floor (p50)', 'target'],
    cases.map((c, i) => {
      const p50 = percentile(samples[i]!, 50);
      const verdict = i === 0 ? '' : p50 / floor <= c.target ? `<= ${c.target}x ok` : `<= ${c.target}x MISSED`;
      return [c.label, ms(p50), ms(percentile(samples[i]!, 90)), ratio(p50, floor), verdict];
    }),
  );
  env.log(`${SAMPLES} interleaved rounds; the CLI is dist/baton.cjs (${(fs.statSync(path.join(projectRoot, 'dist', 'baton.cjs')).size / 1024).toFixed(0)} KiB).`);
  fs.rmSync(home, { recursive: true, force: true });
}
