import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningApi } from '../../src/api/main';
import { member } from '../../src/schemas/actor';
import { createTestContext, type TestContext, type TestProject } from '../support/temporal';
import { install, status, uninstall } from '../../src/guard/hooks';
import { parseNameStatus } from '../../src/guard/git';

const BATON = path.resolve(__dirname, '../../bin/baton');

describe('git guard (real repository, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  /** Tokens by member name: the hook acts as BATON_AGENT with its BATON_TOKEN (the Baton server checks it). */
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-guard-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sh = (cwd: string, cmd: string, args: string[]) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const write = (repo: string, file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), text);
  };

  function makeRepo(name = 'repo'): string {
    const repo = path.join(dir, name);
    fs.mkdirSync(repo);
    sh(repo, 'git', ['init', '-q', '-b', 'main']);
    sh(repo, 'git', ['config', 'user.email', 'agents@example.com']);
    sh(repo, 'git', ['config', 'user.name', 'Agents']);
    write(repo, 'src/auth/login.ts', 'export {};\n');
    write(repo, 'src/auth/old.ts', 'export {};\n');
    write(repo, 'README.md', '# x\n');
    sh(repo, 'git', ['add', '.']);
    sh(repo, 'git', ['commit', '-qm', 'init', '--no-verify']);
    return repo;
  }

  /** Someone else's hook that must keep working: it records each run. */
  function preExistingHook(repo: string): { file: string; content: string; runs: () => number } {
    const log = path.join(dir, `${path.basename(repo)}-hook.log`);
    const file = path.join(repo, '.git', 'hooks', 'pre-commit');
    const content = `#!/bin/sh\n# the team's lint hook\necho ran >> '${log}'\nexit 0\n`;
    fs.writeFileSync(file, content, { mode: 0o755 });
    return { file, content, runs: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0) };
  }

  /**
   * Run a command without blocking the event loop: the Baton worker answering the hook's query runs in
   * this very process.
   */
  function run(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(args[0]!, args.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stderr }));
    });
  }

  /** The environment of a member's shell: the server, and who it is (no project: install recorded it in git config). */
  function shell(as: string | undefined, extraEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_SERVER: api.url, BATON_CREDENTIALS: path.join(dir, 'no-credentials.json'), BATON_HUMAN_CREDENTIALS: path.join(dir, 'no-humans.json') };
    for (const k of ['BATON_PROJECT', 'BATON_GUARD', 'BATON_AGENT', 'BATON_TOKEN', 'BATON_HUMAN_TOKEN']) delete env[k];
    Object.assign(env, extraEnv);
    if (as) {
      env.BATON_AGENT = as;
      env.BATON_TOKEN = tokens.get(as)!;
    }
    return env;
  }

  function commit(repo: string, as: string | undefined, extraEnv: Record<string, string> = {}, args: string[] = []) {
    return run(repo, ['git', 'commit', '-qm', 'change', ...args], shell(as, extraEnv));
  }

  async function agent(p: TestProject['client'], name: string) {
    const registered = await p.agents.register({ name });
    tokens.set(registered.member.name, registered.token);
    return registered;
  }

  it('refuses a commit of a file another agent reserved, naming holder, pattern, expiry and reason; warns in warn mode; allows after release', async () => {
    const { key: project, client: p } = await ctx.createProject({ prefix: 'guard' });
    const alice = await agent(p, 'AmberFalcon');
    const bob = await agent(p, 'BlueOtter');
    const repo = makeRepo();
    const hook = preExistingHook(repo);

    // Through the CLI once, as a person would.
    const installed = spawnSync(BATON, ['guard', 'install', '--project', project], {
      cwd: repo,
      env: shell(undefined),
      encoding: 'utf8',
    });
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain('pre-commit  installed');
    expect(sh(repo, 'git', ['config', 'baton.project']).trim()).toBe(project);

    const actor = member(alice.member.name);
    await p.reservations.reserve({ actor, patterns: ['src/auth/**'], reason: 'rewriting the login flow', ttlSeconds: 1800 });

    write(repo, 'src/auth/login.ts', 'export const changed = 1;\n');
    sh(repo, 'git', ['add', 'src/auth/login.ts']);
    const blocked = await commit(repo, bob.member.name);
    expect(blocked.stderr).toContain('baton guard: commit blocked');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('src/auth/login.ts');
    expect(blocked.stderr).toMatch(/held by AmberFalcon: pattern src\/auth\/\*\*, until \S+Z \(in (29|30)m\), reason "rewriting the login flow" \[\S+\]\n {6}because src\/auth\/\*\* matches src\/auth\/login\.ts(\n|$)/);
    expect(blocked.stderr).toContain('--no-verify');
    expect(hook.runs()).toBe(0);

    // The holder itself commits freely.
    const own = await commit(repo, alice.member.name, {}, ['--dry-run']);
    expect(own.stderr).not.toContain('blocked');

    const warned = await commit(repo, bob.member.name, { BATON_GUARD: 'warn' });
    expect(warned.stderr).toContain('baton guard: warning (BATON_GUARD=warn)');
    expect(warned.status).toBe(0);
    expect(warned.stderr).toContain('AmberFalcon');
    expect(hook.runs()).toBe(1);

    // A rename out of the reserved directory touches the reserved side.
    sh(repo, 'git', ['mv', 'src/auth/old.ts', 'src/legacy.ts']);
    const renamed = await commit(repo, bob.member.name);
    expect(renamed.status).not.toBe(0);
    expect(renamed.stderr).toContain('src/auth/old.ts (rename src/auth/old.ts -> src/legacy.ts)');

    await p.reservations.release({ actor, all: true });
    const allowed = await commit(repo, bob.member.name);
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    expect(hook.runs()).toBe(2);

    uninstall(repo, ['pre-commit', 'pre-push']);
    expect(fs.readFileSync(hook.file, 'utf8')).toBe(hook.content);
    expect(status(repo).hooks.every((h) => !h.installed)).toBe(true);
  });

  it('refuses a new file under a directory another agent reserved by its plain name', async () => {
    const { key: project, client: p } = await ctx.createProject({ prefix: 'guard' });
    const alice = await agent(p, 'GentleHarbor');
    await agent(p, 'QuietLark');
    const repo = makeRepo();
    install(repo, ['pre-commit'], { project });
    const actor = member(alice.member.name);
    await p.reservations.reserve({ actor, patterns: ['pkg'], reason: 'splitting the package', ttlSeconds: 7200 });
    // Covers none of the committed files (see the sibling commit below).
    await p.reservations.reserve({ actor, patterns: ['**/package.json'], reason: 'dependency bump' });

    write(repo, 'pkg/x.ts', 'export {};\n');
    sh(repo, 'git', ['add', 'pkg/x.ts']);
    const blocked = await commit(repo, 'QuietLark');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('baton guard: commit blocked');
    expect(blocked.stderr).toMatch(
      / {2}pkg\/x\.ts\n {4}held by GentleHarbor: pattern pkg, until \S+Z \(in (2h|1h 59m)\), reason "splitting the package" \[\S+\]\n {6}because pkg covers everything under it \(a path without an extension is a directory\), including pkg\/x\.ts(\n|$)/,
    );

    expect(blocked.stderr).not.toContain('package.json');

    // A sibling whose name merely begins with "pkg" is not under it, and `**/package.json` reaches
    // neither file: `pkg2/y.ts` is a file by its form, and `pkg2/Makefile`, which the book reads as a
    // directory (no extension) and so meets through `pkg2/Makefile/package.json`, is a staged file, for
    // which the guard counts only leases covering the file itself.
    sh(repo, 'git', ['reset', '-q']);
    write(repo, 'pkg2/y.ts', 'export {};\n');
    write(repo, 'pkg2/Makefile', 'all:\n');
    sh(repo, 'git', ['add', 'pkg2/y.ts', 'pkg2/Makefile']);
    const allowed = await commit(repo, 'QuietLark');
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
  });

  it('chains a non-shell hook, respects core.hooksPath, and checks pushes with --pre-push', async () => {
    const { key: project, client: p } = await ctx.createProject({ prefix: 'guard' });
    const alice = await agent(p, 'CalmRiver');
    await agent(p, 'QuietLark');
    const repo = makeRepo();
    const remote = path.join(dir, 'remote.git');
    sh(dir, 'git', ['init', '-q', '--bare', remote]);
    sh(repo, 'git', ['remote', 'add', 'origin', remote]);
    sh(repo, 'git', ['push', '-q', 'origin', 'main', '--no-verify']);

    sh(repo, 'git', ['config', 'core.hooksPath', '.githooks']);
    const log = path.join(dir, 'node-hook.log');
    const nodeHook = `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, 'ran\\n');\n`;
    write(repo, '.githooks/pre-commit', nodeHook);
    fs.chmodSync(path.join(repo, '.githooks/pre-commit'), 0o755);

    const s = install(repo, ['pre-commit', 'pre-push'], { project });
    expect(s.hooksDir).toBe(path.join(repo, '.githooks'));
    expect(s.hooks.map((h) => [h.hook, h.installed])).toEqual([
      ['pre-commit', true],
      ['pre-push', true],
    ]);
    expect(fs.readFileSync(path.join(repo, '.githooks/pre-commit.baton-chained'), 'utf8')).toBe(nodeHook);

    write(repo, 'README.md', '# changed\n');
    sh(repo, 'git', ['add', 'README.md']);
    expect((await commit(repo, 'QuietLark')).status).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toBe('ran\n');

    // Reserved after the commit: the push of that commit is refused.
    await p.reservations.reserve({ actor: member(alice.member.name), patterns: ['README.md'], reason: 'docs pass' });
    const push = await run(repo, ['git', 'push', '-q', 'origin', 'main'], shell('QuietLark'));
    expect(push.stderr).toContain('baton guard: push blocked');
    expect(push.status).not.toBe(0);
    expect(push.stderr).toContain('README.md');
    expect(push.stderr).toContain('held by CalmRiver: pattern README.md');

    uninstall(repo, ['pre-commit', 'pre-push']);
    expect(fs.readFileSync(path.join(repo, '.githooks/pre-commit'), 'utf8')).toBe(nodeHook);
    expect(fs.existsSync(path.join(repo, '.githooks/pre-commit.baton-chained'))).toBe(false);
    expect(fs.existsSync(path.join(repo, '.githooks/pre-push'))).toBe(false);
  });

  it('reads both sides of renames and copies from -z name-status output', () => {
    expect(parseNameStatus('M\0a b.ts\0R087\0src/old.ts\0lib/new.ts\0D\0gone.ts\0')).toEqual([
      { status: 'M', paths: ['a b.ts'] },
      { status: 'R087', paths: ['src/old.ts', 'lib/new.ts'] },
      { status: 'D', paths: ['gone.ts'] },
    ]);
  });
});
