import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import type { RunningApi } from '../../src/api/main';

const baton = runBaton;

/**
 * The real bin/baton against a Baton server this test started: the CLI knows only BATON_SERVER and
 * BATON_PROJECT, and an identity (BATON_AGENT + BATON_TOKEN, or --as NAME with a token `baton register`
 * saved in $BATON_CREDENTIALS). Every file it writes is in a temp dir.
 */
describe('baton CLI: reservations (Baton server, spawned bin/baton)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A shell for one project with no identity of its own (nothing inherited from the runner's environment). */
  const shell = (key: string, name: string) => ({
    BATON_SERVER: api.url,
    BATON_PROJECT: key,
    XDG_CONFIG_HOME: path.join(dir, name, 'xdg'),
    BATON_CREDENTIALS: path.join(dir, name, 'credentials.json'),
    BATON_HUMAN_CREDENTIALS: path.join(dir, name, 'humans.json'),
    BATON_AGENT: undefined,
    BATON_TOKEN: undefined,
    BATON_HUMAN: undefined,
    BATON_HUMAN_TOKEN: undefined,
  });

  it('reserve → conflict (exit 3, readable) → check → list → refusals with their codes → release; a human force-releases', async () => {
    const { key, client: project, human } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'flow');
    const registered = await baton(env, 'register', '--name', 'SwiftEagle', '--json');
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ name: 'SwiftEagle', kind: 'agent', token: expect.stringMatching(/^bt_/), credentialsFile: env.BATON_CREDENTIALS });
    // The second agent registers through the typed client (fewer spawns) and acts by its exported variables.
    const b = await project.agents.register({ name: 'BoldMountain' });
    const asA = ['--as', 'SwiftEagle'];
    const envB = { ...env, BATON_AGENT: 'BoldMountain', BATON_TOKEN: b.token };

    const granted = await baton(env, ...asA, 'reserve', 'src/auth/login.ts', '--reason', 'fix login redirect', '--ttl', '30m', '--json');
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ status: 'granted', reservations: [{ holder: 'SwiftEagle', pattern: 'src/auth/login.ts', exclusive: true }] });

    const [conflict, check, dirCheck, ownCheck, list, broad, noHuman, forced, badTtl] = await Promise.all([
      baton(envB, 'reserve', 'src/auth/*.ts', '--reason', 'auth cleanup'),
      baton(envB, 'check', 'src/auth/login.ts', 'docs/x.md', '--json'),
      baton(envB, 'check', 'src/auth', 'config.d/'), // a trailing "/" is accepted: it names a directory
      baton(env, ...asA, 'check', 'src/auth/login.ts', '--json'), // your own leases never conflict
      baton(envB, 'reservations', '--all', '--json'),
      baton(envB, 'reserve', '**', '--reason', 'everything'),
      baton(envB, 'force-release', '--holder', 'SwiftEagle', '--reason', 'mine now'),
      baton(envB, '--token', b.token, 'force-release', '--holder', 'SwiftEagle', '--reason', 'mine now'),
      baton(envB, 'reserve', 'x.ts', '--reason', 'r', '--ttl', 'soon'),
    ]);
    expect(conflict.code).toBe(3);
    expect(conflict.stdout).toContain('nothing was reserved');
    expect(conflict.stdout).toContain('src/auth/*.ts overlaps src/auth/login.ts, held exclusive by SwiftEagle until');
    expect(conflict.stdout).toContain('because src/auth/*.ts matches src/auth/login.ts');
    expect(conflict.stdout).toContain('reason: "fix login redirect"');
    expect(check.code).toBe(3);
    expect(JSON.parse(check.stdout)).toMatchObject({
      clear: false,
      results: [
        { target: 'src/auth/login.ts', conflicts: [{ holder: 'SwiftEagle', example: 'src/auth/login.ts', rule: 'both name src/auth/login.ts' }] },
        { target: 'docs/x.md', conflicts: [] },
      ],
    });
    expect(dirCheck.code).toBe(3);
    expect(dirCheck.stdout).toContain('src/auth overlaps src/auth/login.ts, held exclusive by SwiftEagle');
    expect(dirCheck.stdout).toContain('because src/auth covers everything under it (a path without an extension is a directory), including src/auth/login.ts');
    expect(dirCheck.stderr).toBe('');
    expect(ownCheck.code).toBe(0);
    expect(JSON.parse(ownCheck.stdout)).toMatchObject({ clear: true, results: [{ target: 'src/auth/login.ts', conflicts: [] }] });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ total: 1 });
    expect(broad).toMatchObject({ code: 2, stderr: expect.stringContaining('reserve just the files you are about to edit') });
    // A human-only command needs a human's identity: an agent's shell has none (and never reads human logins) ...
    expect(noHuman).toMatchObject({ code: 5, stderr: expect.stringContaining('[UNAUTHORIZED] Human logins') });
    expect(noHuman.stderr).toContain('A script acting for a human sets BATON_HUMAN_TOKEN');
    // ... and an agent's token passed anyway is refused by the server (FORBIDDEN, exit 5).
    expect(forced).toMatchObject({ code: 5, stderr: expect.stringContaining("[FORBIDDEN] This needs a human's token") });
    expect(badTtl).toMatchObject({ code: 2, stderr: expect.stringContaining('not a duration') });
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.pattern])).toEqual([['SwiftEagle', 'src/auth/login.ts']]);

    const [table, released] = [await baton(env, ...asA, 'reservations'), await baton(env, ...asA, 'release', '--all')];
    expect(table.stdout).toMatch(/HOLDER\s+PATTERN\s+MODE\s+EXPIRES\s+REASON/);
    expect(table.stdout).toMatch(/SwiftEagle\s+src\/auth\/login\.ts\s+exclusive\s+in (29|30)m\s+fix login redirect/);
    expect(released).toMatchObject({ code: 0, stdout: expect.stringContaining('released 1') });

    // A human (a script acting for one passes BATON_HUMAN_TOKEN) force-releases; the audit names them.
    expect((await baton(envB, 'reserve', 'src/db/schema.sql', '--reason', 'migration')).code).toBe(0);
    const humanForced = await baton({ ...env, BATON_HUMAN_TOKEN: human.token }, 'force-release', '--holder', 'BoldMountain', '--reason', 'release freeze');
    expect(humanForced).toMatchObject({ code: 0, stdout: expect.stringContaining('force-released 1 (notified: BoldMountain)') });
    expect((await project.reservations.audit()).entries.at(-1)).toMatchObject({ action: 'force-release', by: 'alice', holder: 'BoldMountain', reason: 'release freeze' });
    expect((await project.reservations.list()).total).toBe(0);
  }, 240_000);

  it('never acts as "whoever registered last": without an identity a command exits 5 and says how to pick one', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'no-identity');
    expect((await baton(env, 'register', '--name', 'SwiftEagle')).code).toBe(0);
    expect((await baton(env, 'register', '--name', 'BoldMountain')).code).toBe(0);

    const anonymous = await baton(env, 'reserve', 'src/a.ts', '--reason', 'who am I?');
    expect(anonymous.code).toBe(5);
    expect(anonymous.stderr).toContain('[UNAUTHORIZED] Which member are you?');
    expect(anonymous.stderr).toContain('pass --as <name> (saved here: SwiftEagle, BoldMountain)');
    expect(anonymous.stderr).toContain('set BATON_AGENT and BATON_TOKEN');
    expect((await project.reservations.list()).total).toBe(0);
    expect((await project.reservations.audit()).total).toBe(0);

    // A name with no saved token is refused too, naming the store; a name that was saved works.
    const unknown = await baton(env, '--as', 'GreenCastle', 'reserve', 'src/a.ts', '--reason', 'r');
    expect(unknown).toMatchObject({ code: 5, stderr: expect.stringContaining(`No token saved for GreenCastle in project ${key}`) });
    expect(unknown.stderr).toContain(env.BATON_CREDENTIALS);
    const named = await baton(env, '--as', 'SwiftEagle', 'reserve', 'src/a.ts', '--reason', 'r', '--json');
    expect(named.code).toBe(0);
    expect((await project.reservations.list()).reservations.map((r) => r.holder)).toEqual(['SwiftEagle']);
  }, 120_000);

  it('reports a corrupt credentials file and leaves it byte for byte, registering nobody; writes a new one mode 0600 in a 0700 directory', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'corrupt');
    fs.mkdirSync(path.dirname(env.BATON_CREDENTIALS), { recursive: true });
    const corrupt = Buffer.from('{"version": 2, "scopes": {"http://x p": {"SwiftEagle": "bt_0123456789abcdefghij"}\n\u00e9\u0000 truncated', 'utf8');
    fs.writeFileSync(env.BATON_CREDENTIALS, corrupt, { mode: 0o600 });

    const [asSaved, registered] = await Promise.all([
      baton(env, '--as', 'SwiftEagle', 'reserve', 'src/a.ts', '--reason', 'r'),
      baton(env, 'register', '--name', 'BoldMountain'),
    ]);
    for (const run of [asSaved, registered]) {
      expect(run.code).toBe(6);
      expect(run.stderr).toContain(`[INVALID_STATE] ${env.BATON_CREDENTIALS} is not a valid Baton credentials file`);
      expect(run.stderr).toContain('Baton will not overwrite it');
    }
    expect(fs.readFileSync(env.BATON_CREDENTIALS).equals(corrupt)).toBe(true);
    // The token would have been shown once and then lost: registration must not happen at all.
    expect((await project.agents.list({ kind: 'agent' })).map((m) => m.name)).toEqual([]);
    expect((await project.reservations.list()).total).toBe(0);

    // Without BATON_CREDENTIALS the store is $XDG_CONFIG_HOME/baton/credentials.json, created private.
    const fresh = { ...env, BATON_CREDENTIALS: undefined };
    expect((await baton(fresh, 'register', '--name', 'BoldMountain')).code).toBe(0);
    const file = path.join(env.XDG_CONFIG_HOME, 'baton', 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect((await baton(fresh, '--as', 'BoldMountain', 'whoami', '--json')).stdout).toContain('"name": "BoldMountain"');
  }, 120_000);
});
