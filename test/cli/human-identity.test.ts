/**
 * Which human a command acts as, through the real `bin/baton` in a terminal (a pseudo-terminal from
 * util-linux `script`: the humans' store is read only from a TTY), with a login saved by `baton login`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningApi } from '../../src/api/main';
import { runBaton, type CliRun } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import { cliShells, team, until, waitingFor, type Team } from '../patterns/support';

const BIN = path.resolve(__dirname, '../../bin/baton');
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** `bin/baton` on a terminal: stdout and stderr arrive together, as the person sees them. */
function inTerminal(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', [BIN, ...args].map(quote).join(' '), '/dev/null'], { env: { ...process.env, ...env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
    child.stdin?.end();
  });
}

describe('baton CLI: the human a terminal acts as', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  let t: Team;
  let workflowId: string;
  let shells: ReturnType<typeof cliShells>;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-human-'));
    t = await team(ctx, ['BoldMountain']);
    shells = cliShells(api, t, dir);
    // alice's login, saved the way a script does it (BATON_HUMAN_TOKEN, no terminal).
    expect(await runBaton(shells.human('alice'), 'login')).toMatchObject({ code: 0, stdout: expect.stringContaining('Logged in as alice') });
    const started = await runBaton(shells.agent('BoldMountain'), 'start', 'handoff', '--title', 'Schema', '--id', 'schema', '--step', 'database:BoldMountain:db/**:Create the migration', '--json');
    expect(started.code).toBe(0);
    workflowId = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    await until(t.project, workflowId, waitingFor('BoldMountain'));
    expect(await runBaton(shells.agent('BoldMountain'), 'fail', workflowId, '--reason', 'schema unclear')).toMatchObject({ code: 0 });
    await until(t.project, workflowId, (s) => s.needsHuman);
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A terminal with no identity variables: only the saved login. */
  const terminal = () => ({ ...shells.human('alice'), BATON_HUMAN_TOKEN: '' });

  it('approvals uses the saved login, as approve does (not "Which member are you?")', async () => {
    let listed: CliRun = { code: 1, stdout: '', stderr: '' };
    // The list is a visibility query: it shows the decision once the store has indexed it.
    for (let i = 0; i < 40 && !listed.stdout.includes(workflowId); i++) {
      listed = await inTerminal(terminal(), 'approvals');
      if (listed.code !== 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringContaining(workflowId) });
    expect(listed.stdout).toContain('schema unclear');
    expect(listed.stdout).not.toContain('as alice'); // nobody else to be mistaken for
  });

  it('approve in a shell that also has an agent identity says it acted as alice', async () => {
    const both = { ...terminal(), BATON_AGENT: 'BoldMountain', BATON_TOKEN: t.tokens.BoldMountain! };
    const approved = await inTerminal(both, 'approve', workflowId, '--comment', 'see docs/schema.md');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('as alice (human login from ');
    expect(approved.stdout).toContain('not as BoldMountain');
    expect(approved.stdout).toContain(`approved `);
    // Said once, though approve resolved the human twice (the pending decision, then the answer).
    expect(approved.stdout.split('as alice').length).toBe(2);
    await until(t.project, workflowId, (s) => !s.needsHuman);
  });
});
