import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningApi } from '../../src/api/main';
import type { BatonProjectClient } from '../../src/client';
import { member } from '../../src/schemas/actor';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * The agent hooks end to end: the real `bin/baton hooks run ...` process, fed the documented JSON of
 * Claude Code's hooks (and Baton's generic protocol) on stdin, against a real Baton server, worker and
 * Temporal dev server. What the agent reads is stdout and the exit code.
 */
const BATON = path.resolve(__dirname, '../../bin/baton');

describe('agent hooks through the Baton server (real bin/baton, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let repo: string;
  let project: BatonProjectClient;
  let key: string;
  let human: string;
  const agents: Record<string, { name: string; token: string }> = {};

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-hooks-server-')));
    fs.mkdirSync(path.join(repo, '.git'));
    const created = await ctx.createProject({ prefix: 'hooks' });
    project = created.client;
    key = created.key;
    human = created.human.name;
    for (const name of ['IndigoFirefly', 'BlueOtter', 'SilentHeron']) {
      const { member: m, token } = await project.agents.register({ name, contactPolicy: 'open' });
      agents[name] = { name: m.name, token };
    }
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });

  /** The hook as the agent runs it: its environment names the server, the project and who it is. */
  function hook(as: string, args: string[], input: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BATON_SERVER: api.url,
      BATON_PROJECT: key,
      BATON_AGENT: agents[as]!.name,
      BATON_TOKEN: agents[as]!.token,
      BATON_HOOKS_OFFLINE: '',
      BATON_HUMAN_TOKEN: '',
      BATON_CREDENTIALS: path.join(repo, 'no-credentials.json'),
      NO_COLOR: '1',
    };
    return new Promise((resolve, reject) => {
      const child = spawn(BATON, ['hooks', 'run', ...args], { cwd: repo, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
    });
  }

  /** Claude Code's PreToolUse input for a Write, as its hooks reference documents it. */
  const claudeWrite = (file: string) => ({
    session_id: 'abc123',
    transcript_path: '/home/u/.claude/projects/x/abc123.jsonl',
    cwd: repo,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Write',
    tool_input: { file_path: path.join(repo, file), content: 'export {};\n' },
    tool_use_id: 'toolu_01',
  });
  const claudePostTool = () => ({ session_id: 'abc123', transcript_path: '/t.jsonl', cwd: repo, permission_mode: 'default', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: { stdout: '' }, tool_use_id: 'toolu_02' });
  const claudeStop = () => ({ session_id: 'abc123', transcript_path: '/t.jsonl', cwd: repo, permission_mode: 'default', hook_event_name: 'Stop', stop_hook_active: false });

  it('`baton hooks install` (the bundled CLI) writes each agent\'s settings, `status` reads them back, `uninstall` removes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-hooks-install-'));
    fs.mkdirSync(path.join(dir, '.git'));
    const baton = (...args: string[]) => spawnSync(BATON, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    for (const program of ['claude-code', 'codex', 'gemini']) {
      const installed = baton('hooks', 'install', program, '--command', BATON, '--json');
      expect({ program, code: installed.status, stderr: installed.stderr }).toEqual({ program, code: 0, stderr: '' });
      const status = JSON.parse(baton('hooks', 'status', program, '--json').stdout) as { entries: { state: string }[] };
      expect(status.entries.map((e) => e.state)).toEqual(['installed', 'installed', 'installed', 'installed']);
      expect(baton('hooks', 'uninstall', program).status).toBe(0);
    }
    expect(fs.readdirSync(dir)).toEqual(['.git']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Claude Code: an edit under another agent\'s exclusive lease is denied with the holder, rule and what to do; a free one passes', async () => {
    // A directory by its form (no extension): it covers everything under it, pkg/x.ts included.
    expect(await project.reservations.reserve({ actor: member('IndigoFirefly'), patterns: ['pkg'], reason: 'splitting the package', ttlSeconds: 7200 })).toMatchObject({ status: 'granted' });

    const denied = await hook('BlueOtter', ['claude-code', 'pre-tool'], claudeWrite('pkg/x.ts'));
    expect(denied.code).toBe(0);
    expect(denied.stderr).toBe('');
    const output = JSON.parse(denied.stdout) as { hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };
    expect(output.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'deny' });
    const reason = output.hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain("Baton refused this edit: pkg/x.ts is under IndigoFirefly's exclusive reservation.");
    expect(reason).toMatch(/pkg\/x\.ts: held by IndigoFirefly via "pkg" until \S+Z \(in (2h|1h 59m)\), reason "splitting the package" \[r-[0-9a-f]+\]/);
    expect(reason).toContain('rule: pkg covers everything under it (a path without an extension is a directory), including pkg/x.ts');
    expect(reason).toContain('or ask IndigoFirefly to release it: baton send IndigoFirefly');

    // The holder itself, and anyone on a free file, edit without a word.
    expect(await hook('IndigoFirefly', ['claude-code', 'pre-tool'], claudeWrite('pkg/x.ts'))).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await hook('BlueOtter', ['claude-code', 'pre-tool'], claudeWrite('src/free.ts'))).toEqual({ code: 0, stdout: '', stderr: '' });
    // A sibling whose name merely begins with "pkg" is not under it.
    expect(await hook('BlueOtter', ['claude-code', 'pre-tool'], claudeWrite('pkg2/y.ts'))).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('generic protocol: exit 2 with {"decision":"deny"} for a held path, exit 0 {"decision":"allow"} for a free one', async () => {
    await project.reservations.reserve({ actor: member('IndigoFirefly'), patterns: ['src/auth/**'], reason: 'rewriting the login flow' });
    const denied = await hook('BlueOtter', ['generic', 'pre-tool'], { tool: 'edit', paths: ['src/auth/login.ts'], cwd: repo });
    expect(denied.code).toBe(2);
    const answer = JSON.parse(denied.stdout) as { decision: string; reason: string };
    expect(answer.decision).toBe('deny');
    expect(answer.reason).toContain('src/auth/login.ts: held by IndigoFirefly via "src/auth/**"');
    expect(answer.reason).toContain('rule: src/auth/** matches src/auth/login.ts');
    const allowed = await hook('BlueOtter', ['generic'], { event: 'pre-tool', paths: [path.join(repo, 'docs/guide.md')] });
    expect(allowed).toEqual({ code: 0, stdout: '{"decision":"allow"}\n', stderr: '' });
  }, 120_000);

  it('shows urgent mail once after a tool call, and keeps the agent going once at a stop', async () => {
    const urgent = await project.messages.send(member('IndigoFirefly'), { to: ['SilentHeron'], subject: 'Build broken on main', body: 'Revert 3f2a first.', importance: 'urgent' });
    const acked = await project.messages.send(member('IndigoFirefly'), { to: ['SilentHeron'], subject: 'Schema v2 merged', body: 'Please confirm.', ackRequired: true });
    await project.messages.send(member('IndigoFirefly'), { to: ['SilentHeron'], subject: 'fyi', body: 'nothing urgent' });
    // Delivery is an activity after the send: wait until the mail is in the mailbox.
    for (let i = 0; i < 100 && (await project.messages.inbox(member('SilentHeron'))).total < 3; i++) await new Promise((r) => setTimeout(r, 100));

    const first = await hook('SilentHeron', ['claude-code', 'post-tool'], claudePostTool());
    expect(first.code).toBe(0);
    const context = (JSON.parse(first.stdout) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } }).hookSpecificOutput;
    expect(context.hookEventName).toBe('PostToolUse');
    expect(context.additionalContext).toBe(
      [
        'Baton: 2 items need your attention (each is shown once):',
        `  - [urgent mail] IndigoFirefly: "Build broken on main" -> baton read ${urgent.messageId}`,
        `  - [mail] IndigoFirefly: "Schema v2 merged" -> baton read ${acked.messageId}, then baton ack ${acked.messageId}`,
      ].join('\n'),
    );
    // Shown once: the next tool call and the stop have nothing to add.
    expect(await hook('SilentHeron', ['claude-code', 'post-tool'], claudePostTool())).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await hook('SilentHeron', ['claude-code', 'stop'], claudeStop())).toEqual({ code: 0, stdout: '', stderr: '' });

    // New urgent mail at a stop keeps the agent going with it, once.
    const late = await project.messages.send(member('IndigoFirefly'), { to: ['SilentHeron'], subject: 'Deploy at 5', body: 'freeze now', importance: 'urgent' });
    for (let i = 0; i < 100 && (await project.messages.inbox(member('SilentHeron'))).total < 4; i++) await new Promise((r) => setTimeout(r, 100));
    const stop = JSON.parse((await hook('SilentHeron', ['claude-code', 'stop'], claudeStop())).stdout) as { decision: string; reason: string };
    expect(stop.decision).toBe('block');
    expect(stop.reason).toContain(`[urgent mail] IndigoFirefly: "Deploy at 5" -> baton read ${late.messageId}`);
    expect(await hook('SilentHeron', ['claude-code', 'stop'], claudeStop())).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('shows a task with its handoff, and the answer to a decision the agent asked for, from a real pattern run', async () => {
    const started = await project.patterns.start(
      'sequential-handoff',
      { title: 'Sign-up', steps: [{ name: 'api', agent: 'SilentHeron', task: 'Implement POST /users', files: ['src/api/users.ts'], onFail: 'human' }] },
      { startedBy: human },
    );
    const task = async (subject: RegExp, count: number) => {
      for (let i = 0; i < 200; i++) {
        const found = (await project.messages.inbox(member('SilentHeron'), { limit: 500 })).items.filter((m) => subject.test(m.subject));
        if (found.length >= count) return found[0]!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no message like ${subject}`);
    };
    const assigned = await task(/step "api" is yours/, 1);
    const first = JSON.parse((await hook('SilentHeron', ['claude-code', 'post-tool'], claudePostTool())).stdout).hookSpecificOutput.additionalContext as string;
    expect(first).toContain(`[handoff] ${assigned.subject} -> baton read ${assigned.id}`);

    // The agent fails its step; a human sends it back: the agent's next digest has the decision.
    await project.patterns.fail(started.workflowId, { name: 'SilentHeron' }, 'the schema is missing');
    for (let i = 0; i < 200 && !(await project.patterns.status(started.workflowId)).decision; i++) await new Promise((r) => setTimeout(r, 100));
    await project.patterns.approve(started.workflowId, { name: human }, 'schema is in db/schema.sql now');
    const decided = await task(/step "api" is yours/, 2);
    expect(decided.body).toContain(`${human} sends it back to you: schema is in db/schema.sql now`);
    const second = JSON.parse((await hook('SilentHeron', ['claude-code', 'post-tool'], claudePostTool())).stdout).hookSpecificOutput.additionalContext as string;
    expect(second).toContain(`[decision] ${decided.subject} -> baton read ${decided.id}`);
    expect(second).not.toContain(assigned.id);
    await project.patterns.cancel(started.workflowId, { name: human }, 'test over');
  }, 120_000);

  it('--auto-reserve takes a free file on the first edit and not again; a retired holder\'s leases no longer block', async () => {
    const edit = () => hook('BlueOtter', ['claude-code', 'pre-tool', '--auto-reserve'], claudeWrite('docs/api.md'));
    const first = await edit();
    expect(JSON.parse(first.stdout).systemMessage).toMatch(/^Baton reserved docs\/api\.md for you until \S+Z \(in 1h\)/);
    const mine = await project.reservations.list({ holder: 'BlueOtter' });
    expect(mine.reservations.map((r) => r.pattern)).toEqual(['docs/api.md']);
    expect(await edit()).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await project.reservations.audit({ holder: 'BlueOtter' })).entries.map((e) => e.action)).toEqual(['grant']);

    // Retiring IndigoFirefly releases its leases: the edit it blocked goes ahead.
    const retired = await project.agents.retire(member(human), 'IndigoFirefly');
    expect(retired.released.map((r) => r.pattern).sort()).toEqual(['pkg', 'src/auth/**']);
    expect(await hook('BlueOtter', ['claude-code', 'pre-tool'], claudeWrite('pkg/x.ts'))).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('says "not checked" for a project that does not exist, and lets the edit go (or refuses under BATON_HOOKS_OFFLINE=block)', async () => {
    const typo = (offline: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(BATON, ['hooks', 'run', 'claude-code', 'pre-tool'], {
          cwd: repo,
          env: { ...process.env, BATON_SERVER: api.url, BATON_PROJECT: `${key}-typo`, BATON_AGENT: 'BlueOtter', BATON_TOKEN: agents.BlueOtter!.token, BATON_HOOKS_OFFLINE: offline },
        });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
        child.stdin.end(JSON.stringify(claudeWrite('src/x.ts')));
      });
    const lost = await typo('');
    expect(lost.code).toBe(0);
    expect(JSON.parse(lost.stdout).systemMessage).toMatch(new RegExp(`^baton: edit of src/x\\.ts not checked against reservations: no such project \\(No project ${key}-typo\\. Create it with`));
    const blocked = JSON.parse((await typo('block')).stdout).hookSpecificOutput;
    expect(blocked.permissionDecision).toBe('deny');
    expect(blocked.permissionDecisionReason).toContain(`Baton could not check this edit of src/x.ts against other agents' reservations: no such project (No project ${key}-typo`);
  }, 60_000);
});
