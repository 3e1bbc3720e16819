/**
 * install / uninstall / status on a temporary repository whose agent settings already hold other people's
 * hooks and settings: those stay byte for byte, install is idempotent, uninstall gives the file back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { install, readBatonCommand, status, uninstall } from '../../src/hooks/install';

let repo: string;
let bin: string;
/** PATH with a `baton` on it, so status has no PATH warning unless a test wants one. */
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-install-'));
  fs.mkdirSync(path.join(repo, '.git'));
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bin-'));
  fs.writeFileSync(path.join(bin, 'baton'), '#!/bin/sh\n', { mode: 0o755 });
  env = { PATH: bin };
});
afterEach(() => {
  fs.rmSync(repo, { recursive: true, force: true });
  fs.rmSync(bin, { recursive: true, force: true });
});

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
};
const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');
const states = (s: ReturnType<typeof status>) => s.entries.map((e) => `${e.agentEvent}:${e.state}`);

const CLAUDE_SETTINGS = `{
  "model": "opus",
  "permissions": { "allow": ["Bash(npm test)"], "deny": [] },
  "hooks": {
    "PreToolUse": [
      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "./scripts/check-bash.sh" }] }
    ],
    "Stop": [
      {
        "hooks": [
          { "type": "command", "command": "notify-send done", "timeout": 5 }
        ]
      }
    ]
  },
  "env": { "FOO": "1" }
}
`;

describe('claude-code', () => {
  it('merges into existing settings, is idempotent, and uninstall gives the file back byte for byte', () => {
    write('.claude/settings.json', CLAUDE_SETTINGS);
    const installed = install('claude-code', repo, { env });
    expect(installed.changed).toBe(true);
    expect(states(installed)).toEqual(['PreToolUse:installed', 'PostToolUse:installed', 'UserPromptSubmit:installed', 'Stop:installed']);
    expect(installed.warnings).toEqual([]);

    const settings = JSON.parse(read('.claude/settings.json'));
    expect(settings.model).toBe('opus');
    expect(settings.env).toEqual({ FOO: '1' });
    expect(settings.hooks.PreToolUse).toEqual([
      { matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/check-bash.sh' }] },
      { matcher: 'Write|Edit|MultiEdit|NotebookEdit', hooks: [{ type: 'command', command: 'baton hooks run claude-code pre-tool', timeout: 10 }] },
    ]);
    expect(settings.hooks.PostToolUse).toEqual([{ matcher: '*', hooks: [{ type: 'command', command: 'baton hooks run claude-code post-tool', timeout: 10 }] }]);
    expect(settings.hooks.UserPromptSubmit).toEqual([{ hooks: [{ type: 'command', command: 'baton hooks run claude-code prompt', timeout: 10 }] }]);
    expect(settings.hooks.Stop).toEqual([
      { hooks: [{ type: 'command', command: 'notify-send done', timeout: 5 }] },
      { hooks: [{ type: 'command', command: 'baton hooks run claude-code stop', timeout: 10 }] },
    ]);
    // The one-line neighbour keeps its line: new entries start on lines of their own.
    expect(read('.claude/settings.json')).toContain('      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "./scripts/check-bash.sh" }] },\n      {\n        "matcher": "Write|Edit|MultiEdit|NotebookEdit",');

    const once = read('.claude/settings.json');
    const again = install('claude-code', repo, { env });
    expect(again.changed).toBe(false);
    expect(read('.claude/settings.json')).toBe(once);

    const removed = uninstall('claude-code', repo, env);
    expect(removed.changed).toBe(true);
    expect(states(removed)).toEqual(['PreToolUse:missing', 'PostToolUse:missing', 'UserPromptSubmit:missing', 'Stop:missing']);
    expect(read('.claude/settings.json')).toBe(CLAUDE_SETTINGS);
    expect(uninstall('claude-code', repo, env).changed).toBe(false);
  });

  it('reports an entry someone altered, restores it on install, and switches --auto-reserve on and off', () => {
    install('claude-code', repo, { env });
    const edited = read('.claude/settings.json').replace('"matcher": "Write|Edit|MultiEdit|NotebookEdit"', '"matcher": "Write"').replace('"timeout": 10\n          }\n        ]\n      }\n    ],\n    "UserPromptSubmit"', '"timeout": 99\n          }\n        ]\n      }\n    ],\n    "UserPromptSubmit"');
    fs.writeFileSync(path.join(repo, '.claude/settings.json'), edited);
    const s = status('claude-code', repo, env);
    expect(states(s)).toEqual(['PreToolUse:altered', 'PostToolUse:altered', 'UserPromptSubmit:installed', 'Stop:installed']);
    expect(s.entries[0]!.detail).toBe('matcher is "Write", not "Write|Edit|MultiEdit|NotebookEdit"');
    expect(s.entries[1]!.detail).toBe('timeout is 99, not 10');
    expect(s.warnings).toEqual(["Baton's PreToolUse, PostToolUse entries were changed by hand or by another tool; `baton hooks install claude-code` restores them."]);

    const restored = install('claude-code', repo, { env, autoReserve: true });
    expect(states(restored)).toEqual(['PreToolUse:installed', 'PostToolUse:installed', 'UserPromptSubmit:installed', 'Stop:installed']);
    expect(restored.entries[0]).toMatchObject({ command: 'baton hooks run claude-code pre-tool --auto-reserve', autoReserve: true });
    expect(JSON.parse(read('.claude/settings.json')).hooks.PreToolUse).toHaveLength(1);
    const off = install('claude-code', repo, { env });
    expect(off.changed).toBe(true);
    expect(off.entries[0]).toMatchObject({ command: 'baton hooks run claude-code pre-tool', autoReserve: false });

    // Baton created the file, so uninstall removes it (and its now empty directory).
    uninstall('claude-code', repo, env);
    expect(fs.existsSync(path.join(repo, '.claude'))).toBe(false);
  });

  it('keeps tab indentation and CRLF line ends, and leaves someone else\'s hook in a group it shares with Baton\'s', () => {
    const tabbed = '{\r\n\t"hooks": {\r\n\t\t"PostToolUse": []\r\n\t}\r\n}\r\n';
    write('.claude/settings.json', tabbed);
    install('claude-code', repo, { env });
    const text = read('.claude/settings.json');
    expect(text).toContain('\r\n\t\t"PostToolUse": [\r\n\t\t\t{\r\n\t\t\t\t"matcher": "*",');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    // Someone adds their own handler to Baton's Stop group: uninstall keeps it and the group.
    const shared = JSON.parse(text);
    shared.hooks.Stop[0].hooks.push({ type: 'command', command: 'say done' });
    fs.writeFileSync(path.join(repo, '.claude/settings.json'), JSON.stringify(shared, null, '\t'));
    uninstall('claude-code', repo, env);
    // The empty PostToolUse list that only Baton's entry filled goes with it (an absent list means the same).
    expect(JSON.parse(read('.claude/settings.json')).hooks).toEqual({ Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] });
  });

  it('refuses settings that are not JSON, or whose hooks are not an object, and changes nothing', () => {
    write('.claude/settings.json', '{ "model": "opus", }}');
    expect(() => install('claude-code', repo, { env })).toThrow('.claude/settings.json is not valid JSON (EndOfFileExpected at line 1, column 21); fix it, then run the command again. Nothing was changed.');
    write('.claude/settings.json', '{ "hooks": [] }\n');
    expect(() => install('claude-code', repo, { env })).toThrow('"hooks" in .claude/settings.json is not an object; fix it, then install again. Nothing was changed.');
    expect(read('.claude/settings.json')).toBe('{ "hooks": [] }\n');
  });

  it('warns when Baton is not on PATH, when hooks are disabled, and refuses a --command that is not Baton', () => {
    write('.claude/settings.json', '{ "disableAllHooks": true }\n');
    const s = install('claude-code', repo, { env: { PATH: '/nonexistent' } });
    expect(s.warnings).toEqual([
      '.claude/settings.json sets "disableAllHooks": true: Claude Code runs no hooks, Baton\'s included.',
      '`baton` is not on PATH here: the agent cannot run Baton\'s hooks (and edits go ahead unchecked). Put Baton\'s bin/ on PATH, or install with --command <path to bin/baton>.',
    ]);
    expect(install('claude-code', repo, { env: { PATH: '/nonexistent' }, command: '/opt/baton/bin/baton' }).entries[0]!.command).toBe('/opt/baton/bin/baton hooks run claude-code pre-tool');
    expect(() => install('claude-code', repo, { env, command: 'rm -rf /' })).toThrow('--command "rm -rf /" does not run Baton');
  });
});

describe('codex', () => {
  it('writes .codex/hooks.json next to an untouched config.toml, warns about [hooks] there, and removes .codex/hooks.json again', () => {
    const toml = '# my codex\nmodel = "gpt-5.1-codex"\n\n[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "echo bye"\n';
    write('.codex/config.toml', toml);
    const s = install('codex', repo, { env, autoReserve: true });
    expect(states(s)).toEqual(['PreToolUse:installed', 'PostToolUse:installed', 'UserPromptSubmit:installed', 'Stop:installed']);
    expect(JSON.parse(read('.codex/hooks.json'))).toEqual({
      hooks: {
        PreToolUse: [{ matcher: 'apply_patch', hooks: [{ type: 'command', command: 'baton hooks run codex pre-tool --auto-reserve', timeout: 10 }] }],
        PostToolUse: [{ hooks: [{ type: 'command', command: 'baton hooks run codex post-tool', timeout: 10 }] }],
        UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'baton hooks run codex prompt', timeout: 10 }] }],
        Stop: [{ hooks: [{ type: 'command', command: 'baton hooks run codex stop', timeout: 10 }] }],
      },
    });
    expect(s.warnings).toEqual(['.codex/config.toml also declares [hooks]: Codex runs both those and .codex/hooks.json, and warns that one layer uses two forms.']);
    expect(s.notes[0]).toContain('open `/hooks` in Codex and trust Baton\'s hooks');
    uninstall('codex', repo, env);
    expect(fs.existsSync(path.join(repo, '.codex/hooks.json'))).toBe(false);
    expect(read('.codex/config.toml')).toBe(toml);
  });

  it('says when config.toml turns hooks off', () => {
    write('.codex/config.toml', '[features]\nhooks = false\n');
    expect(status('codex', repo, env).warnings).toEqual(['.codex/config.toml turns hooks off ([features] hooks = false): Codex runs no hooks, Baton\'s included.']);
  });
});

describe('gemini', () => {
  it('merges into settings with comments, names its hooks, and gives the file back on uninstall', () => {
    const settings = '{\n  // team settings\n  "general": { "vimMode": true },\n  "hooks": {\n    "BeforeTool": [\n      {\n        "matcher": "run_shell_command",\n        "hooks": [{ "name": "audit", "type": "command", "command": "./audit.sh" }]\n      }\n    ]\n  }\n}\n';
    write('.gemini/settings.json', settings);
    const s = install('gemini', repo, { env });
    expect(states(s)).toEqual(['BeforeTool:installed', 'AfterTool:installed', 'BeforeAgent:installed', 'AfterAgent:installed']);
    const text = read('.gemini/settings.json');
    expect(text.startsWith('{\n  // team settings\n  "general": { "vimMode": true },')).toBe(true);
    expect(text).toContain(
      [
        '      {',
        '        "matcher": "write_file|replace",',
        '        "hooks": [',
        '          {',
        '            "name": "baton-pre-tool",',
        '            "type": "command",',
        '            "command": "baton hooks run gemini pre-tool",',
        '            "timeout": 10000,',
        '            "description": "Baton: refuse edits of files another agent reserved"',
      ].join('\n'),
    );
    uninstall('gemini', repo, env);
    expect(read('.gemini/settings.json')).toBe(settings);
  });

  it('warns when the hooks system or Baton\'s hooks are disabled', () => {
    write('.gemini/settings.json', '{ "hooksConfig": { "enabled": false, "disabled": ["baton-pre-tool"] } }');
    expect(status('gemini', repo, env).warnings).toEqual([
      '.gemini/settings.json turns the hooks system off (hooksConfig.enabled = false): Gemini CLI runs no hooks, Baton\'s included.',
      '.gemini/settings.json disables baton-pre-tool (hooks disabled list); `/hooks enable <name>` in Gemini CLI turns them back on.',
    ]);
  });
});

describe('generic', () => {
  it('has nothing to write and says how to call Baton instead', () => {
    const s = install('generic', repo, { env });
    expect(s).toMatchObject({ program: 'generic', file: null, entries: [], changed: false });
    expect(s.notes.join('\n')).toContain('baton hooks run generic pre-tool');
  });
});

describe('recognising Baton\'s commands', () => {
  it('reads the base, program, event and flags, and nothing that merely mentions baton', () => {
    expect(readBatonCommand('npx baton hooks run codex pre-tool --auto-reserve')).toEqual({ base: 'npx baton', program: 'codex', event: 'pre-tool', autoReserve: true });
    expect(readBatonCommand('/opt/baton/bin/baton hooks run gemini stop')).toEqual({ base: '/opt/baton/bin/baton', program: 'gemini', event: 'stop', autoReserve: false });
    expect(readBatonCommand('echo baton hooks run codex pre-tool; rm x')).toBeUndefined();
    expect(readBatonCommand('mybaton hooks run codex stop')).toBeUndefined();
    expect(readBatonCommand('baton hooks run codex deploy')).toBeUndefined();
  });
});
