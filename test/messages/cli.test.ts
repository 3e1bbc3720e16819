import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBaton } from '../support/cli';
import { createTestContext, type TestContext } from '../support/temporal';

const baton = runBaton;

describe('baton CLI: messages (real server, spawned bin/baton)', () => {
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

  it('register → send → inbox --json → read; --wait times out with exit 7; errors exit with their codes', async () => {
    const env = { TEMPORAL_ADDRESS: ctx.config.address, BATON_TASK_QUEUE: ctx.taskQueue, BATON_PROJECT: ctx.project(), BATON_CREDENTIALS: path.join(dir, 'credentials.json') };
    const registered = await baton(env, 'register', '--name', 'SwiftEagle', '--contact-policy', 'open', '--json');
    expect(registered.code).toBe(0);
    // The recipient registers through the client (each spawn costs seconds on a busy machine) and acts with --as/--token.
    const bob = await ctx.baton.project(env.BATON_PROJECT).agents.register({ name: 'BoldMountain', contactPolicy: 'open' });
    const asBob = ['--as', 'BoldMountain', '--token', bob.token];

    const sent = await baton(env, 'send', 'BoldMountain', '--subject', 'Auth API ready', '--body', 'See `src/auth`.', '--ack', '--json');
    expect(sent).toMatchObject({ code: 0 });
    const { messageId } = JSON.parse(sent.stdout) as { messageId: string };

    const [inbox, read] = [await baton(env, ...asBob, 'inbox', '--unread', '--json'), await baton(env, ...asBob, 'read', messageId)];
    expect(inbox.code).toBe(0);
    const page = JSON.parse(inbox.stdout) as { items: { id: string; from: string; subject: string }[] };
    expect(page.items).toEqual([expect.objectContaining({ id: messageId, from: 'SwiftEagle', subject: 'Auth API ready' })]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('Auth API ready');
    expect(read.stdout).toContain(`baton ack ${messageId}`);

    const [waited, unknown, wrongToken] = await Promise.all([
      baton(env, ...asBob, 'inbox', '--unread', '--wait', '1'),
      baton(env, 'send', 'NoSuchAgent', '--subject', 'x', '--body', 'y'),
      baton(env, '--as', 'SwiftEagle', '--token', 'bt_wrongwrongwrongwrongwrong', 'outbox'),
    ]);
    expect(waited).toMatchObject({ code: 7, stderr: expect.stringContaining('No new mail within 1s') });
    expect(unknown).toMatchObject({ code: 4, stderr: expect.stringContaining('NoSuchAgent') });
    expect(wrongToken).toMatchObject({ code: 5, stderr: expect.stringContaining('Wrong token') });
  });
});
