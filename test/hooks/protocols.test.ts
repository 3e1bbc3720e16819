/**
 * Each agent's documented hook input in, the exact stdout and exit code out (runHook is what
 * `baton hooks run` prints). Inputs follow the samples in each agent's hook reference (see the protocol
 * modules for the sources); the backend is an in-memory Baton with real glob matching.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHook } from '../../src/hooks/run';
import type { HookEvent, Program } from '../../src/hooks/protocol';
import { FakeBaton, SilentBaton, type FakeState } from './fake-baton';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
let repo: string;

beforeAll(() => {
  // realpath: on some systems the temp dir is reached through a symlink, and agents send real paths.
  repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-hooks-')));
  execFileSync('git', ['init', '-q'], { cwd: repo });
});
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

function baton(extra: Partial<FakeState> = {}): FakeBaton {
  return new FakeBaton({
    me: 'BlueOtter',
    leases: [{ id: 'r-1', holder: 'AmberFalcon', pattern: 'src/auth/**', expiresAt: '2030-01-01T00:29:00.000Z', reason: 'rewriting the login flow' }],
    attention: [],
    shown: [],
    ...extra,
  });
}

const run = (program: Program, event: HookEvent | undefined, input: unknown, backend: FakeBaton | SilentBaton, options: { autoReserve?: boolean; offline?: 'allow' | 'block'; timeoutMs?: number } = {}) =>
  runHook(program, event, typeof input === 'string' ? input : JSON.stringify(input), backend, { ...options, cwd: repo, now: () => NOW });

/** The refusal for src/auth/login.ts under AmberFalcon's lease, written out by hand. */
const LOGIN_REFUSED = [
  "Baton refused this edit: src/auth/login.ts is under AmberFalcon's exclusive reservation.",
  '  src/auth/login.ts: held by AmberFalcon via "src/auth/**" until 2030-01-01T00:29:00.000Z (in 29m), reason "rewriting the login flow" [r-1]',
  'Do not edit these files now. Instead:',
  '  - work on something else and retry after the lease expires (in 29m);',
  '  - or ask AmberFalcon to release it: baton send AmberFalcon --subject "May I edit src/auth/login.ts?" --body "I need to change these files; please release them when you can."',
  '    (if AmberFalcon\'s contact policy refuses you: baton contact request AmberFalcon --note "May I edit src/auth/login.ts?")',
  '  - or, if the holder is gone, ask a human to run: baton force-release r-1 --reason "<why>"',
].join('\n');

const claudePreToolUse = (toolName: string, toolInput: Record<string, unknown>) => ({
  session_id: 'abc123',
  transcript_path: '/home/user/.claude/projects/demo/00893aaf.jsonl',
  cwd: repo,
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: toolName,
  tool_input: toolInput,
  tool_use_id: 'toolu_01ABC123',
});

describe('Claude Code', () => {
  it('denies a Write to a file under another agent\'s lease with permissionDecision "deny" and the full reason, exit 0', async () => {
    const fake = baton();
    const out = await run('claude-code', 'pre-tool', claudePreToolUse('Write', { file_path: `${repo}/src/auth/login.ts`, content: 'export {}' }), fake);
    expect(out).toEqual({
      stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: LOGIN_REFUSED } }) + '\n',
      stderr: '',
      exitCode: 0,
    });
    expect(fake.calls.check).toEqual([['src/auth/login.ts']]);
  });

  it('lets an Edit of a free file through with no output (never "allow", which would skip the permission prompt)', async () => {
    const fake = baton();
    const out = await run('claude-code', 'pre-tool', claudePreToolUse('Edit', { file_path: `${repo}/src/api/users.ts`, old_string: 'a', new_string: 'b' }), fake);
    expect(out).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(fake.calls.check).toEqual([['src/api/users.ts']]);
  });

  it('reads NotebookEdit\'s notebook_path and MultiEdit\'s file_path', async () => {
    const fake = baton();
    const notebook = await run('claude-code', 'pre-tool', claudePreToolUse('NotebookEdit', { notebook_path: `${repo}/src/auth/analysis.ipynb`, new_source: 'x', cell_id: 'c1' }), fake);
    expect(JSON.parse(notebook.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    await run('claude-code', 'pre-tool', claudePreToolUse('MultiEdit', { file_path: `${repo}/README.md`, edits: [] }), fake);
    expect(fake.calls.check).toEqual([['src/auth/analysis.ipynb'], ['README.md']]);
  });

  it('passes unknown tools and files outside the repository through without asking Baton', async () => {
    const fake = baton();
    expect(await run('claude-code', 'pre-tool', claudePreToolUse('Bash', { command: 'rm -rf src/auth' }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await run('claude-code', 'pre-tool', claudePreToolUse('mcp__notes__write', { file_path: `${repo}/src/auth/x.ts` }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await run('claude-code', 'pre-tool', claudePreToolUse('Write', { file_path: '/etc/hosts', content: '' }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await run('claude-code', 'pre-tool', claudePreToolUse('Write', { file_path: `${repo}/.git/config`, content: '' }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(fake.calls.check).toEqual([]);
  });

  it('shows mail once after a tool call (additionalContext), and at a stop keeps the agent going once with decision "block"', async () => {
    const fake = baton({
      attention: [
        { id: 'm-1', kind: 'mail', urgent: true, summary: 'AmberFalcon: "Auth API ready"', action: 'baton read m-1' },
        { id: 'r-7', kind: 'lease-expiring', summary: 'your lease on src/api/** expires in 8m', action: 'baton renew r-7 --ttl 1h' },
      ],
    });
    const post = { session_id: 'abc123', cwd: repo, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: `${repo}/a.ts` }, tool_response: { success: true } };
    const digest = [
      'Baton: 2 items need your attention (each is shown once):',
      '  - [urgent mail] AmberFalcon: "Auth API ready" -> baton read m-1',
      '  - [lease expiring] your lease on src/api/** expires in 8m -> baton renew r-7 --ttl 1h',
    ].join('\n');
    expect(await run('claude-code', 'post-tool', post, fake)).toEqual({
      stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: digest } }) + '\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await run('claude-code', 'post-tool', post, fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });

    fake.state.attention.push({ id: 'm-2', kind: 'handoff', summary: 'BlueHeron handed you "payments": tests in test/pay', action: 'baton read m-2' });
    const stop = { session_id: 'abc123', cwd: repo, hook_event_name: 'Stop', stop_hook_active: false };
    expect(await run('claude-code', 'stop', stop, fake)).toEqual({
      stdout:
        JSON.stringify({
          decision: 'block',
          reason: 'Baton: 1 item needs your attention (each is shown once):\n  - [handoff] BlueHeron handed you "payments": tests in test/pay -> baton read m-2\nDeal with these (or say why they can wait) before you finish.',
        }) + '\n',
      stderr: '',
      exitCode: 0,
    });
    // Already kept going once this turn: let it stop, and do not spend (or lose) new items on it.
    fake.state.attention.push({ id: 'm-3', kind: 'decision', summary: 'alice approved "deploy"' });
    const before = fake.calls.attention;
    expect(await run('claude-code', 'stop', { ...stop, stop_hook_active: true }, fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(fake.calls.attention).toBe(before);
    const prompt = await run('claude-code', 'prompt', { session_id: 'abc123', cwd: repo, hook_event_name: 'UserPromptSubmit', prompt: 'go on' }, fake);
    expect(JSON.parse(prompt.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'UserPromptSubmit', additionalContext: expect.stringContaining('[decision] alice approved "deploy"') } });
  });

  it('says so and lets the edit go when Baton is unreachable; refuses it under BATON_HOOKS_OFFLINE=block', async () => {
    const input = claudePreToolUse('Write', { file_path: `${repo}/src/api/users.ts`, content: '' });
    const allowed = await run('claude-code', 'pre-tool', input, baton({ failWith: 'UNAVAILABLE' }));
    expect(allowed).toEqual({
      stdout:
        JSON.stringify({
          systemMessage:
            'baton: edit of src/api/users.ts not checked against reservations: cannot reach the Baton server (connect ECONNREFUSED 127.0.0.1:7300). It goes ahead (BATON_HOOKS_OFFLINE=block would refuse it).',
        }) + '\n',
      stderr: '',
      exitCode: 0,
    });
    const blocked = await run('claude-code', 'pre-tool', input, baton({ failWith: 'UNAVAILABLE' }), { offline: 'block' });
    const decision = JSON.parse(blocked.stdout).hookSpecificOutput;
    expect(blocked.exitCode).toBe(0);
    expect(decision.permissionDecision).toBe('deny');
    expect(decision.permissionDecisionReason).toBe(
      "Baton could not check this edit of src/api/users.ts against other agents' reservations: cannot reach the Baton server (connect ECONNREFUSED 127.0.0.1:7300).\n" +
        'This repository refuses edits that cannot be checked (BATON_HOOKS_OFFLINE=block). Wait until Baton answers again (a person can run `baton doctor`), or ask a person to set BATON_HOOKS_OFFLINE=allow.',
    );
  });

  it('gives up on a server that does not answer within the timeout, as "not checked"', async () => {
    const out = await run('claude-code', 'pre-tool', claudePreToolUse('Write', { file_path: `${repo}/src/api/users.ts`, content: '' }), new SilentBaton(), { timeoutMs: 20 });
    expect(JSON.parse(out.stdout).systemMessage).toBe(
      'baton: edit of src/api/users.ts not checked against reservations: cannot reach the Baton server (no answer within 20 ms (BATON_HOOKS_TIMEOUT_MS)). It goes ahead (BATON_HOOKS_OFFLINE=block would refuse it).',
    );
    expect(out.exitCode).toBe(0);
  });

  it('answers unreadable input with a notice, never a stack trace or a blocking exit code', async () => {
    const fake = baton();
    const notJson = await run('claude-code', 'pre-tool', '{"tool_name": ', fake);
    expect(notJson.exitCode).toBe(0);
    expect(JSON.parse(notJson.stdout).systemMessage).toMatch(/^baton: could not read the claude-code hook input \(stdin is not JSON .*\); not checked\. `baton hooks status claude-code` shows what is installed\.$/);
    const wrongEvent = await run('claude-code', 'pre-tool', { cwd: repo, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: {} }, fake);
    expect(JSON.parse(wrongEvent.stdout).systemMessage).toContain('PreToolUse input: hook_event_name');
    const noPath = await run('claude-code', 'pre-tool', claudePreToolUse('Write', { content: 'x' }), fake);
    expect(JSON.parse(noPath.stdout).systemMessage).toContain('Write tool_input: file_path');
    expect(fake.calls.check).toEqual([]);
  });
});

describe('Codex', () => {
  const patch = [
    '*** Begin Patch',
    '*** Add File: docs/new.md',
    '+hello',
    '*** Update File: src/api/users.ts',
    '*** Move to: src/auth/users.ts',
    '@@ export function users()',
    '-  return [];',
    '+  return list();',
    '*** Delete File: old.txt',
    '*** End Patch',
    '',
  ].join('\n');
  const preToolUse = (toolName: string, toolInput: unknown) => ({
    session_id: '0199a213-81c0-7800-8aa1-bbab2a035a53',
    turn_id: 'turn-1',
    transcript_path: null,
    cwd: repo,
    hook_event_name: 'PreToolUse',
    model: 'gpt-5.1-codex',
    permission_mode: 'default',
    tool_name: toolName,
    tool_input: toolInput,
    tool_use_id: 'call-apply-patch',
  });

  it('checks every file an apply_patch names (both sides of a move) and denies the reserved one', async () => {
    const fake = baton();
    const out = await run('codex', 'pre-tool', preToolUse('apply_patch', { command: patch }), fake);
    expect(fake.calls.check).toEqual([['docs/new.md', 'src/api/users.ts', 'src/auth/users.ts', 'old.txt']]);
    expect(out.exitCode).toBe(0);
    const answer = JSON.parse(out.stdout);
    expect(Object.keys(answer)).toEqual(['hookSpecificOutput']);
    expect(answer.hookSpecificOutput).toEqual({ hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: expect.any(String) });
    expect(answer.hookSpecificOutput.permissionDecisionReason).toContain('  src/auth/users.ts: held by AmberFalcon via "src/auth/**" until 2030-01-01T00:29:00.000Z (in 29m)');
  });

  it('lets a free patch through with no output, and passes shell commands through unchecked', async () => {
    const fake = baton();
    const free = patch.replace('*** Move to: src/auth/users.ts\n', '');
    expect(await run('codex', 'pre-tool', preToolUse('apply_patch', { command: free }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await run('codex', 'pre-tool', preToolUse('Bash', { command: 'ls' }), fake)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(fake.calls.check).toEqual([['docs/new.md', 'src/api/users.ts', 'old.txt']]);
  });

  it('with --auto-reserve reserves free files on first edit and tells the agent (additionalContext), not on the next edit', async () => {
    const fake = baton();
    const input = preToolUse('apply_patch', { command: '*** Begin Patch\n*** Update File: src/api/users.ts\n@@\n-a\n+b\n*** End Patch\n' });
    const first = await run('codex', 'pre-tool', input, fake, { autoReserve: true });
    expect(first).toEqual({
      stdout:
        JSON.stringify({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            additionalContext:
              'Baton reserved src/api/users.ts for you until 2030-01-01T01:00:00.000Z (in 1h), so no other agent edits it meanwhile. Release it when you are done: baton release --pattern "src/api/users.ts"',
          },
        }) + '\n',
      stderr: '',
      exitCode: 0,
    });
    expect(fake.calls.reserve).toEqual([{ paths: ['src/api/users.ts'], reason: 'editing with codex (apply_patch); reserved by the hook on first edit' }]);
    expect(await run('codex', 'pre-tool', input, fake, { autoReserve: true })).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(fake.calls.reserve).toHaveLength(1);
  });

  it('at a stop answers decision "block" with the digest; after a tool call, additionalContext', async () => {
    const fake = baton({ attention: [{ id: 'm-1', kind: 'mail', summary: 'AmberFalcon: "review done"', action: 'baton read m-1' }] });
    const stop = await run('codex', 'stop', { session_id: 's', turn_id: 't', cwd: repo, hook_event_name: 'Stop', model: 'gpt-5.1-codex', permission_mode: 'default', stop_hook_active: false, last_assistant_message: 'done' }, fake);
    expect(JSON.parse(stop.stdout)).toEqual({ decision: 'block', reason: expect.stringContaining('[mail] AmberFalcon: "review done" -> baton read m-1') });
    fake.state.attention.push({ id: 'm-2', kind: 'mail', summary: 'x' });
    const post = await run('codex', 'post-tool', { session_id: 's', cwd: repo, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: 'ok', tool_use_id: 'c' }, fake);
    expect(JSON.parse(post.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: expect.stringContaining('[mail] x') } });
  });
});

describe('Gemini CLI', () => {
  const beforeTool = (toolName: string, toolInput: Record<string, unknown>) => ({
    session_id: 'abc123',
    transcript_path: '/path/to/transcript.jsonl',
    cwd: repo,
    hook_event_name: 'BeforeTool',
    timestamp: '2025-12-01T10:30:00Z',
    tool_name: toolName,
    tool_input: toolInput,
  });

  it('denies write_file on a reserved file with decision "deny" and the reason, exit 0', async () => {
    const out = await run('gemini', 'pre-tool', beforeTool('write_file', { file_path: `${repo}/src/auth/login.ts`, content: '...' }), baton());
    expect(out).toEqual({ stdout: JSON.stringify({ decision: 'deny', reason: LOGIN_REFUSED }) + '\n', stderr: '', exitCode: 0 });
  });

  it('lets replace on a free file (relative path) through with "{}", and other tools unchecked', async () => {
    const fake = baton();
    expect(await run('gemini', 'pre-tool', beforeTool('replace', { file_path: 'src/api/users.ts', old_string: 'a', new_string: 'b' }), fake)).toEqual({ stdout: '{}\n', stderr: '', exitCode: 0 });
    expect(await run('gemini', 'pre-tool', beforeTool('run_shell_command', { command: 'ls' }), fake)).toEqual({ stdout: '{}\n', stderr: '', exitCode: 0 });
    expect(fake.calls.check).toEqual([['src/api/users.ts']]);
  });

  it('shows the digest after a tool (AfterTool additionalContext) and at AfterAgent with decision "deny" (a retry prompt)', async () => {
    const fake = baton({ attention: [{ id: 'm-1', kind: 'mail', summary: 'a' }, { id: 'm-2', kind: 'mail', summary: 'b' }] });
    const after = await run('gemini', 'post-tool', { session_id: 's', cwd: repo, hook_event_name: 'AfterTool', timestamp: 't', tool_name: 'read_file', tool_input: { file_path: 'x' }, tool_response: 'contents' }, fake);
    expect(JSON.parse(after.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'AfterTool', additionalContext: expect.stringContaining('[mail] b') } });
    fake.state.attention.push({ id: 'm-3', kind: 'decision', summary: 'c' });
    const stop = await run('gemini', 'stop', { session_id: 's', cwd: repo, hook_event_name: 'AfterAgent', timestamp: 't', prompt: 'p', prompt_response: 'r', stop_hook_active: false }, fake);
    expect(JSON.parse(stop.stdout)).toEqual({ decision: 'deny', reason: expect.stringContaining('[decision] c') });
    const prompt = await run('gemini', 'prompt', { session_id: 's', cwd: repo, hook_event_name: 'BeforeAgent', timestamp: 't', prompt: 'hi' }, fake);
    expect(prompt).toEqual({ stdout: '{}\n', stderr: '', exitCode: 0 });
  });

  it('notes an unreachable server on stderr after a tool call, without interrupting anyone', async () => {
    const out = await run('gemini', 'post-tool', { session_id: 's', cwd: repo, hook_event_name: 'AfterTool', tool_name: 'x', tool_input: {} }, baton({ failWith: 'UNAVAILABLE' }));
    expect(out).toEqual({ stdout: '{}\n', stderr: 'baton: could not fetch your messages and lease warnings: cannot reach the Baton server (connect ECONNREFUSED 127.0.0.1:7300).\n', exitCode: 0 });
  });
});

describe('generic', () => {
  it('denies with exit 2 and a JSON decision, allows with exit 0', async () => {
    const fake = baton();
    const denied = await run('generic', 'pre-tool', { tool: 'edit', paths: ['src/auth/login.ts'], cwd: repo }, fake);
    expect(denied).toEqual({ stdout: JSON.stringify({ decision: 'deny', reason: LOGIN_REFUSED }) + '\n', stderr: '', exitCode: 2 });
    const allowed = await run('generic', undefined, { event: 'pre-tool', paths: [`${repo}/src/api/users.ts`] }, fake);
    expect(allowed).toEqual({ stdout: '{"decision":"allow"}\n', stderr: '', exitCode: 0 });
    expect(fake.calls.check).toEqual([['src/auth/login.ts'], ['src/api/users.ts']]);
  });

  it('names every holder and says who will not answer when a holder is retired', async () => {
    const fake = baton({
      leases: [
        { id: 'r-1', holder: 'AmberFalcon', pattern: 'src/auth/**', expiresAt: '2030-01-01T02:00:00.000Z', reason: 'auth', holderState: 'retired' },
        { id: 'r-2', holder: 'CalmRiver', pattern: 'docs', expiresAt: '2030-01-01T01:59:30.000Z', reason: 'docs pass' },
      ],
    });
    const out = await run('generic', 'pre-tool', { paths: ['src/auth/a.ts', 'docs'] }, fake);
    expect(JSON.parse(out.stdout).reason).toBe(
      [
        "Baton refused this edit: 2 files are under other members' exclusive reservation.",
        '  src/auth/a.ts: held by AmberFalcon (AmberFalcon is retired) via "src/auth/**" until 2030-01-01T02:00:00.000Z (in 2h), reason "auth" [r-1]',
        '  docs: held by CalmRiver via "docs" until 2030-01-01T01:59:30.000Z (in 2h), reason "docs pass" [r-2]',
        'Do not edit these files now. Instead:',
        '  - work on something else and retry after the lease expires (in 2h);',
        '  - or ask CalmRiver to release it: baton send CalmRiver --subject "May I edit docs?" --body "I need to change these files; please release them when you can."',
        '    (if CalmRiver\'s contact policy refuses you: baton contact request CalmRiver --note "May I edit docs?")',
        '  - or (AmberFalcon will not answer) ask a human to run: baton force-release r-1 r-2 --reason "<why>"',
      ].join('\n'),
    );
  });

  it('says when a path is free: after the last lease over it ends, not the first', async () => {
    const fake = baton({
      leases: [
        { id: 'r-1', holder: 'AmberFalcon', pattern: 'src/api/users.ts', expiresAt: '2030-01-01T01:00:00.000Z', reason: 'step api' },
        { id: 'r-2', holder: 'AmberFalcon', pattern: 'src/api/**', expiresAt: '2030-01-01T08:00:00.000Z', reason: 'auth endpoint' },
      ],
    });
    const out = await run('generic', 'pre-tool', { paths: ['src/api/users.ts'] }, fake);
    expect(JSON.parse(out.stdout).reason).toContain('retry after the lease expires (in 8h)');
  });

  it('gives context after a step and at a stop without refusing the stop', async () => {
    const fake = baton({ attention: [{ id: 'm-1', kind: 'mail', summary: 'hello' }] });
    const out = await run('generic', 'stop', {}, fake);
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ decision: 'allow', context: expect.stringContaining('[mail] hello') });
  });

  it('refuses nothing on input it cannot read, and says why', async () => {
    const out = await run('generic', undefined, { paths: ['a'] }, baton());
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ decision: 'allow', notice: expect.stringContaining('say which event') });
    const mismatch = await run('generic', 'stop', { event: 'pre-tool' }, baton());
    expect(JSON.parse(mismatch.stdout).notice).toContain('the input says event "pre-tool" but the command says "stop"');
  });
});
