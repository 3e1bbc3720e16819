import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBaton, type CliRun } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import { team, until, waitingFor } from './support';

const baton = runBaton;

describe('baton CLI: patterns (real server, spawned bin/baton)', () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('start (plan file + flags) → done refused when vague (exit 2) → fail → approvals → approve (agent: exit 5; human: ok) → done → status', async () => {
    const t = await team(ctx, ['BoldMountain']);
    const env = { TEMPORAL_ADDRESS: ctx.config.address, BATON_TASK_QUEUE: ctx.taskQueue, BATON_PROJECT: t.project.key, BATON_CREDENTIALS: path.join(dir, 'credentials.json') };
    const agent = ['--as', 'BoldMountain', '--token', t.me('BoldMountain').token];
    const human = ['--as', 'alice', '--token', t.me('alice').token];
    const planFile = path.join(dir, 'plan.yaml');
    fs.writeFileSync(planFile, 'title: CLI run\ndeadlines: { reminderAfter: 30s, escalateAfter: 60s }\nsteps:\n  - { name: database, agent: BoldMountain, task: Create the migration, files: ["db/**"] }\n');

    const started = await baton(env, 'start', 'sequential-handoff', '--plan', planFile, '--id', 'cli-run', '--on-fail', 'human', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toBe(`baton/${t.project.key}/sequential-handoff/cli-run`);
    await until(t.project, workflowId, waitingFor('BoldMountain'));

    const vague = await baton(env, ...agent, 'done', 'sequential-handoff/cli-run', '--summary', 'done', '--what', 'done');
    expect(vague.code).toBe(2);
    expect(vague.stderr).toContain('Handoff refused');
    expect(vague.stderr).toContain('where is empty');

    expect(await baton(env, ...agent, 'fail', workflowId, '--reason', 'schema unclear')).toMatchObject({ code: 0 });
    await until(t.project, workflowId, (s) => s.needsHuman);
    let approvals: CliRun = { code: 1, stdout: '', stderr: '' };
    for (let i = 0; i < 40; i++) {
      approvals = await baton(env, 'approvals');
      if (approvals.stdout.includes(workflowId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(approvals.stdout).toContain('schema unclear');

    const byAgent = await baton(env, ...agent, 'approve', workflowId);
    expect(byAgent.code).toBe(5);
    expect(byAgent.stderr).toContain('only a human may approve');
    const approved = await baton(env, ...human, 'approve', workflowId, '--comment', 'schema is in docs/schema.md');
    expect(approved).toMatchObject({ code: 0, stdout: expect.stringContaining('approved') });

    await until(t.project, workflowId, (s) => waitingFor('BoldMountain')(s) && s.steps[0]!.attempts === 2);
    const done = await baton(env, ...agent, 'done', workflowId, '--summary', 'migration ready', '--what', 'Created the users table migration', '--where', 'db/migrations/001.sql', '--how-to-test', 'npm run db:migrate');
    expect(done).toMatchObject({ code: 0 });
    await t.project.patterns.result(workflowId);
    const status = await baton(env, 'status', workflowId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('completed');
    expect(status.stdout).toMatch(/database\s+BoldMountain\s+done\s+2/);
  });
});
