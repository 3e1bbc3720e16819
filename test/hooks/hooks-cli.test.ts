/**
 * The hook as the agent runs it: a process that reads the event JSON on stdin and answers with stdout and
 * an exit code. Exit codes matter: Claude Code, Codex and Gemini CLI all read exit 2 as "block".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FakeState } from './fake-baton';

let repo: string;
let stateFile: string;

beforeAll(() => {
  repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-hooks-cli-')));
  fs.mkdirSync(path.join(repo, '.git'));
  stateFile = path.join(repo, 'fake-baton.json');
});
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

function setState(extra: Partial<FakeState> = {}): void {
  const state: FakeState = {
    me: 'BlueOtter',
    leases: [{ id: 'r-1', holder: 'AmberFalcon', pattern: 'src/auth/**', expiresAt: '2099-01-01T00:00:00.000Z', reason: 'rewriting the login flow' }],
    attention: [],
    shown: [],
    ...extra,
  };
  fs.writeFileSync(stateFile, JSON.stringify(state));
}

function hook(args: string[], stdin: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'hooks-cli.ts'), 'hooks', 'run', ...args], {
      cwd: repo,
      env: { ...process.env, FAKE_BATON_STATE: stateFile, NO_COLOR: '1', BATON_HOOKS_OFFLINE: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const write = (file: string) =>
  JSON.stringify({ session_id: 's', cwd: repo, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: path.join(repo, file), content: '' }, tool_use_id: 't' });

describe('baton hooks run (as a process)', () => {
  it('Claude Code: a reserved file is denied (JSON, exit 0), a free one passes (no output, exit 0)', async () => {
    setState();
    const denied = await hook(['claude-code', 'pre-tool'], write('src/auth/login.ts'));
    expect(denied.code).toBe(0);
    expect(denied.stderr).toBe('');
    const answer = JSON.parse(denied.stdout);
    expect(answer.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(answer.hookSpecificOutput.permissionDecisionReason).toContain('src/auth/login.ts: held by AmberFalcon via "src/auth/**"');
    expect(await hook(['claude-code', 'pre-tool'], write('src/api/users.ts'))).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('generic: exit 2 with {"decision":"deny"} for a reserved path, exit 0 otherwise; the event may come from the input', async () => {
    setState();
    const denied = await hook(['generic', 'pre-tool'], JSON.stringify({ paths: ['src/auth/login.ts'] }));
    expect(denied.code).toBe(2);
    expect(JSON.parse(denied.stdout).decision).toBe('deny');
    expect(await hook(['generic'], JSON.stringify({ event: 'pre-tool', paths: ['README.md'] }))).toEqual({ code: 0, stdout: '{"decision":"allow"}\n', stderr: '' });
  });

  it('shows an item once across hook processes', async () => {
    setState({ attention: [{ id: 'm-1', kind: 'mail', summary: 'AmberFalcon: "hi"', action: 'baton read m-1' }] });
    const post = JSON.stringify({ session_id: 's', cwd: repo, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: {} });
    const first = await hook(['claude-code', 'post-tool'], post);
    expect(JSON.parse(first.stdout).hookSpecificOutput.additionalContext).toContain('[mail] AmberFalcon: "hi" -> baton read m-1');
    expect(await hook(['claude-code', 'post-tool'], post)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('BATON_HOOKS_OFFLINE=block refuses an edit the server cannot check; a bad setting is named and ignored', async () => {
    setState({ failWith: 'UNAVAILABLE' });
    const blocked = await hook(['claude-code', 'pre-tool'], write('src/api/users.ts'), { BATON_HOOKS_OFFLINE: 'block' });
    expect(blocked.code).toBe(0);
    expect(JSON.parse(blocked.stdout).hookSpecificOutput.permissionDecisionReason).toMatch(/^Baton could not check this edit of src\/api\/users\.ts/);
    const lenient = await hook(['claude-code', 'pre-tool'], write('src/api/users.ts'), { BATON_HOOKS_OFFLINE: 'sometimes' });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toBe('baton: BATON_HOOKS_OFFLINE=sometimes is neither allow nor block; using allow.\n');
    expect(JSON.parse(lenient.stdout).systemMessage).toContain('not checked against reservations: cannot reach the Baton server');
  });

  it('a mistyped program or event is a non-blocking hook error (exit 1), never exit 2; an unknown flag does not stop the check', async () => {
    setState();
    expect(await hook(['claude-code', 'pre-tol'], write('src/auth/login.ts'))).toEqual({
      code: 1,
      stdout: '',
      stderr: 'baton hooks run: "pre-tol" is not one of pre-tool, post-tool, prompt, stop; not checked.\n',
    });
    expect((await hook(['claud', 'pre-tool'], '{}')).code).toBe(1);
    const flagged = await hook(['claude-code', 'pre-tool', '--auto-reserv'], write('src/auth/login.ts'));
    expect(flagged.code).toBe(0);
    expect(JSON.parse(flagged.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });
});
