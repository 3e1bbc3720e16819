import fs from 'node:fs';
import path from 'node:path';
import { MAX_BODY_BYTES } from '../../src/domain/messages/limits';
import { attackScene, baton, expectCliRefused, expectRecordedRefusal, expectUnchanged, securityEnv, shell, unknownToken, type Scene, type SecurityEnv, type Shell, type Team } from './support';

/**
 * Attacks through the real `bin/baton`, as an agent's shell runs it: no terminal (stdin is not a TTY),
 * its own credential stores, the Baton server in BATON_SERVER. Each refusal is the error of its attack
 * (`error [CODE] ...` on stderr, the documented exit code) and leaves the project as it was.
 */
describe('security: the CLI', () => {
  let env: SecurityEnv;
  let t: Team;
  let other: Team;
  let rotatedAway: string;
  let run: Scene['run'];

  const unchanged = (attack: () => Promise<void>) => expectUnchanged(t.client, attack);
  const agentShell = (name: string, token = t.token(name)) => shell(env, t.key, { BATON_AGENT: name, BATON_TOKEN: token });
  const withEnv = (sh: Shell, extra: Record<string, string>): Shell => ({ ...sh, env: { ...sh.env, ...extra } });

  beforeAll(async () => {
    env = await securityEnv();
    ({ t, other, rotatedAway, run } = await attackScene(env));
  });
  afterAll(() => env.close());

  describe('credentials: a shell that cannot prove who it is', () => {
    const cases: [string, () => Shell, () => string][] = [
      ['a wrong token (well-formed, never issued)', () => shell(env, t.key, { BATON_TOKEN: unknownToken() }), () => `This token belongs to no member of project ${t.key}`],
      ["a retired member's token", () => agentShell('RetiredOwl'), () => `RetiredOwl is retired in project ${t.key}`],
      ['a rotated (old) token', () => agentShell('QuietRiver', rotatedAway), () => 'it was replaced (`baton rotate-token`)'],
      ["another project's token", () => shell(env, t.key, { BATON_AGENT: 'AmberFalcon', BATON_TOKEN: other.token('AmberFalcon') }), () => `This token belongs to no member of project ${t.key}`],
      ['a token value that is not a Baton token', () => shell(env, t.key, { BATON_TOKEN: 'hunter2' }), () => 'is not a Baton token'],
      ["another member's name with one's own token (BATON_AGENT=SwiftEagle)", () => shell(env, t.key, { BATON_AGENT: 'SwiftEagle', BATON_TOKEN: t.token('BoldMountain') }), () => "This token is BoldMountain's, not SwiftEagle's"],
      ['--as a member whose token this shell does not have', () => shell(env, t.key), () => `No token saved for SwiftEagle in project ${t.key}`],
    ];
    it.each(cases)('%s: exit 5 [UNAUTHORIZED] on a write and a read, nothing changes', async (name, sh, message) => {
      const as = name.startsWith('--as') ? ['--as', 'SwiftEagle'] : [];
      await unchanged(async () => {
        expectCliRefused(await baton(sh(), 'reserve', 'src/free.ts', '--reason', 'claiming it', ...as), 'UNAUTHORIZED', message());
        expectCliRefused(await baton(sh(), 'inbox', ...as), 'UNAUTHORIZED', message());
      });
    });
  });

  describe("an agent (its valid token of this project) calling each human-only command", () => {
    const needsHuman = "This needs a human's token: BoldMountain is an agent";
    const plan = () => {
      const file = path.join(env.dir, 'full-stack.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          title: 'Auth',
          database: { agent: 'SwiftEagle', task: 'users table', files: ['db/**'] },
          backend: { agent: 'BoldMountain', task: 'login API', files: ['api/**'] },
          frontend: { agent: 'QuietRiver', task: 'login page', files: ['web/**'] },
          test: { agent: 'SwiftEagle' },
          reviewer: 'alice',
          requireTrusted: false,
        }),
      );
      return file;
    };
    // The agent hands its own token in as the human's (--token): the server decides by who it is.
    const cases: [string, () => string[], string][] = [
      ['cancel', () => ['cancel', run.ref, '--reason', 'stop'], needsHuman],
      ['force-release', () => ['force-release', '--holder', 'SwiftEagle', '--reason', 'mine now'], needsHuman],
      ['retire someone else', () => ['retire', 'SwiftEagle', '--human'], 'BoldMountain may not retire SwiftEagle: agents retire themselves'],
      ["rotate someone else's token", () => ['rotate-token', 'SwiftEagle', '--human', '--no-save'], "BoldMountain may not replace SwiftEagle's token"],
      ['invite a human', () => ['invite', 'mallory'], needsHuman],
      ['shutdown', () => ['shutdown', '--reason', 'bye', '--confirm', t.key], needsHuman],
      ['settings set', () => ['settings', 'set', 'trustAfterTasks=1'], needsHuman],
      ['reserve --allow-broad', () => ['reserve', '**', '--allow-broad', '--reason', 'everything'], 'Only a human may override the hoarding guard (allowBroad)'],
      ['introduce', () => ['introduce', 'onboarding/welcome-quietriver', '--text', 'Meet QuietRiver'], needsHuman],
      ['start full-stack', () => ['start', 'full-stack', '--plan', plan()], 'BoldMountain is an agent; a human starts a Full-Stack Feature'],
    ];
    it.each(cases)('%s: exit 5 [FORBIDDEN], nothing changes', async (_name, args, message) => {
      await unchanged(async () => expectCliRefused(await baton(agentShell('BoldMountain'), ...args(), '--token', t.token('BoldMountain')), 'FORBIDDEN', message));
    });

    it.each([
      ['approve', ['--comment', 'ship it']],
      ['reject', ['--reason', 'no']],
    ] as const)('%s: exit 5 [FORBIDDEN], recorded on the run, the decision still waits for a human', async (action, args) => {
      await expectRecordedRefusal(t.client, run.workflowId, 'BoldMountain', action, async () =>
        expectCliRefused(await baton(agentShell('BoldMountain'), action, run.ref, ...args, '--token', t.token('BoldMountain')), 'FORBIDDEN', `BoldMountain is an agent; only a human may ${action}`),
      );
    });
  });

  describe("one OS account: an agent's shell and the human's saved login", () => {
    let sh: Shell;
    beforeAll(async () => {
      // alice logged in from this account (her token in humans.json); then an agent works in a shell of it.
      sh = shell(env, t.key);
      const login = await baton(withEnv(sh, { BATON_HUMAN_TOKEN: t.token('alice') }), 'login');
      expect(login).toMatchObject({ code: 0, stdout: expect.stringContaining('Logged in as alice (human)') });
      expect(fs.readFileSync(sh.humansFile, 'utf8')).toContain(t.token('alice'));
      expect(fs.existsSync(sh.agentsFile)).toBe(false);
    });

    it('`approve --as alice` from a shell with no terminal does not read her login: exit 5 [UNAUTHORIZED]', async () => {
      await unchanged(async () => {
        for (const as of [['--as', 'alice'], []]) expectCliRefused(await baton(sh, 'approve', run.ref, ...as), 'UNAUTHORIZED', `Human logins (${sh.humansFile}) are used only from a terminal`);
      });
    });

    it('`reserve --as alice` (an agent command naming the human) finds no agent token for her: exit 5 [UNAUTHORIZED]', async () => {
      await unchanged(async () => expectCliRefused(await baton(sh, 'reserve', '**', '--allow-broad', '--reason', 'x', '--as', 'alice'), 'UNAUTHORIZED', `No token saved for alice in project ${t.key}`));
    });
  });

  describe('registrations never become the default identity of a shell', () => {
    it('after two registrations in one shell, a command naming nobody is refused and says how to pick: exit 5 [UNAUTHORIZED]', async () => {
      const sh = shell(env, t.key);
      const first = await baton(sh, 'register', '--name', 'CalmHarbor');
      const second = await baton(sh, 'register', '--name', 'BrightCanyon');
      expect([first.code, second.code]).toEqual([0, 0]);
      expect(first.stdout).toContain('export BATON_SERVER=');
      await unchanged(async () => {
        expectCliRefused(await baton(sh, 'reserve', 'src/free.ts', '--reason', 'x'), 'UNAUTHORIZED', 'Which member are you? This shell has no identity: pass --as <name> (saved here: CalmHarbor, BrightCanyon)');
        expectCliRefused(await baton(sh, 'whoami'), 'UNAUTHORIZED', 'Which member are you?');
      });
      expect(await baton(sh, 'whoami', '--as', 'CalmHarbor')).toMatchObject({ code: 0, stdout: expect.stringContaining('CalmHarbor (agent') });
    });
  });

  describe('a credentials file that fails to parse is never overwritten, and no token is issued into it', () => {
    it('`register` with a broken agents file: exit 6 [INVALID_STATE], the file as it was, nobody registered', async () => {
      const sh = shell(env, t.key);
      const broken = '{"version": 2, "scopes": {"http://x p": {"Kept": "bt_' + 'k'.repeat(32) + '"}'; // truncated
      fs.writeFileSync(sh.agentsFile, broken);
      await unchanged(async () => expectCliRefused(await baton(sh, 'register', '--name', 'LostToken'), 'INVALID_STATE', `${sh.agentsFile} is not a valid Baton credentials file`));
      expect(fs.readFileSync(sh.agentsFile, 'utf8')).toBe(broken);
    });

    it('`rotate-token` with a broken agents file: exit 6 [INVALID_STATE], the old token still works', async () => {
      const sh = agentShell('SwiftEagle');
      fs.writeFileSync(sh.agentsFile, 'not json');
      await unchanged(async () => expectCliRefused(await baton(sh, 'rotate-token'), 'INVALID_STATE', 'Baton will not overwrite it'));
      expect(fs.readFileSync(sh.agentsFile, 'utf8')).toBe('not json');
      expect(await baton(sh, 'whoami')).toMatchObject({ code: 0 });
    });

    it('`init` with a broken humans file: exit 6 [INVALID_STATE], the file as it was, no project created', async () => {
      const key = env.ctx.project('sec-broken');
      const sh = shell(env, key);
      fs.writeFileSync(sh.humansFile, '[]');
      expectCliRefused(await baton(sh, 'init', '--human', 'carol'), 'INVALID_STATE', `${sh.humansFile} is not a valid Baton credentials file`);
      expect(fs.readFileSync(sh.humansFile, 'utf8')).toBe('[]');
      expect((await env.ctx.baton.project(key).state()).status).toBe('missing');
    });
  });

  describe('flags that would name another identity do not exist', () => {
    const cases: [string, string[], string][] = [
      ['send mail "from" alice', ['send', 'SwiftEagle', '--subject', 'Deploy now', '--body', 'approved', '--from', 'alice'], "unknown option '--from'"],
      ['register as a human', ['register', '--human'], "unknown option '--human'"],
      ['register with kind human', ['register', '--kind', 'human'], "unknown option '--kind'"],
      ['report done for another agent', ['done', 'sequential-handoff/x', '--summary', 'done', '--agent', 'SwiftEagle'], "unknown option '--agent'"],
    ];
    it.each(cases)('%s: exit 2 (usage), nothing sent', async (_name, args, message) => {
      await unchanged(async () => {
        const out = await baton(agentShell('BoldMountain'), ...args);
        expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 2, stderr: expect.stringContaining(message) });
      });
    });
  });

  describe('oversized input and internal messages', () => {
    it('201 patterns in one reserve: exit 2 [INVALID_INPUT]', async () => {
      await unchanged(async () => expectCliRefused(await baton(agentShell('BoldMountain'), 'reserve', ...Array.from({ length: 201 }, (_, i) => `src/f${i}.ts`), '--reason', 'x'), 'INVALID_INPUT', 'at most 200 patterns per call'));
    });

    it('a message body of 64 KiB + 1 byte: exit 2 [INVALID_INPUT]', async () => {
      const file = path.join(env.dir, 'big-body.md');
      fs.writeFileSync(file, 'x'.repeat(MAX_BODY_BYTES + 1));
      await unchanged(async () => expectCliRefused(await baton(agentShell('BoldMountain'), 'send', 'alice', '--subject', 'big', '--body-file', file), 'INVALID_INPUT', 'must be at most 64 KiB'));
    });

    it("`claim` aimed at SwiftEagle's mailbox: exit 2 [INVALID_INPUT], the mailbox is its owner's", async () => {
      await unchanged(async () => expectCliRefused(await baton(agentShell('BoldMountain'), 'claim', 'mailbox/swifteagle'), 'INVALID_INPUT', '"mailbox/swifteagle" is not a pattern run'));
      expect(await baton(agentShell('SwiftEagle'), 'inbox')).toMatchObject({ code: 0 });
    });
  });

  describe('humans come with the project', () => {
    it('`init` of an existing project: exit 6 [ALREADY_EXISTS], no first-come human', async () => {
      await unchanged(async () => expectCliRefused(await baton(shell(env, t.key), 'init', '--human', 'mallory'), 'ALREADY_EXISTS', `Project ${t.key} already exists`));
    });
  });
});
