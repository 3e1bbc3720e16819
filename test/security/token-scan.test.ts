import { randomBytes } from 'node:crypto';
import type { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { BatonApi } from '../../src/api-client';
import { BatonProject } from '../../src/search-attributes';
import { baton, bearer, createTeam, mcpSession, projectRuns, scanHistories, securityEnv, shell, toolOk, tokensIn, until, type SecurityEnv } from './support';

/**
 * No token in any workflow history: tokens live only between people and the Baton server, which hands
 * workflows a verified member, never the token (issue #12). A full scenario runs through every surface;
 * then every history of the project's workflows is read as anyone with namespace access (or the Web
 * UI) could read it, and searched for every token issued, rotated-away ones included.
 */
describe('security: the token scan', () => {
  let env: SecurityEnv;
  beforeAll(async () => {
    env = await securityEnv();
  });
  afterAll(() => env.close());

  it('the scan finds a planted token, raw in a workflow input or base64 in a memo (so it can fail)', async () => {
    const key = env.ctx.project('sec-planted');
    const raw = `bt_${randomBytes(24).toString('base64url')}`;
    const encoded = `bh_${randomBytes(24).toString('base64url')}`;
    const absent = `bt_${randomBytes(24).toString('base64url')}`;
    const handle = await env.ctx.client.workflow.start('plantedTokenWorkflow', {
      workflowId: `baton/${key}/planted/1`,
      // Nobody polls this queue: the started event (with its input) is all the history there is.
      taskQueue: `${env.ctx.taskQueue}-nobody`,
      args: [{ note: 'a careless input', token: raw }],
      memo: { leaked: Buffer.from(encoded).toString('base64') },
      typedSearchAttributes: [{ key: BatonProject, value: key }],
    });
    try {
      await until(() => projectRuns(env.ctx.client, [key]), (runs) => runs.length === 1, 'the planted workflow in visibility');
      const scan = await scanHistories(env.ctx.client, [key], [raw, encoded, absent]);
      expect(scan.findings.map((f) => [f.token, f.form, f.eventType])).toEqual([
        [raw, 'raw', 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'],
        [encoded, 'base64', 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'],
      ]);
    } finally {
      await handle.terminate('planted by the scan self-test');
    }
  });

  it('after a full scenario through the server, the CLI and MCP, no token issued appears in any history of the project', async () => {
    const issued = new Set<string>();
    const keep = <T extends { token: string }>(x: T): T => (issued.add(x.token), x);

    // init and invite (HTTP)
    const t = await createTeam(env, { prefix: 'sec-scan', humans: ['alice', 'bob'], agents: ['SwiftEagle', 'BoldMountain'] });
    for (const m of Object.values(t.members)) issued.add(m.token);
    const key = t.key;

    // register through the CLI and through MCP
    const cli = await baton(shell(env, key), 'register', '--name', 'CalmHarbor', '--json');
    expect(cli.code).toBe(0);
    tokensIn(cli.stdout).forEach((x) => issued.add(x));
    const anonymous: McpClient = await mcpSession(env, key);
    const viaMcp = keep(await toolOk<{ name: string; token: string }>(anonymous, 'register', { program: 'claude-code', task: 'docs' }));
    await anonymous.close();
    const registeredMcp = await mcpSession(env, key, bearer(viaMcp.token));
    await toolOk(registeredMcp, 'reserve', { patterns: ['docs/**'], reason: 'rewriting the docs' });
    await registeredMcp.close();

    // reserve and release (HTTP and MCP with a token)
    await t.as('SwiftEagle').reservations.reserve({ patterns: ['src/auth/**'], reason: 'login rewrite' });
    const swiftMcp = await mcpSession(env, key, bearer(t.token('SwiftEagle')));
    await toolOk(swiftMcp, 'release', { all: true });
    await swiftMcp.close();

    // send, broadcast, reply, ack
    const sent = await t.as('alice').messages.send({ to: ['BoldMountain'], subject: 'Deploy plan', body: 'Please confirm.', ackRequired: true });
    await t.as('alice').messages.broadcast({ subject: 'Freeze', body: 'Code freeze at 5pm.' });
    await t.as('BoldMountain').messages.reply(sent.messageId, { body: 'Confirmed.' });
    await t.as('BoldMountain').messages.ack(sent.messageId);

    // rotate tokens (an agent its own; a human another's) and retire a member
    t.members.SwiftEagle!.token = keep(await t.as('SwiftEagle').agents.rotateToken('SwiftEagle')).token;
    t.members.bob!.token = keep(await t.as('alice').agents.rotateToken('bob')).token;
    const retired = await baton(shell(env, key, { BATON_AGENT: 'CalmHarbor', BATON_TOKEN: tokensIn(cli.stdout)[0]! }), 'retire');
    expect(retired.code).toBe(0);
    await new BatonApi({ baseUrl: env.url, token: viaMcp.token }).project(key).reservations.release({ all: true });

    // a sequential handoff: a failed step, a human's approval, two handoffs
    const run = await t.as('alice').patterns.start('sequential-handoff', {
      title: 'Sign-up',
      steps: [
        { name: 'schema', agent: 'SwiftEagle', task: 'users table', files: ['db/**'] },
        { name: 'api', agent: 'BoldMountain', task: 'POST /users', files: ['api/**'] },
      ],
    });
    const status = () => t.client.patterns.status(run.workflowId);
    const assigned = (agent: string) => until(status, (s) => s.assigned.some((a) => a.agent === agent), `${agent}'s step`);
    await assigned('SwiftEagle');
    await t.as('SwiftEagle').patterns.fail(run.workflowId, 'the database is down');
    await until(status, (s) => s.decision !== undefined, 'a human decision');
    await t.as('alice').patterns.approve(run.workflowId, 'it is back up');
    await assigned('SwiftEagle');
    const handoff = (what: string, where: string) => ({ whatWasDone: what, where: [where], howToTest: 'npm test' });
    await t.as('SwiftEagle').patterns.done(run.workflowId, { summary: 'table ready', handoff: handoff('Created the users table with an email index', 'db/001_users.sql') });
    await assigned('BoldMountain');
    await t.as('BoldMountain').patterns.done(run.workflowId, { summary: 'endpoint ready', handoff: handoff('Implemented POST /users with input validation', 'api/users.ts') });
    await until(status, (s) => s.state === 'completed', 'the handoff to complete');

    // shut down (CLI, confirmed), then re-create the key (the ended run's human, through the server)
    expect(await baton(shell(env, key, { BATON_HUMAN_TOKEN: t.token('alice') }), 'shutdown', '--reason', 'scan done', '--confirm', key)).toMatchObject({ code: 0 });
    const replaced = keep(await new BatonApi({ baseUrl: env.url, token: t.token('alice') }).initProject({ project: key, human: 'alice', replace: true }));
    expect(replaced.replaced).toBe(true);

    const tokens = [...issued];
    // 2 humans + 2 agents + CLI + MCP registrations, 2 rotations, the re-created project's human.
    expect(tokens).toHaveLength(9);
    expect(tokens.every((x) => /^b[th]_/.test(x))).toBe(true);

    const expected = [`baton/${key}/project`, run.workflowId, ...['alice', 'bob', 'swifteagle', 'boldmountain', 'calmharbor', viaMcp.name.toLowerCase()].map((n) => `baton/${key}/mailbox/${n}`)];
    // Visibility is eventually consistent: wait until it lists every workflow the scenario started.
    const runs = await until(() => projectRuns(env.ctx.client, [key]), (all) => expected.every((id) => all.some((r) => r.workflowId === id)) && all.filter((r) => r.workflowId === expected[0]).length === 2, 'every workflow of the project in visibility');
    const scan = await scanHistories(env.ctx.client, [key], tokens);
    expect(scan.runs).toBeGreaterThanOrEqual(runs.length);
    expect(scan.events).toBeGreaterThan(200);
    expect(scan.findings).toEqual([]);
  });
});
