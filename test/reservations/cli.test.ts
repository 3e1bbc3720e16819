import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';

const baton = runBaton;

describe('baton CLI: reservations (real server, spawned bin/baton)', () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cli-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reserve → conflict (exit 3, readable) → check → list → refusals with their codes → release', async () => {
    const key = ctx.project();
    const env = { TEMPORAL_ADDRESS: ctx.config.address, BATON_TASK_QUEUE: ctx.taskQueue, BATON_PROJECT: key, BATON_CREDENTIALS: path.join(dir, 'credentials.json') };
    const project = ctx.baton.project(key);
    const a = await project.agents.register({ name: 'SwiftEagle' });
    const b = await project.agents.register({ name: 'BoldMountain' });
    const asA = ['--as', 'SwiftEagle', '--token', a.token];
    const asB = ['--as', 'BoldMountain', '--token', b.token];

    const granted = await baton(env, ...asA, 'reserve', 'src/auth/login.ts', '--reason', 'fix login redirect', '--ttl', '30m', '--json');
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ status: 'granted', reservations: [{ holder: 'SwiftEagle', pattern: 'src/auth/login.ts', exclusive: true }] });

    const [conflict, check, dirCheck, list, broad, forced, badTtl] = await Promise.all([
      baton(env, ...asB, 'reserve', 'src/auth/*.ts', '--reason', 'auth cleanup'),
      baton(env, ...asB, 'check', 'src/auth/login.ts', 'docs/x.md', '--json'),
      baton(env, ...asB, 'check', 'src/auth', 'config.d/'), // a trailing "/" is accepted: it names a directory
      baton(env, 'reservations', '--all', '--json'),
      baton(env, ...asB, 'reserve', '**', '--reason', 'everything'),
      baton(env, ...asB, 'force-release', '--holder', 'SwiftEagle', '--reason', 'mine now'),
      baton(env, ...asB, 'reserve', 'x.ts', '--reason', 'r', '--ttl', 'soon'),
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
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ total: 1 });
    expect(broad).toMatchObject({ code: 2, stderr: expect.stringContaining('reserve just the files you are about to edit') });
    expect(forced).toMatchObject({ code: 5, stderr: expect.stringContaining('Only a human') });
    expect(badTtl).toMatchObject({ code: 2, stderr: expect.stringContaining('not a duration') });

    const [table, released] = [await baton(env, ...asA, 'reservations'), await baton(env, ...asA, 'release', '--all')];
    expect(table.stdout).toMatch(/HOLDER\s+PATTERN\s+MODE\s+EXPIRES\s+REASON/);
    expect(table.stdout).toMatch(/SwiftEagle\s+src\/auth\/login\.ts\s+exclusive\s+in (29|30)m\s+fix login redirect/);
    expect(released).toMatchObject({ code: 0, stdout: expect.stringContaining('released 1') });
    // Each spawn compiles and connects on its own; a loaded 2-core machine needs the room.
  }, 240_000);
});
