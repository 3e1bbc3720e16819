import type { BatonProjectClient } from '../src/client';
import type { Identity } from '../src/patterns/client';
import type { BenchEnv } from './run';
import { ms, percentile, printTable, ratio, timed } from './stats';

export const name = 'patterns';
export const description = 'engine overhead of a 4-step Sequential Handoff with instant (scripted) agents, vs a no-op update in the same run';

const RUNS = Number(process.env.BATON_BENCH_PATTERN_RUNS || 12);
const STEPS = 4;
const POLL_MS = 5;

/**
 * An instant agent: polls the status until its step is open, then reports done with a good handoff at
 * once. What remains of the wall time is the engine: reserve, task message, credentials, release,
 * success recording and the workflow tasks in between.
 */
async function instantAgent(project: BatonProjectClient, workflowId: string, me: Identity, step: string, handedOver: number[]): Promise<void> {
  for (;;) {
    const s = await project.patterns.status(workflowId);
    if (s.assigned.some((a) => a.agent === me.name && a.step === step)) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  handedOver.push(Date.now());
  await project.patterns.done(workflowId, me, {
    summary: `${step} finished`,
    handoff: { whatWasDone: `Finished the ${step} part of the feature`, where: [`src/${step}/index.ts`], howToTest: `npm test -- ${step}` },
  });
}

export async function run(env: BenchEnv): Promise<void> {
  const project = await env.createProject('pat');
  const agents: Identity[] = [];
  for (const n of ['BoldMountain', 'SwiftEagle', 'GreenCastle', 'ClearRiver']) agents.push({ name: (await project.agents.register({ name: n, program: 'bench' })).member.name });
  const steps = ['database', 'backend', 'frontend', 'tests'].map((step, i) => ({ name: step, agent: agents[i]!.name, task: `do the ${step} part`, files: [`src/${step}/**`] }));

  const ping: number[] = [];
  for (let i = 0; i < 20; i++) await project.ping();
  for (let i = 0; i < 50; i++) ping.push(await timed(() => project.ping()));

  const total: number[] = [];
  const handoff: number[] = [];
  const startToFirst: number[] = [];
  for (let r = 0; r < RUNS + 2; r++) {
    const started = Date.now();
    const { workflowId } = await project.patterns.start('sequential-handoff', { title: `bench ${r}`, steps }, { startedBy: 'alice' });
    const assignedAt: number[] = [];
    for (const [i, step] of steps.entries()) await instantAgent(project, workflowId, agents[i]!, step.name, assignedAt);
    const result = await project.patterns.result(workflowId);
    if (result.outcome !== 'completed') throw new Error(`bench run ${r} ended ${result.outcome}: ${result.reason}`);
    if (r < 2) continue; // warm-up
    total.push(Date.now() - started);
    startToFirst.push(assignedAt[0]! - started);
    for (let i = 1; i < assignedAt.length; i++) handoff.push(assignedAt[i]! - assignedAt[i - 1]!);
  }

  const p50ping = percentile(ping, 50);
  const row = (label: string, xs: number[]) => [label, ms(percentile(xs, 50)), ms(percentile(xs, 95)), ratio(percentile(xs, 50), p50ping)];
  printTable(['operation', 'p50', 'p95', 'vs ping p50'], [
    row('ping (no-op update, baseline)', ping),
    row('start -> step 1 open', startToFirst),
    row('done -> next step open (handoff)', handoff),
    row(`${STEPS}-step handoff, start -> result`, total),
  ]);
  env.log(`(${RUNS} runs after 2 warm-ups; agents poll the status every ${POLL_MS} ms, so each handoff includes up to that much polling)`);
}
