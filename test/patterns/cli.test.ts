import fs from 'node:fs';
import path from 'node:path';
import { runBaton, type CliRun } from '../support/cli';
import { cliError, cliShells, cliSuite, team, until, waitingFor } from './support';

const baton = runBaton;

describe('baton CLI: patterns (spawned bin/baton against a Baton server)', () => {
  const suite = cliSuite('baton-cli-');

  it('start (plan file + flags) → done refused when vague (exit 2) → fail → approvals → approve (agent: exit 5; human: ok) → done → status', async () => {
    const { ctx, api, dir } = suite;
    const t = await team(ctx, ['BoldMountain']);
    const as = cliShells(api, t, dir);
    const agent = as.agent('BoldMountain');
    const planFile = path.join(dir, 'plan.yaml');
    fs.writeFileSync(planFile, 'title: CLI run\ndeadlines: { reminderAfter: 30s, escalateAfter: 60s }\nsteps:\n  - { name: database, agent: BoldMountain, task: Create the migration, files: ["db/**"] }\n');

    const started = await baton(agent, 'start', 'sequential-handoff', '--plan', planFile, '--id', 'cli-run', '--on-fail', 'human', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toBe(`baton/${t.key}/sequential-handoff/cli-run`);
    // The server records who started it: the member behind the token.
    expect((await until(t.project, workflowId, waitingFor('BoldMountain'))).startedBy).toBe('BoldMountain');

    const vague = await baton(agent, 'done', 'sequential-handoff/cli-run', '--summary', 'done', '--what', 'done');
    expect(vague.code).toBe(2);
    expect(vague.stderr).toContain('Handoff refused');
    // In the words the agent typed: its flags, not the request's field names.
    expect(vague.stderr).toContain('--where is empty');
    expect(vague.stderr).toContain('--how-to-test is empty');
    expect(vague.stderr).not.toMatch(/whatWasDone|howToTest/);

    expect(await baton(agent, 'fail', workflowId, '--reason', 'schema unclear')).toMatchObject({ code: 0 });
    const waiting = await until(t.project, workflowId, (s) => s.needsHuman);
    let approvals: CliRun = { code: 1, stdout: '', stderr: '' };
    for (let i = 0; i < 40; i++) {
      approvals = await baton(agent, 'approvals');
      if (approvals.stdout.includes(workflowId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(approvals.code).toBe(0);
    expect(approvals.stdout).toContain('schema unclear');

    // An agent's shell has no human identity: the CLI refuses before asking the server.
    const noHuman = await baton(agent, '--json', 'approve', workflowId);
    expect(noHuman.code).toBe(5);
    expect(cliError(noHuman)).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('BATON_HUMAN_TOKEN') });
    // An agent's token where a human's goes: refused (by the server and the workflow), and recorded.
    const byAgent = await baton(as.agentAsHuman('BoldMountain'), '--json', 'approve', workflowId);
    expect(byAgent.code).toBe(5);
    expect(cliError(byAgent)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('BoldMountain is an agent; only a human may approve') });
    const recorded = await until(t.project, workflowId, (s) => s.refused.length === waiting.refused.length + 1);
    expect(recorded).toMatchObject({ needsHuman: true, refused: [...waiting.refused, { who: 'BoldMountain', action: 'approve', decisionId: waiting.decision!.id }], decision: { id: waiting.decision!.id } });

    // Without a decision id the CLI takes the one pending, prints it, and repeats what was approved.
    const approved = await baton(as.human('alice'), 'approve', workflowId, '--comment', 'schema is in docs/schema.md');
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.stdout).toContain(`decision ${waiting.decision!.id} (database): BoldMountain could not finish step "database"`);
    expect(approved.stdout).toContain(`approved ${waiting.decision!.id} in ${workflowId}: "BoldMountain could not finish step "database" (attempt 1): "schema unclear"`);

    await until(t.project, workflowId, (s) => waitingFor('BoldMountain')(s) && s.steps[0]!.attempts === 2);
    // Nothing pending now: an agent is still told it may not (exit 5), a human that nothing waits (exit 6).
    const agentLate = await baton(as.agentAsHuman('BoldMountain'), '--json', 'approve', workflowId);
    expect({ code: agentLate.code, error: cliError(agentLate).code }).toEqual({ code: 5, error: 'FORBIDDEN' });
    const humanLate = await baton(as.human('alice'), '--json', 'approve', workflowId);
    expect({ code: humanLate.code, error: cliError(humanLate) }).toEqual({ code: 6, error: expect.objectContaining({ code: 'INVALID_STATE', message: expect.stringContaining('waits for a decision') }) });
    const done = await baton(agent, 'done', workflowId, '--summary', 'migration ready', '--what', 'Created the users table migration', '--where', 'db/migrations/001.sql', '--how-to-test', 'npm run db:migrate');
    expect(done).toMatchObject({ code: 0 });
    await t.project.patterns.result(workflowId);
    const status = await baton(agent, 'status', workflowId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('completed');
    expect(status.stdout).toMatch(/database\s+BoldMountain\s+done\s+2/);
  });

  it('cancel: refused for an agent (exit 5), a human cancel says the run ended and its leases are released, a second cancel is refused (exit 6)', async () => {
    const { ctx, api, dir } = suite;
    const t = await team(ctx, ['SwiftEagle', 'GreenCastle']);
    const as = cliShells(api, t, dir);
    const started = await baton(as.agent('SwiftEagle'), 'start', 'parallel-development', '--title', 'CLI cancel', '--id', 'cli-cancel', '--worker', 'SwiftEagle:src/api/**:API', '--worker', 'GreenCastle:web/**:UI', '--integration-agent', 'GreenCastle', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    await until(t.project, workflowId, (s) => s.assigned.length === 2);
    expect((await t.project.reservations.list()).total).toBe(2);

    const byAgent = await baton(as.agentAsHuman('SwiftEagle'), '--json', 'cancel', workflowId, '--reason', 'bored');
    expect(byAgent.code).toBe(5);
    expect(cliError(byAgent)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token: SwiftEagle is an agent") });
    expect(await t.project.patterns.status(workflowId)).toMatchObject({ state: 'running', refused: [] });

    const cancelled = await baton(as.human('alice'), 'cancel', 'parallel-development/cli-cancel', '--reason', 'requirements changed');
    expect(cancelled).toMatchObject({ code: 0, stdout: expect.stringContaining(`cancelled ${workflowId}; its reservations are released.`) });
    expect((await t.project.reservations.list()).total).toBe(0);
    expect(await t.project.patterns.result(workflowId)).toMatchObject({ outcome: 'cancelled', reason: 'cancelled by alice: requirements changed' });

    const again = await baton(as.human('alice'), '--json', 'cancel', workflowId, '--reason', 'twice');
    expect(again.code).toBe(6);
    expect(cliError(again)).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('already cancelled') });
  });
  it('a run ref takes the registry\'s aliases (handoff/<id>) as `baton start handoff` does; refs that are no pattern run are still refused', async () => {
    const { ctx, api, dir } = suite;
    const t = await team(ctx, ['QuietRiver']);
    const agent = cliShells(api, t, dir).agent('QuietRiver');
    const started = await baton(agent, 'start', 'handoff', '--title', 'Docs', '--id', 'docs-dfaca5', '--step', 'docs:QuietRiver:docs/**:Write the docs', '--json');
    expect(started).toMatchObject({ code: 0 });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toBe(`baton/${t.key}/sequential-handoff/docs-dfaca5`);
    await until(t.project, workflowId, waitingFor('QuietRiver'));

    const status = await baton(agent, 'status', 'handoff/docs-dfaca5');
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining(workflowId) });
    expect(await baton(agent, 'fail', 'sequential/docs-dfaca5', '--reason', 'docs tool missing')).toMatchObject({ code: 0 });
    await until(t.project, workflowId, (s) => s.needsHuman);

    for (const ref of ['mailbox/quietriver', 'project/docs-dfaca5', 'nopattern/docs-dfaca5']) {
      const refused = await baton(agent, '--json', 'fail', ref, '--reason', 'x');
      expect(refused.code).toBe(2);
      expect(cliError(refused)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(`"${ref}" is not a pattern run`) });
    }
  });
});
