/**
 * Mistakes a new user makes on the command line, through the real `bin/baton` (no terminal, no server
 * needed: each is refused before anything is asked of one): the error is `error [CODE] ...` naming
 * the flag or argument and what to do, with its documented exit code, never a stack trace.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';
import { EXIT_CODES } from '../../src/domain/errors';
import type { CliRun } from '../support/cli';

const BIN = path.resolve(__dirname, '../../bin/baton');
let dir: string;

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-usage-')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `bin/baton` in a shell with no identity, stores of its own, and a server nobody listens on. */
function baton(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BATON_')) env[k] = v;
  Object.assign(env, { NO_COLOR: '1', XDG_CONFIG_HOME: dir, BATON_SERVER: 'http://127.0.0.1:9', BATON_PROJECT: 'acme/web' }, options.env);
  return new Promise((resolve) => {
    const child = execFile(BIN, args, { env, cwd: options.cwd ?? dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

function expectInvalid(run: CliRun, message: string): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: EXIT_CODES.INVALID_INPUT, stderr: expect.stringContaining(`error [INVALID_INPUT] ${message}`) });
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('baton release with a path where an id goes', () => {
  it('is refused with the --pattern form to use (it would match no id and read as "already released")', async () => {
    expectInvalid(await baton(['release', 'src/auth/login.ts']), 'ids: "src/auth/login.ts" is not a reservation id (r-..., from `baton reservations`); to release what you reserved with that pattern: baton release --pattern "src/auth/login.ts"');
  });
});

describe('numeric flags: a bad value names the flag, exit 2, no stack trace', () => {
  const cases: [string[], string][] = [
    [['inbox', '--wait', 'abc'], '--wait: must be a number of seconds, 0 or more (got "abc")'],
    [['inbox', '--wait', '-1'], '--wait: must be a number of seconds, 0 or more (got "-1")'],
    [['inbox', '--limit', 'abc'], '--limit: must be a positive whole number (got "abc")'],
    [['outbox', '--limit', '-3'], '--limit: must be a positive whole number (got "-3")'],
    [['agents', '--limit', 'abc'], '--limit: must be a positive whole number (got "abc")'],
    [['reservations', '--limit', '2.5'], '--limit: must be a positive whole number (got "2.5")'],
    [['reservations', '--audit', '--limit', '0'], '--limit: must be a positive whole number (got "0")'],
    [['start', 'code-review', '--max-revisions', 'abc'], '--max-revisions: must be a whole number, 0 or more (got "abc")'],
    [['start', 'emergency-response', '--max-reopens', '-1'], '--max-reopens: must be a whole number, 0 or more (got "-1")'],
    [['start', 'full-stack-feature', '--max-revisions', 'two'], '--max-revisions: must be a whole number, 0 or more (got "two")'],
  ];
  it.each(cases)('baton %j', async (args, message) => {
    expectInvalid(await baton(args), message);
  });

  it('--json: the same error as JSON on stderr', async () => {
    const run = await baton(['inbox', '--json', '--limit', 'abc']);
    expect(run.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(JSON.parse(run.stderr)).toEqual({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('--limit: must be a positive whole number') } });
  });
});

describe('baton login without a terminal', () => {
  it('names BATON_HUMAN_TOKEN, the way scripts give the token', async () => {
    expectInvalid(await baton(['login']), 'token: no terminal to ask on; set BATON_HUMAN_TOKEN');
  });
});

describe('README references in help texts', () => {
  /** Every command's full help (with the text added after it), depth first. */
  function helps(command: Command): string[] {
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    command.outputHelp();
    return [text, ...command.commands.flatMap(helps)];
  }

  it('each names a section the README has', () => {
    const headings = new Set(
      fs
        .readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => l.replace(/^#+\s*/, '').trim()),
    );
    const cited = helps(buildProgram()).flatMap((text) => [...text.replace(/\s+/g, ' ').matchAll(/README, "([^"]+)"/g)].map((m) => m[1]!));
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((section) => !headings.has(section))).toEqual([]);
  });
});

describe('baton hooks install/uninstall', () => {
  it('without a program: lists the programs', async () => {
    for (const verb of ['install', 'uninstall']) {
      expectInvalid(await baton(['hooks', verb]), `program: name the agent's program; one of claude-code, codex, gemini, generic (e.g. baton hooks ${verb} claude-code)`);
    }
  });

  it('uninstall says "removed" when it deleted the settings file (and its empty directory), "updated" when it kept it', async () => {
    const repo = fs.mkdtempSync(path.join(dir, 'repo-'));
    fs.mkdirSync(path.join(repo, '.git'));
    const settings = path.join(repo, '.claude', 'settings.json');

    expect((await baton(['hooks', 'install', 'claude-code'], { cwd: repo })).stdout.split('\n')[0]).toBe(`claude-code  ${settings}  updated`);
    const removed = await baton(['hooks', 'uninstall', 'claude-code'], { cwd: repo });
    expect(removed.code).toBe(0);
    expect(removed.stdout.split('\n')[0]).toBe(`claude-code  ${settings}  removed`);
    expect(fs.existsSync(path.join(repo, '.claude'))).toBe(false);

    // A file with settings of its own stays, without Baton's hooks.
    fs.mkdirSync(path.dirname(settings));
    fs.writeFileSync(settings, '{ "model": "opus" }\n');
    await baton(['hooks', 'install', 'claude-code'], { cwd: repo });
    expect((await baton(['hooks', 'uninstall', 'claude-code'], { cwd: repo })).stdout.split('\n')[0]).toBe(`claude-code  ${settings}  updated`);
    expect(JSON.parse(fs.readFileSync(settings, 'utf8'))).toEqual({ model: 'opus' });
  });
});
