import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBaton, type CliRun } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';
import type { RunningApi } from '../../src/api/main';
import { member } from '../../src/schemas/actor';
import { newToken } from '../../src/client/tokens';
import { hashToken } from '../../src/domain/agents/token-hash';

const baton = runBaton;
const BIN = path.resolve(__dirname, '../../bin/baton');

/** `sh -c script` with exactly this environment (nothing inherited: a fresh shell). */
function sh(script: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/**
 * The real bin/baton against a Baton server this test started (BATON_SERVER, BATON_PROJECT, temp
 * XDG_CONFIG_HOME and credential stores); identities by BATON_AGENT + BATON_TOKEN or --as NAME.
 */
describe('baton CLI: messages (Baton server, spawned bin/baton)', () => {
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

  it('register → send → inbox --json → read; --wait times out with exit 7; errors exit with their codes', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'flow');
    const registered = await baton(env, 'register', '--name', 'SwiftEagle', '--contact-policy', 'open', '--json');
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ name: 'SwiftEagle', contactPolicy: 'open' });
    // The recipient registers through the typed client (fewer spawns) and acts by its exported variables.
    const bob = await project.agents.register({ name: 'BoldMountain', contactPolicy: 'open' });
    const envBob = { ...env, BATON_AGENT: 'BoldMountain', BATON_TOKEN: bob.token };
    const asA = ['--as', 'SwiftEagle'];

    const sent = await baton(env, ...asA, 'send', 'BoldMountain', '--subject', 'Auth API ready', '--body', 'See `src/auth`.', '--ack', '--json');
    expect(sent).toMatchObject({ code: 0 });
    const { messageId } = JSON.parse(sent.stdout) as { messageId: string };

    const [inbox, read] = [await baton(envBob, 'inbox', '--unread', '--json'), await baton(envBob, 'read', messageId)];
    expect(inbox.code).toBe(0);
    const page = JSON.parse(inbox.stdout) as { items: { id: string; from: string; subject: string }[] };
    expect(page.items).toEqual([expect.objectContaining({ id: messageId, from: 'SwiftEagle', subject: 'Auth API ready' })]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('Auth API ready');
    expect(read.stdout).toContain(`baton ack ${messageId}`);

    const outboxBefore = await project.messages.outbox(member('SwiftEagle'));
    const [waited, unknown, wrongToken] = await Promise.all([
      baton(envBob, 'inbox', '--unread', '--wait', '1'),
      baton(env, ...asA, 'send', 'NoSuchAgent', '--subject', 'x', '--body', 'y'),
      baton({ ...env, BATON_AGENT: 'SwiftEagle', BATON_TOKEN: newToken('agent').token }, 'send', 'BoldMountain', '--subject', 'spoof', '--body', 'y'),
    ]);
    expect(waited).toMatchObject({ code: 7, stderr: expect.stringContaining('No new mail within 1s') });
    expect(unknown).toMatchObject({ code: 4, stderr: expect.stringContaining('NoSuchAgent') });
    expect(wrongToken).toMatchObject({ code: 5, stderr: expect.stringContaining('[UNAUTHORIZED] This token belongs to no member') });
    expect(await project.messages.outbox(member('SwiftEagle'))).toEqual(outboxBefore);
    expect((await project.messages.inbox(member('BoldMountain'))).items.map((m) => m.subject)).toEqual(['Auth API ready']);
  }, 120_000);

  it('register --print-env prints one export line that makes a fresh shell act as the new agent; the token is saved mode 0600', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'print-env');
    const printed = await baton(env, 'register', '--print-env', '--contact-policy', 'open');
    expect(printed.code).toBe(0);
    const line = printed.stdout.trimEnd();
    expect(printed.stdout.split('\n').filter(Boolean)).toEqual([line]);
    const match = new RegExp(`^export BATON_SERVER=${api.url} BATON_PROJECT=${key} BATON_AGENT=([A-Z][a-z]+[A-Z][a-z]+) BATON_TOKEN=(bt_[A-Za-z0-9_-]+)$`).exec(line);
    expect(match).not.toBeNull();
    const [, name, token] = match!;
    expect(await project.agents.tokenOwner(hashToken(token!))).toMatchObject({ name, kind: 'agent' });

    // A fresh shell: only PATH (for node), an empty config home, no Baton variables and no saved store.
    const empty = fs.mkdtempSync(path.join(dir, 'fresh-'));
    const fresh = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: empty, XDG_CONFIG_HOME: empty, NO_COLOR: '1' };
    expect(await sh(`"${BIN}" whoami --json`, fresh)).toMatchObject({ code: 2, stderr: expect.stringContaining('no project given') });
    const whoami = await sh(`${line}\n"${BIN}" whoami --json`, fresh);
    expect(whoami).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(whoami.stdout)).toMatchObject({ name, kind: 'agent' });
    expect(await sh(`${line}\n"${BIN}" send ${name} --subject "note to self" --body hi`, fresh)).toMatchObject({ code: 0, stderr: '' });
    expect((await project.messages.inbox(member(name!))).items.map((m) => [m.from, m.subject])).toEqual([[name, 'note to self']]);
    expect(fs.readdirSync(empty)).toEqual([]);

    // Saved as well (under the server and project), in a file only its owner may read.
    expect(fs.statSync(env.BATON_CREDENTIALS).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(env.BATON_CREDENTIALS, 'utf8'))).toEqual({ version: 2, scopes: { [`${api.url} ${key}`]: { [name!]: token } } });
  }, 120_000);

  it('rotate-token saves the new token, which works; the old one is refused by the server (exit 5)', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'cli' });
    const env = shell(key, 'rotate');
    expect((await baton(env, 'register', '--name', 'SwiftEagle')).code).toBe(0);
    const saved = () => (JSON.parse(fs.readFileSync(env.BATON_CREDENTIALS, 'utf8')) as { scopes: Record<string, Record<string, string>> }).scopes[`${api.url} ${key}`]!.SwiftEagle!;
    const old = saved();
    const rotated = await baton(env, '--as', 'SwiftEagle', 'rotate-token', '--json');
    expect(rotated.code).toBe(0);
    const { token, member: rotatedMember } = JSON.parse(rotated.stdout) as { token: string; member: { name: string } };
    expect(rotatedMember.name).toBe('SwiftEagle');
    expect(token).toMatch(/^bt_/);
    expect(token).not.toBe(old);
    expect(saved()).toBe(token);
    expect(fs.statSync(env.BATON_CREDENTIALS).mode & 0o777).toBe(0o600);

    const [withNew, withOld] = await Promise.all([
      baton(env, '--as', 'SwiftEagle', 'whoami', '--json'),
      baton({ ...env, BATON_AGENT: 'SwiftEagle', BATON_TOKEN: old }, 'reserve', 'src/a.ts', '--reason', 'old token'),
    ]);
    expect(withNew.code).toBe(0);
    expect(JSON.parse(withNew.stdout)).toMatchObject({ name: 'SwiftEagle' });
    expect(withOld).toMatchObject({ code: 5, stderr: expect.stringContaining('[UNAUTHORIZED] This token belongs to no member') });
    expect((await project.reservations.list()).total).toBe(0);
    expect(await project.agents.tokenOwner(hashToken(old))).toBeNull();
    expect(await project.agents.tokenOwner(hashToken(token))).toMatchObject({ name: 'SwiftEagle', epoch: 1 });
  }, 120_000);
});
