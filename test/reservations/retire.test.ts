import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatonApi } from '../../src/api-client';
import type { RunningApi } from '../../src/api/main';
import { member } from '../../src/schemas/actor';
import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * Retiring a member releases its leases: a human retires an agent that holds an exclusive lease, and the
 * next agent reserves the files at once instead of being told to ask a member who reads no mail. The
 * released leases are in the retire answer and in the audit trail (releases by whoever retired it).
 */
describe('retiring a member releases its leases (real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-retire-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a human retires a holder: its leases are released, listed and audited; the next agent reserves at once', async () => {
    const { key, client: project, human } = await ctx.createProject({ prefix: 'retire' });
    const holder = await project.agents.register({ name: 'IndigoFirefly' });
    const next = await project.agents.register({ name: 'TealGrove' });
    const granted = await project.reservations.reserve({ actor: member('IndigoFirefly'), patterns: ['src/auth/**', 'docs/auth.md'], reason: 'rewriting the login flow' });
    if (granted.status !== 'granted') throw new Error('expected a grant');
    const ids = granted.reservations.map((r) => r.id).sort();

    const asHuman = new BatonApi({ baseUrl: api.url, token: human.token }).project(key);
    const retired = await asHuman.agents.retire(holder.member.name);
    expect(retired).toMatchObject({ name: 'IndigoFirefly', status: 'retired' });
    expect(retired.released.map((r) => r.id).sort()).toEqual(ids);
    expect(retired.released.map((r) => r.pattern).sort()).toEqual(['docs/auth.md', 'src/auth/**']);

    const last = (await project.reservations.audit()).entries.at(-1);
    expect(last).toMatchObject({ action: 'release', by: human.name, holder: 'IndigoFirefly', count: 2, reason: `IndigoFirefly retired by ${human.name}` });
    expect(last!.reservationIds.sort()).toEqual(ids);
    expect((await project.reservations.list()).total).toBe(0);

    const asNext = new BatonApi({ baseUrl: api.url, token: next.token, member: 'TealGrove' }).project(key);
    expect(await asNext.reservations.reserve({ patterns: ['src/auth/login.ts'], reason: 'fix the redirect' })).toMatchObject({ status: 'granted' });
    expect((await asNext.reservations.check({ paths: ['docs/auth.md'] })).clear).toBe(true);
  }, 120_000);

  it('`baton retire` (an agent retiring itself) lists the reservations it released', async () => {
    const { key, client: project } = await ctx.createProject({ prefix: 'retire' });
    const agent = await project.agents.register({ name: 'SwiftEagle' });
    await project.reservations.reserve({ actor: member('SwiftEagle'), patterns: ['pkg'], reason: 'splitting pkg' });
    const env = {
      BATON_SERVER: api.url,
      BATON_PROJECT: key,
      BATON_AGENT: 'SwiftEagle',
      BATON_TOKEN: agent.token,
      BATON_CREDENTIALS: path.join(dir, 'credentials.json'),
      BATON_HUMAN_CREDENTIALS: path.join(dir, 'humans.json'),
      BATON_HUMAN_TOKEN: undefined,
    };
    const run = await runBaton(env, 'retire');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Retired SwiftEagle\. Its token no longer works; its mail and history stay\.\nReleased its reservation \(in the audit trail: baton reservations --audit\):\n {2}pkg {2}\(r-[0-9a-f]+, exclusive\)\n$/);
    expect((await project.reservations.audit()).entries.at(-1)).toMatchObject({ action: 'release', by: 'SwiftEagle', holder: 'SwiftEagle', reason: 'SwiftEagle retired' });
  }, 120_000);
});
