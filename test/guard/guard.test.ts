import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestContext, type TestContext, type TestProject } from '../support/temporal';
import type { RunningApi } from '../../src/api/main';
import { CredentialStore, scopeKey } from '../../src/cli/credentials';
import { install, status, uninstall } from '../../src/guard/hooks';
import { parseNameStatus } from '../../src/guard/git';
import { member } from '../../src/schemas/actor';

const BATON = path.resolve(__dirname, '../../bin/baton');

/** Who a commit is made as: an agent's BATON_AGENT/BATON_TOKEN, a token alone, a human's token, or nobody. */
interface As {
  agent?: string;
  token?: string;
  humanToken?: string;
}

describe('git guard (real repository, real hooks, real Baton server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
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
   * The environment of a shell that commits: the Baton server, this test's credential stores (never
   * ~/.config), and only the identity given. The project comes from git config, as install recorded it.
   */
  function shell(as: As | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['BATON_PROJECT', 'BATON_GUARD', 'BATON_AGENT', 'BATON_TOKEN', 'BATON_HUMAN', 'BATON_HUMAN_TOKEN', 'TEMPORAL_ADDRESS', 'BATON_TASK_QUEUE']) delete env[k];
    Object.assign(env, { BATON_SERVER: api.url, BATON_CREDENTIALS: path.join(dir, 'agents.json'), BATON_HUMAN_CREDENTIALS: path.join(dir, 'humans.json'), XDG_CONFIG_HOME: dir });
    if (as?.agent) env.BATON_AGENT = as.agent;
    if (as?.token) env.BATON_TOKEN = as.token;
    if (as?.humanToken) env.BATON_HUMAN_TOKEN = as.humanToken;
    return Object.assign(env, extra);
  }

  /**
   * Run a command without blocking the event loop: the Baton server and worker answering the hook run
   * in this very process.
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

  const commit = (repo: string, as: As | undefined, extra: Record<string, string> = {}) => run(repo, ['git', 'commit', '-qm', 'change'], shell(as, extra));
  const change = (repo: string, file: string) => {
    fs.appendFileSync(path.join(repo, file), '// more\n');
    sh(repo, 'git', ['add', file]);
  };
  const commits = (repo: string) => Number(sh(repo, 'git', ['rev-list', '--count', 'HEAD']).trim());

  async function agentOf(project: TestProject, name: string): Promise<{ agent: string; token: string }> {
    const reg = await project.client.agents.register({ name, program: 'scripted' });
    return { agent: reg.member.name, token: reg.token };
  }

  it("blocks a commit of a file under another member's exclusive lease with the report, whatever the identity's source; not one's own; warn and off modes; allows after release", async () => {
    const project = await ctx.createProject({ prefix: 'guard' });
    const amber = await agentOf(project, 'AmberFalcon');
    const blue = await agentOf(project, 'BlueOtter');
    const repo = makeRepo();
    const hook = preExistingHook(repo);

    // Through the CLI once, as a person would.
    const installed = spawnSync(BATON, ['guard', 'install', '--project', project.key], { cwd: repo, env: shell(undefined), encoding: 'utf8' });
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain('pre-commit  installed');
    expect(sh(repo, 'git', ['config', 'baton.project']).trim()).toBe(project.key);

    await project.client.reservations.reserve({ actor: member(amber.agent), patterns: ['src/auth/**'], reason: 'rewriting the login flow', ttlSeconds: 1800 });

    write(repo, 'src/auth/login.ts', 'export const changed = 1;\n');
    sh(repo, 'git', ['add', 'src/auth/login.ts']);
    const blocked = await commit(repo, blue);
    expect(blocked.stderr).toContain(`baton guard: commit blocked: this file is under another member's exclusive reservation in project ${project.key}:\n  src/auth/login.ts\n`);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/held by AmberFalcon: pattern src\/auth\/\*\*, until \S+Z \(in (29|30)m\), reason "rewriting the login flow" \[\S+\]\n {6}because src\/auth\/\*\* matches src\/auth\/login\.ts\n/);
    expect(blocked.stderr).toContain('Ask AmberFalcon (baton send AmberFalcon ...) to release');
    expect(blocked.stderr).toContain('--no-verify');
    expect(hook.runs()).toBe(0);

    // The same member by other sources of identity: a token alone, and `git config baton.agent` with the
    // token saved in the agents' store; a human's token is checked the same way.
    const tokenOnly = await commit(repo, { token: blue.token });
    expect(tokenOnly.status).toBe(1);
    expect(tokenOnly.stderr).toContain('held by AmberFalcon');
    expect(tokenOnly.stderr).not.toContain('not identified');
    new CredentialStore('agents', path.join(dir, 'agents.json')).save(scopeKey(api.url, project.key), blue.agent, blue.token);
    sh(repo, 'git', ['config', 'baton.agent', blue.agent]);
    const fromStore = await commit(repo, undefined);
    expect(fromStore.status).toBe(1);
    expect(fromStore.stderr).toContain('held by AmberFalcon');
    sh(repo, 'git', ['config', '--unset', 'baton.agent']);
    const human = await commit(repo, { humanToken: project.human.token });
    expect(human.status).toBe(1);
    expect(human.stderr).toContain('held by AmberFalcon');

    const warned = await commit(repo, blue, { BATON_GUARD: 'warn' });
    expect(warned.stderr).toContain('baton guard: warning (BATON_GUARD=warn): this file is under another member');
    expect(warned.stderr).toContain('held by AmberFalcon');
    expect(warned.stderr).toContain('The commit goes ahead.');
    expect(warned.status).toBe(0);
    expect(hook.runs()).toBe(1);

    // The holder commits under its own lease freely.
    const before = commits(repo);
    change(repo, 'src/auth/login.ts');
    const own = await commit(repo, amber);
    expect(own).toEqual({ status: 0, stderr: '' });
    expect(commits(repo)).toBe(before + 1);
    expect(hook.runs()).toBe(2);

    // Off: no check at all (and nothing said), the team's hook still runs.
    change(repo, 'src/auth/login.ts');
    expect(await commit(repo, blue, { BATON_GUARD: 'off' })).toEqual({ status: 0, stderr: '' });
    expect(hook.runs()).toBe(3);

    // A rename out of the reserved directory touches the reserved side.
    sh(repo, 'git', ['mv', 'src/auth/old.ts', 'src/legacy.ts']);
    const renamed = await commit(repo, blue);
    expect(renamed.status).toBe(1);
    expect(renamed.stderr).toContain('src/auth/old.ts (rename src/auth/old.ts -> src/legacy.ts)');

    await project.client.reservations.release({ actor: member(amber.agent), all: true });
    const allowed = await commit(repo, blue);
    expect(allowed).toEqual({ status: 0, stderr: '' });
    expect(hook.runs()).toBe(4);

    uninstall(repo, ['pre-commit', 'pre-push']);
    expect(fs.readFileSync(hook.file, 'utf8')).toBe(hook.content);
    expect(status(repo).hooks.every((h) => !h.installed)).toBe(true);
  });

  it('refuses a new file under a directory another agent reserved by its plain name', async () => {
    const project = await ctx.createProject({ prefix: 'guard' });
    const gentle = await agentOf(project, 'GentleHarbor');
    const quiet = await agentOf(project, 'QuietBrook');
    const repo = makeRepo();
    install(repo, ['pre-commit'], { project: project.key });
    await project.client.reservations.reserve({ actor: member(gentle.agent), patterns: ['pkg'], reason: 'splitting the package', ttlSeconds: 7200 });
    // Covers none of the committed files (see the sibling commit below).
    await project.client.reservations.reserve({ actor: member(gentle.agent), patterns: ['**/package.json'], reason: 'dependency bump' });

    write(repo, 'pkg/x.ts', 'export {};\n');
    sh(repo, 'git', ['add', 'pkg/x.ts']);
    const blocked = await commit(repo, quiet);
    expect(blocked.status).toBe(1);
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
    expect(await commit(repo, quiet)).toEqual({ status: 0, stderr: '' });
  });

  it('chains a non-shell hook, respects core.hooksPath, and checks pushes with --pre-push', async () => {
    const project = await ctx.createProject({ prefix: 'guard' });
    const calm = await agentOf(project, 'CalmRiver');
    const pusher = await agentOf(project, 'SwiftEagle');
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

    const s = install(repo, ['pre-commit', 'pre-push'], { project: project.key });
    expect(s.hooksDir).toBe(path.join(repo, '.githooks'));
    expect(s.hooks.map((h) => [h.hook, h.installed])).toEqual([
      ['pre-commit', true],
      ['pre-push', true],
    ]);
    expect(fs.readFileSync(path.join(repo, '.githooks/pre-commit.baton-chained'), 'utf8')).toBe(nodeHook);

    write(repo, 'README.md', '# changed\n');
    sh(repo, 'git', ['add', 'README.md']);
    expect(await commit(repo, pusher)).toEqual({ status: 0, stderr: '' });
    expect(fs.readFileSync(log, 'utf8')).toBe('ran\n');

    // Reserved after the commit: the push of that commit is refused.
    await project.client.reservations.reserve({ actor: member(calm.agent), patterns: ['README.md'], reason: 'docs pass' });
    const push = await run(repo, ['git', 'push', '-q', 'origin', 'main'], shell(pusher));
    expect(push.stderr).toContain(`baton guard: push blocked: this file is under another member's exclusive reservation in project ${project.key}:`);
    expect(push.status).not.toBe(0);
    expect(push.stderr).toContain('held by CalmRiver: pattern README.md');
    expect(push.stderr).toContain('git push --no-verify');
    // The holder pushes it.
    expect(await run(repo, ['git', 'push', '-q', 'origin', 'main'], shell(calm))).toEqual({ status: 0, stderr: '' });

    uninstall(repo, ['pre-commit', 'pre-push']);
    expect(fs.readFileSync(path.join(repo, '.githooks/pre-commit'), 'utf8')).toBe(nodeHook);
    expect(fs.existsSync(path.join(repo, '.githooks/pre-commit.baton-chained'))).toBe(false);
    expect(fs.existsSync(path.join(repo, '.githooks/pre-push'))).toBe(false);
  });

  it('lets the commit through unchecked, and says why, with no identity, a refused token or an unreachable server', async () => {
    const project = await ctx.createProject({ prefix: 'guard' });
    const amber = await agentOf(project, 'AmberFalcon');
    const blue = await agentOf(project, 'BlueOtter');
    const repo = makeRepo();
    install(repo, ['pre-commit'], { project: project.key });
    await project.client.reservations.reserve({ actor: member(amber.agent), patterns: ['src/auth/**'], reason: 'rewriting the login flow' });
    const unchecked = `The commit goes ahead unchecked.`;

    // Nobody: no BATON_TOKEN, nothing saved, no human login.
    let before = commits(repo);
    change(repo, 'src/auth/login.ts');
    const nobody = await commit(repo, undefined);
    expect(nobody.status).toBe(0);
    expect(nobody.stderr).toBe(
      `baton guard: not checked: no identity for project ${project.key}: set BATON_AGENT and BATON_TOKEN (or \`git config baton.agent <name>\` with a token saved by \`baton register\`), or \`baton login\` as a human.\n  ${unchecked}\n`,
    );
    expect(commits(repo)).toBe(before + 1);
    // A name alone is no identity either when no token is saved for it.
    change(repo, 'src/auth/login.ts');
    expect((await commit(repo, { agent: blue.agent })).stderr).toContain(`baton guard: not checked: no identity for project ${project.key}`);

    // A token the server refuses (replaced since): said, and not blocking.
    await project.client.agents.rotateToken(member(project.human.name), blue.agent);
    change(repo, 'src/auth/login.ts');
    const stale = await commit(repo, blue);
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain(`baton guard: could not check reservations in project ${project.key} [UNAUTHORIZED] This token belongs to no member of project ${project.key}`);
    expect(stale.stderr).toContain(unchecked);

    // No server: the guard does not stop all work.
    before = commits(repo);
    change(repo, 'src/auth/login.ts');
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const down = await commit(repo, amber, { BATON_SERVER: nowhere });
    expect(down.status).toBe(0);
    expect(down.stderr).toContain(`baton guard: could not check reservations in project ${project.key} [UNAVAILABLE] Cannot reach the Baton server at ${nowhere}`);
    expect(down.stderr).toContain(unchecked);
    expect(commits(repo)).toBe(before + 1);
  });

  it('reads both sides of renames and copies from -z name-status output', () => {
    expect(parseNameStatus('M\0a b.ts\0R087\0src/old.ts\0lib/new.ts\0D\0gone.ts\0')).toEqual([
      { status: 'M', paths: ['a b.ts'] },
      { status: 'R087', paths: ['src/old.ts', 'lib/new.ts'] },
      { status: 'D', paths: ['gone.ts'] },
    ]);
  });
});

/** A loopback port nothing listens on (taken and released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
