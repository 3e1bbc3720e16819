import { createTestContext, type TestContext } from '../support/temporal';
import type { BatonProjectClient } from '../../src/client';
import { member as memberActor, type Actor } from '../../src/schemas/actor';
import { reserveUpdate, forceReleaseUpdate } from '../../src/workflows/project/reservations-api';
import { workflowActor } from '../../src/client/reservations';
import { describeQuery } from '../../src/workflows/project/api';
import { call } from '../support/http';
import type { RunningApi } from '../../src/api/main';
import { newToken } from '../../src/client/tokens';

interface Member {
  name: string;
  actor: Actor;
  /** What registration gave, for calls through the Baton server. */
  token: string;
}

/**
 * A newly registered agent. The typed client is an operator's (it trusts its caller), so the agent
 * acts by name; its token is for tests that go through the Baton server.
 */
async function member(project: BatonProjectClient): Promise<Member> {
  const { member: m, token } = await project.agents.register({});
  return { name: m.name, actor: memberActor(m.name), token };
}

/** The project's founder (a human, who came with the project). */
const founder = (human: { name: string; token: string }): Member => ({ name: human.name, actor: memberActor(human.name), token: human.token });

/** Everything a caller can observe about the reservation book, to compare before and after a refusal. */
async function observable(project: BatonProjectClient) {
  return { list: await project.reservations.list(), audit: await project.reservations.audit() };
}

async function historyLength(project: BatonProjectClient): Promise<number> {
  return ((await project.channel.handle().fetchHistory()).events ?? []).length;
}

describe('reservations (project workflow, real server)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('grants exactly one of 30 agents racing for overlapping exclusive globs', async () => {
    const { client: project } = await ctx.createProject();
    const agents = await Promise.all(Array.from({ length: 30 }, () => member(project)));
    const shapes = ['src/api/users.ts', 'src/api/*.ts', 'src/**', 'src/{api,web}/users.ts', 'src/api/user?.ts', 'src/*/[tu]*.ts'];
    const answers = await Promise.all(
      agents.map((a, i) => project.reservations.reserve({ actor: a.actor, patterns: [shapes[i % shapes.length]!], reason: `race ${i}` })),
    );
    const granted = answers.filter((r) => r.status === 'granted');
    expect(granted).toHaveLength(1);
    const winner = agents[answers.findIndex((r) => r.status === 'granted')]!;
    for (const r of answers) {
      if (r.status === 'conflict') expect(r.conflicts).toEqual([expect.objectContaining({ holder: winner.name, exclusive: true })]);
    }
    const { total, reservations } = await project.reservations.list();
    expect(total).toBe(1);
    expect(reservations[0]!.holder).toBe(winner.name);
  });

  it('lets shared holders coexist, refuses exclusive over shared, and never makes an agent conflict with itself', async () => {
    const { client: project } = await ctx.createProject();
    const [a, b, c] = await Promise.all([member(project), member(project), member(project)]);
    const shared = { patterns: ['docs/**'], exclusive: false, reason: 'reading docs' };
    expect((await project.reservations.reserve({ actor: a.actor, ...shared })).status).toBe('granted');
    expect((await project.reservations.reserve({ actor: b.actor, ...shared })).status).toBe('granted');
    const excl = await project.reservations.reserve({ actor: c.actor, patterns: ['docs/guide.md'], reason: 'rewrite guide' });
    expect(excl.status).toBe('conflict');
    if (excl.status === 'conflict') expect(excl.conflicts.map((x) => x.holder).sort()).toEqual([a.name, b.name].sort());

    // The holder itself may take it exclusively (it does not conflict with itself) and re-reserving extends.
    const first = await project.reservations.reserve({ actor: a.actor, patterns: ['src/a.ts'], reason: 'edit a', ttlSeconds: 600 });
    const again = await project.reservations.reserve({ actor: a.actor, patterns: ['src/a.ts', 'src/*.ts'], reason: 'edit a and friends', ttlSeconds: 1200 });
    expect(first.status).toBe('granted');
    expect(again.status).toBe('granted');
    if (first.status === 'granted' && again.status === 'granted') {
      const before = first.reservations[0]!;
      const after = again.reservations.find((r) => r.pattern === 'src/a.ts')!;
      expect(after.id).toBe(before.id);
      expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.parse(before.expiresAt));
    }
    const mine = await project.reservations.list({ holder: a.name });
    expect(mine.reservations.map((r) => r.pattern).sort()).toEqual(['docs/**', 'src/*.ts', 'src/a.ts']);
  });

  it('is all-or-nothing and reports each conflict in full', async () => {
    const { client: project } = await ctx.createProject();
    const [a, b] = await Promise.all([member(project), member(project)]);
    await project.reservations.reserve({ actor: a.actor, patterns: ['src/auth/login.ts'], reason: 'fix login redirect', ttlSeconds: 900 });
    const answer = await project.reservations.reserve({ actor: b.actor, patterns: ['src/auth/logout.ts', 'src/auth/*.ts', 'README.md'], reason: 'auth cleanup' });
    expect(answer.status).toBe('conflict');
    if (answer.status !== 'conflict') return;
    expect(answer.conflicts).toEqual([
      {
        pattern: 'src/auth/*.ts',
        holder: a.name,
        heldPattern: 'src/auth/login.ts',
        exclusive: true,
        expiresAt: expect.any(String),
        reason: 'fix login redirect',
        reservationId: expect.stringMatching(/^r-/),
        example: 'src/auth/login.ts',
        rule: 'src/auth/*.ts matches src/auth/login.ts',
      },
    ]);
    expect((await project.reservations.list({ holder: b.name })).total).toBe(0);
  });

  it('reads a plain path without an extension as a directory and everything under it, in reserve and check, both ways round', async () => {
    const { client: project } = await ctx.createProject();
    const [a, b, c] = await Promise.all([member(project), member(project), member(project)]);
    const dirRule = 'codex/skills covers everything under it (a path without an extension is a directory), including codex/skills/flow-repair/run.sh';

    // A directory held: a file inside it is refused, and check of the file names the directory.
    expect((await project.reservations.reserve({ actor: a.actor, patterns: ['codex/skills'], reason: 'reorganise skills' })).status).toBe('granted');
    const inner = await project.reservations.reserve({ actor: b.actor, patterns: ['codex/skills/flow-repair/run.sh'], reason: 'fix the script' });
    expect(inner).toMatchObject({ status: 'conflict', conflicts: [{ holder: a.name, heldPattern: 'codex/skills', example: 'codex/skills/flow-repair/run.sh', rule: dirRule }] });
    const checkFile = await project.reservations.check({ paths: ['codex/skills/flow-repair/run.sh', 'codex/skillset/a.sh', 'codex'] });
    expect(checkFile.results.map((r) => [r.target, r.conflicts.map((x) => [x.heldPattern, x.example])])).toEqual([
      ['codex/skills/flow-repair/run.sh', [['codex/skills', 'codex/skills/flow-repair/run.sh']]],
      ['codex/skillset/a.sh', []], // a name that begins with "skills" is not under it
      ['codex', [['codex/skills', 'codex/skills']]], // checking a parent reports what is held under it
    ]);
    await project.reservations.release({ actor: a.actor, all: true });

    // A file held: reserving its directory is refused, and check of the directory names the file.
    expect((await project.reservations.reserve({ actor: b.actor, patterns: ['codex/skills/flow-repair/run.sh'], reason: 'fix the script' })).status).toBe('granted');
    const outer = await project.reservations.reserve({ actor: c.actor, patterns: ['codex/skills'], reason: 'reorganise skills' });
    expect(outer).toMatchObject({ status: 'conflict', conflicts: [{ holder: b.name, heldPattern: 'codex/skills/flow-repair/run.sh', example: 'codex/skills/flow-repair/run.sh', rule: dirRule }] });
    const checkDir = await project.reservations.check({ paths: ['codex/skills'], patterns: ['codex/*'] });
    expect(checkDir.results.map((r) => [r.target, r.conflicts.map((x) => x.holder)])).toEqual([
      ['codex/skills', [b.name]],
      ['codex/*', []], // a glob keeps its meaning: `*` does not reach into codex/skills/flow-repair
    ]);
    // Globs are unchanged: `codex/skills/*` is one level, `codex/skills/**` every level.
    expect((await project.reservations.reserve({ actor: c.actor, patterns: ['codex/skills/*'], reason: 'top-level skills' })).status).toBe('granted');
    const all = await project.reservations.reserve({ actor: a.actor, patterns: ['codex/skills/**'], reason: 'all skills' });
    if (all.status !== 'conflict') throw new Error('expected a conflict');
    expect(all.conflicts.map((x) => [x.heldPattern, x.rule]).sort()).toEqual([
      ['codex/skills/*', 'codex/skills/** and codex/skills/* both match codex/skills/a'],
      ['codex/skills/flow-repair/run.sh', 'codex/skills/** matches codex/skills/flow-repair/run.sh'],
    ]);
  });

  it('reads a plain path with an extension as that one file, and one ending in "/" as a directory', async () => {
    const { client: project } = await ctx.createProject();
    const [docs, a, b] = await Promise.all([member(project), member(project), member(project)]);
    const holders = (r: { results: { target: string; conflicts: { heldPattern: string }[] }[] }) => r.results.map((x) => [x.target, x.conflicts.map((c) => c.heldPattern).sort()]);

    // A docs sweep over every markdown file does not stand in the way of reserving single files.
    expect((await project.reservations.reserve({ actor: docs.actor, patterns: ['**/*.md', '**/package.json'], reason: 'docs sweep' })).status).toBe('granted');
    expect((await project.reservations.reserve({ actor: a.actor, patterns: ['src/a.ts', 'config.d'], reason: 'edit a' })).status).toBe('granted');
    expect(holders(await project.reservations.check({ paths: ['src/a.ts', 'docs/guide.md'], asAgent: a.name }))).toEqual([
      ['src/a.ts', []],
      ['docs/guide.md', ['**/*.md']],
    ]);
    // (A directory would meet the sweep: `**/*.md` reaches into every directory. Out of the way for now.)
    await project.reservations.release({ actor: docs.actor, all: true });

    // `config.d` is a file by its form: a file under the name is free, the directory `config.d/` is not.
    expect((await project.reservations.reserve({ actor: b.actor, patterns: ['config.d/a.conf'], reason: 'conf' })).status).toBe('granted');
    const dir = await project.reservations.reserve({ actor: b.actor, patterns: ['config.d/'], reason: 'all of conf' });
    expect(dir).toMatchObject({ status: 'conflict', conflicts: [{ pattern: 'config.d/', heldPattern: 'config.d', holder: a.name, example: 'config.d', rule: 'both name config.d' }] });
    expect((await project.reservations.reserve({ actor: b.actor, patterns: ['etc.d/'], reason: 'etc' })).status).toBe('granted');
    const inside = await project.reservations.reserve({ actor: a.actor, patterns: ['etc.d/x.conf'], reason: 'one etc file' });
    expect(inside).toMatchObject({ status: 'conflict', conflicts: [{ heldPattern: 'etc.d/', example: 'etc.d/x.conf', rule: 'etc.d/ covers everything under it, including etc.d/x.conf' }] });

    expect(holders(await project.reservations.check({ paths: ['src/a.ts', 'config.d/', 'config.d', 'etc.d/y'] }))).toEqual([
      ['src/a.ts', ['src/a.ts']],
      ['config.d/', ['config.d', 'config.d/a.conf']],
      ['config.d', ['config.d']],
      ['etc.d/y', ['etc.d/']],
    ]);

    // `src/api/` and `src/api` are one directory: the second spelling extends the lease, and releases it.
    const first = await project.reservations.reserve({ actor: a.actor, patterns: ['src/api/'], reason: 'api' });
    const again = await project.reservations.reserve({ actor: a.actor, patterns: ['src/api', 'src/api/'], reason: 'api, longer', ttlSeconds: 7200 });
    if (first.status !== 'granted' || again.status !== 'granted') throw new Error('expected grants');
    expect(again.reservations.map((r) => [r.id, r.pattern, r.reason])).toEqual([[first.reservations[0]!.id, 'src/api/', 'api, longer']]);
    expect((await project.reservations.release({ actor: a.actor, patterns: ['src/api'] })).released.map((r) => r.pattern)).toEqual(['src/api/']);
  });

  it('answers check without writing, ignoring the asking agent and (for shared intent) shared leases', async () => {
    const { client: project } = await ctx.createProject();
    const [a, b] = await Promise.all([member(project), member(project)]);
    await project.reservations.reserve({ actor: a.actor, patterns: ['src/db/*.sql'], reason: 'migration' });
    await project.reservations.reserve({ actor: b.actor, patterns: ['docs/**'], exclusive: false, reason: 'reading' });
    const before = await observable(project);
    const check = await project.reservations.check({ paths: ['src/db/001.sql', 'src/db/x/001.sql', 'docs/a.md'], patterns: ['src/**/*.sql'] });
    expect(check.clear).toBe(false);
    expect(check.results.map((r) => [r.target, r.conflicts.map((c) => c.holder)])).toEqual([
      ['src/db/001.sql', [a.name]],
      ['src/db/x/001.sql', []],
      ['docs/a.md', [b.name]],
      ['src/**/*.sql', [a.name]],
    ]);
    expect((await project.reservations.check({ paths: ['src/db/001.sql'], asAgent: a.name })).clear).toBe(true);
    expect((await project.reservations.check({ paths: ['docs/a.md'], exclusive: false })).clear).toBe(true);
    expect(await observable(project)).toEqual(before);
  });

  it('releases by id, pattern or all, idempotently; renews from the later of now and expiry', async () => {
    const { client: project } = await ctx.createProject();
    const a = await member(project);
    const granted = await project.reservations.reserve({ actor: a.actor, patterns: ['a/x.ts', 'a/y.ts', 'a/z.ts'], reason: 'work', ttlSeconds: 600 });
    if (granted.status !== 'granted') throw new Error('expected a grant');
    const [x, y] = granted.reservations;
    const renewed = await project.reservations.renew({ actor: a.actor, ids: [x!.id], ttlSeconds: 600 });
    expect(Date.parse(renewed.renewed[0]!.expiresAt) - Date.parse(x!.expiresAt)).toBe(600_000);
    expect((await project.reservations.release({ actor: a.actor, ids: [x!.id] })).released).toHaveLength(1);
    expect((await project.reservations.release({ actor: a.actor, ids: [x!.id] })).released).toHaveLength(0);
    expect((await project.reservations.release({ actor: a.actor, patterns: [y!.pattern] })).released.map((r) => r.id)).toEqual([y!.id]);
    expect((await project.reservations.release({ actor: a.actor, all: true })).released.map((r) => r.pattern)).toEqual(['a/z.ts']);
    expect((await project.reservations.release({ actor: a.actor, all: true })).released).toEqual([]);
    const actions = (await project.reservations.audit()).entries.map((e) => e.action);
    expect(actions).toEqual(['grant', 'renew', 'release', 'release', 'release']);
  });

  it('returns the first answer to a retried request id, and records the pattern workflow acting for an agent', async () => {
    const { client: project } = await ctx.createProject();
    const a = await member(project);
    const actor = workflowActor('baton/x/code-review/1', a.name);
    const request = { actor, patterns: ['lib/**'], reason: 'review fixes', requestId: 'req-1' };
    const first = await project.reservations.reserve(request);
    const second = await project.reservations.reserve(request);
    expect(second).toEqual(first);
    const { reservations } = await project.reservations.list();
    expect(reservations).toHaveLength(1);
    expect(reservations[0]).toMatchObject({ holder: a.name, via: 'baton/x/code-review/1', requestId: 'req-1' });
    expect((await project.reservations.audit()).total).toBe(1);
  });

  it('refuses a request id reused for another request with its own error, and still answers the retry of the first', async () => {
    const { client: project } = await ctx.createProject();
    const a = await member(project);
    const request = { actor: a.actor, patterns: ['lib/a.ts'], reason: 'fix', requestId: 'req-2' };
    const first = await project.reservations.reserve(request);
    await expect(project.reservations.reserve({ ...request, patterns: ['lib/b.ts'] })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `requestId: "req-2" was already used by ${a.name} for another reservation request; use a new id for a new request (a retry must send the same request).`,
    });
    await expect(project.reservations.reserve({ ...request, reason: 'something else' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await project.reservations.reserve(request)).toEqual(first);
    expect((await project.reservations.list()).reservations.map((r) => r.pattern)).toEqual(['lib/a.ts']);
  });

  it('gives each bad input its specific error and leaves the state (and history) unchanged', async () => {
    const { client: project } = await ctx.createProject({ human: 'Alice' });
    const [a, b] = await Promise.all([member(project), member(project)]);
    const held = await project.reservations.reserve({ actor: b.actor, patterns: ['src/held.ts'], reason: 'mine' });
    if (held.status !== 'granted') throw new Error('expected a grant');
    const before = await observable(project);
    const events = await historyLength(project);
    const base = { actor: a.actor, reason: 'edit' };
    const refusals: [() => Promise<unknown>, string, string][] = [
      [() => project.reservations.reserve({ ...base, patterns: ['**'] }), 'INVALID_INPUT', 'reserve just the files'],
      [() => project.reservations.reserve({ ...base, patterns: ['src/a.ts', '**/*'] }), 'INVALID_INPUT', 'whole repository'],
      [() => project.reservations.reserve({ ...base, patterns: ['/etc/passwd'] }), 'INVALID_INPUT', 'absolute path'],
      [() => project.reservations.reserve({ ...base, patterns: ['src/../x'] }), 'INVALID_INPUT', '".." segment'],
      [() => project.reservations.reserve({ ...base, patterns: [''] }), 'INVALID_INPUT', 'is empty'],
      [() => project.reservations.reserve({ ...base, patterns: [] }), 'INVALID_INPUT', 'at least one'],
      [() => project.reservations.reserve({ ...base, patterns: Array.from({ length: 201 }, (_, i) => `f${i}.ts`) }), 'INVALID_INPUT', 'at most 200'],
      [() => project.reservations.reserve({ actor: a.actor, patterns: ['src/a.ts'], reason: ' ' }), 'INVALID_INPUT', 'reason'],
      [() => project.reservations.reserve({ ...base, patterns: ['src/a.ts'], ttlSeconds: -5 }), 'INVALID_INPUT', 'ttlSeconds'],
      [() => project.reservations.reserve({ ...base, patterns: ['src/{a.ts'] }), 'INVALID_INPUT', 'unclosed'],
      [() => project.reservations.reserve({ ...base, patterns: ['**'], allowBroad: true }), 'FORBIDDEN', 'Only a human'],
      // Identity as the workflow sees it: a verified member (name + the epoch the server saw). Tokens are
      // checked by the Baton server (see the test through the server below).
      [() => project.reservations.reserve({ actor: memberActor('NoSuchAgent'), patterns: ['src/a.ts'], reason: 'edit' }), 'UNAUTHORIZED', 'No member named "NoSuchAgent"'],
      [() => project.reservations.reserve({ actor: memberActor(a.name, 3), patterns: ['src/a.ts'], reason: 'edit' }), 'UNAUTHORIZED', 'was replaced'],
      // A pattern workflow acting for a human is not that human in person.
      [() => project.reservations.reserve({ actor: workflowActor('baton/x/code-review/1', 'Alice'), patterns: ['**'], allowBroad: true, reason: 'r' }), 'FORBIDDEN', 'pattern workflow'],
      [() => project.reservations.forceRelease({ actor: workflowActor('baton/x/code-review/1', 'Alice'), holder: b.name, reason: 'cleanup' }), 'FORBIDDEN', 'pattern workflow'],
      [() => project.reservations.release({ actor: a.actor, ids: [held.reservations[0]!.id] }), 'FORBIDDEN', `held by ${b.name}`],
      [() => project.reservations.release({ actor: a.actor }), 'INVALID_INPUT', 'exactly one'],
      [() => project.reservations.renew({ actor: a.actor, ids: ['r-nope'] }), 'NOT_FOUND', 'reserve the files again'],
      [() => project.reservations.forceRelease({ actor: a.actor, holder: b.name, reason: 'cleanup' }), 'FORBIDDEN', 'Only a human'],
      [() => project.reservations.forceRelease({ actor: a.actor, holder: b.name, reason: '' }), 'INVALID_INPUT', 'reason'],
      // Straight to the workflow, past the client's checks: the update validators refuse the same way.
      [() => project.channel.update(reserveUpdate, { ...base, patterns: ['**'] }), 'INVALID_INPUT', 'reserve just the files'],
      [() => project.channel.update(reserveUpdate, { ...base, patterns: ['a.ts'], ttlSeconds: 0 }), 'INVALID_INPUT', 'ttlSeconds'],
      [() => project.channel.update(forceReleaseUpdate, { actor: a.actor, holder: b.name, reason: 'x' }), 'FORBIDDEN', 'Only a human'],
    ];
    for (const [call, code, fragment] of refusals) {
      await expect(call()).rejects.toMatchObject({ code, message: expect.stringContaining(fragment) });
    }
    expect(await observable(project)).toEqual(before);
    expect(await historyLength(project)).toBe(events);
  });

  it('through the Baton server, the token says who acts: a wrong token, an agent on a human-only route and a body naming an actor are refused, and nothing changes', async () => {
    const { key, client: project, human } = await ctx.createProject({ human: 'Alice' });
    const [a, b] = await Promise.all([member(project), member(project)]);
    const at = (rest = '') => `/v1/projects/${key}/reservations${rest}`;
    const granted = await call(api.url, 'POST', at(), { token: a.token, body: { patterns: ['src/auth/login.ts'], reason: 'fix login' } });
    expect(granted).toMatchObject({ status: 200, body: { status: 'granted', reservations: [{ holder: a.name, pattern: 'src/auth/login.ts' }] } });
    const heldId = (granted.body as { reservations: { id: string }[] }).reservations[0]!.id;
    // check leaves out the caller's own leases: the server names the caller, not the body.
    expect(await call(api.url, 'POST', at('/check'), { token: a.token, body: { paths: ['src/auth/login.ts'] } })).toMatchObject({ status: 200, body: { clear: true } });
    expect(await call(api.url, 'POST', at('/check'), { token: b.token, body: { paths: ['src/auth/login.ts'] } })).toMatchObject({
      status: 200,
      body: { clear: false, results: [{ conflicts: [{ holder: a.name }] }] },
    });

    const before = await observable(project);
    const events = await historyLength(project);
    const reserve = { patterns: ['src/auth/*.ts'], reason: 'take it' };
    const refusals: [Promise<{ status: number; body: unknown }>, number, string, string][] = [
      [call(api.url, 'POST', at(), { token: newToken('agent').token, body: reserve }), 401, 'UNAUTHORIZED', 'belongs to no member'],
      [call(api.url, 'POST', at(), { body: reserve }), 401, 'UNAUTHORIZED', 'Who are you?'],
      [call(api.url, 'POST', at(), { token: b.token, member: a.name, body: reserve }), 401, 'UNAUTHORIZED', `This token is ${b.name}'s, not ${a.name}'s`],
      [call(api.url, 'POST', at('/release'), { token: newToken('agent').token, body: { all: true } }), 401, 'UNAUTHORIZED', 'belongs to no member'],
      [call(api.url, 'POST', at('/force-release'), { token: b.token, body: { holder: a.name, reason: 'mine now' } }), 403, 'FORBIDDEN', "This needs a human's token"],
      [call(api.url, 'POST', at(), { token: b.token, body: { ...reserve, actor: { kind: 'member', name: a.name } } }), 400, 'INVALID_INPUT', '"actor" cannot be given'],
      [call(api.url, 'POST', at('/release'), { token: b.token, body: { ids: [heldId] } }), 403, 'FORBIDDEN', `held by ${a.name}`],
      [call(api.url, 'POST', at(), { token: b.token, body: { patterns: ['**'], allowBroad: true, reason: 'all' } }), 403, 'FORBIDDEN', 'Only a human'],
      [call(api.url, 'POST', at(), { token: b.token, body: { patterns: ['src/x.ts'], reason: 'r', ttl: 60 } }), 400, 'INVALID_INPUT', 'unknown field "ttl"'],
    ];
    for (const [answer, status, code, fragment] of refusals) {
      expect(await answer).toEqual({ status, body: { error: expect.objectContaining({ code, message: expect.stringContaining(fragment) }) } });
    }
    expect(await observable(project)).toEqual(before);
    expect(await historyLength(project)).toBe(events);

    // The human's own token force-releases, recorded under the human's name.
    const forced = await call(api.url, 'POST', at('/force-release'), { token: human.token, body: { holder: a.name, reason: 'hotfix' } });
    expect(forced).toMatchObject({ status: 200, body: { released: [{ id: heldId }], notified: [a.name] } });
    expect((await project.reservations.audit()).entries.at(-1)).toMatchObject({ action: 'force-release', by: 'Alice', holder: a.name });
  });

  it('clamps the TTL and says so', async () => {
    const { client: project } = await ctx.createProject();
    const a = await member(project);
    const answer = await project.reservations.reserve({ actor: a.actor, patterns: ['x.ts'], reason: 'quick', ttlSeconds: 5 });
    expect(answer).toMatchObject({ status: 'granted', clampedTtl: { requestedSeconds: 5, appliedSeconds: 60 } });
    if (answer.status === 'granted') {
      const r = answer.reservations[0]!;
      expect(Date.parse(r.expiresAt) - Date.parse(r.createdAt)).toBe(60_000);
    }
  });

  it('lets a human force-release with a reason, recorded in the audit trail', async () => {
    const { client: project, human } = await ctx.createProject({ human: 'Alice' });
    const alice = founder(human);
    const [a, b] = await Promise.all([member(project), member(project)]);
    await project.reservations.reserve({ actor: a.actor, patterns: ['src/pay/*.ts'], reason: 'refactor' });
    await project.reservations.reserve({ actor: b.actor, patterns: ['src/pay/api/**'], reason: 'api' });
    const result = await project.reservations.forceRelease({ actor: alice.actor, patterns: ['src/pay/**'], reason: 'hotfix needs these files' });
    expect(result.notified.sort()).toEqual([a.name, b.name].sort());
    expect((await project.reservations.list()).total).toBe(0);
    const forced = (await project.reservations.audit()).entries.filter((e) => e.action === 'force-release');
    expect(forced).toHaveLength(2);
    for (const e of forced) expect(e).toMatchObject({ by: 'Alice', reason: 'hotfix needs these files' });
    const granted = await project.reservations.reserve({ actor: alice.actor, patterns: ['**'], allowBroad: true, reason: 'release freeze' });
    expect(granted.status).toBe('granted');
  });

  it('keeps reservations, audit trail and request ids intact across continue-as-new', async () => {
    const { client: project } = await ctx.createProject({ settings: { maxHistoryEvents: 50 } });
    const a = await member(project);
    const b = await member(project);
    const first = await project.reservations.reserve({ actor: a.actor, patterns: ['keep/a.ts', 'keep/{b,c}.ts'], reason: 'carried', requestId: 'carry-1' });
    for (let i = 0; (await project.describe()).generation === 0; i++) {
      if (i > 60) throw new Error('no continue-as-new after 60 updates');
      await project.reservations.reserve({ actor: b.actor, patterns: [`churn/${i}.ts`], reason: 'churn', ttlSeconds: 120 });
    }
    const described = await project.channel.handle().query(describeQuery);
    expect(described.generation).toBeGreaterThan(0);
    expect(await project.reservations.reserve({ actor: a.actor, patterns: ['keep/a.ts', 'keep/{b,c}.ts'], reason: 'carried', requestId: 'carry-1' })).toEqual(first);
    const conflict = await project.reservations.reserve({ actor: b.actor, patterns: ['keep/c.ts'], reason: 'after' });
    expect(conflict).toMatchObject({ status: 'conflict', conflicts: [{ holder: a.name, heldPattern: 'keep/{b,c}.ts' }] });
    const mine = await project.reservations.list({ holder: a.name });
    expect(mine.reservations.map((r) => r.pattern).sort()).toEqual(['keep/a.ts', 'keep/{b,c}.ts']);
    const audit = await project.reservations.audit({ limit: 1000 });
    expect(audit.entries[0]).toMatchObject({ seq: 1, action: 'grant', holder: a.name });
    expect(audit.total).toBe(audit.entries.length);
  });
});
