import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestContext, type TestContext } from '../support/temporal';
import { runBaton } from '../support/cli';
import { member } from '../../src/schemas/actor';
import type { WebhookBody } from '../../src/domain/notifications/payloads';
import type { NotificationsView } from '../../src/schemas/notifications';
import { startConsoleApi, type RunningApi } from '../console/support';
import { projectWorkflowId } from '../../src/domain/ids';
import { recordHistory, team, until, waitingFor } from '../patterns/support';
import { Receiver } from './receiver';

/**
 * Notifications that reach humans where they are, against the real server, worker and project
 * workflow, with a local HTTP endpoint standing in for the webhook and Slack: a decision reaches the
 * human's sinks once, linking to its page; urgent messages do, others do not; a sink that keeps
 * failing leaves a dead letter; the CLI manages sinks through the server.
 */
describe('notifications', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let receiver: Receiver;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await startConsoleApi(ctx);
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await receiver.close();
    await api.close();
    await ctx.close();
  });

  const linkBase = 'http://console.test';
  const view = (t: Awaited<ReturnType<typeof team>>, name: string): Promise<NotificationsView> => t.project.notifications.view(member(name));

  it('tells a human with a webhook sink of a decision once, linking to its page (and prints how long it took)', async () => {
    const t = await team(ctx, ['GreenCastle'], ['alice', 'bob'], {}, 'notify');
    await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/alice`, events: ['decision'] }, linkBase);
    await t.project.notifications.add(member('alice'), { kind: 'slack', url: `${receiver.url}/alice-slack` }, linkBase);
    const { workflowId: id } = await t.project.patterns.start(
      'sequential-handoff',
      { title: 'Login form', steps: [{ name: 'frontend', agent: 'GreenCastle', task: 'Build the login form', files: ['web/login/**'], onFail: 'human' }] },
      { startedBy: 'alice' },
    );
    await until(t.project, id, waitingFor('GreenCastle'));
    await t.project.patterns.fail(id, t.me('GreenCastle'), 'the design is missing');
    const waiting = await until(t.project, id, (s) => s.needsHuman);
    const decision = waiting.decision!;

    const hook = await receiver.next((r) => r.path === '/alice' && (r.body as WebhookBody).kind === 'decision');
    console.log(`webhook notified ${hook.at - Date.parse(decision.since)} ms after the decision opened (decision.since ${decision.since})`);
    const body = hook.body as WebhookBody;
    expect(body).toMatchObject({
      project: t.key,
      kind: 'decision',
      to: 'alice',
      title: 'Decision needed: Login form',
      link: `${linkBase}/p/${encodeURIComponent(t.key)}/run/sequential-handoff/${encodeURIComponent(id.split('/').pop()!)}`,
      event: { kind: 'decision', workflowId: id, decisionId: decision.id, step: 'frontend', askedBy: 'GreenCastle', deadline: decision.deadline },
    });
    expect(body.text).toContain('the design is missing');
    expect(hook.headers['x-baton-notification']).toBe(body.id);

    const slack = await receiver.next((r) => r.path === '/alice-slack');
    expect(slack.body).toMatchObject({ text: expect.stringContaining('Decision needed: Login form'), blocks: [{ type: 'section' }, { type: 'context' }] });

    // The same decision announced again (a retried activity without its key) is not a second notification.
    await t.project.messages.notify({ actor: { kind: 'workflow', workflowId: id, onBehalfOf: 'GreenCastle' }, to: ['alice'], subject: 'again', body: 'again', event: body.event });
    await t.project.messages.notify({ actor: { kind: 'workflow', workflowId: id, onBehalfOf: 'GreenCastle' }, to: ['alice'], subject: 'marker', body: 'marker', importance: 'urgent' });
    await receiver.next((r) => r.path === '/alice-slack' && JSON.stringify(r.body).includes('marker'));
    expect(receiver.on('/alice').filter((r) => (r.body as WebhookBody).kind === 'decision')).toHaveLength(1);

    // bob has no sink; alice's deliveries are recorded.
    expect((await view(t, 'alice')).recent.filter((d) => d.kind === 'decision').map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect((await view(t, 'bob')).sinks).toEqual([]);
    await t.project.patterns.cancel(id, t.me('alice'), 'test over');
  });

  it('notifies urgent messages to a human (not normal ones), and records a dead letter for a sink that keeps failing', async () => {
    const t = await team(ctx, ['SwiftEagle'], ['alice'], {}, 'notify');
    await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/urgent-${t.key}` }, linkBase);
    const gone = await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/gone-${t.key}`, events: ['urgent-message'] }, linkBase);
    const flaky = await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/flaky-${t.key}`, events: ['urgent-message'] }, linkBase);
    receiver.answer(`/gone-${t.key}`, 404);
    receiver.answer(`/flaky-${t.key}`, 503, 503);

    await t.project.messages.send(member('SwiftEagle'), { to: ['alice'], subject: 'fyi', body: 'normal' });
    await t.project.messages.send(member('SwiftEagle'), { to: ['alice'], subject: 'prod is down', body: 'help', importance: 'urgent' });
    const urgent = await receiver.next((r) => r.path === `/urgent-${t.key}`);
    expect(urgent.body).toMatchObject({ kind: 'urgent-message', title: 'Urgent from SwiftEagle: prod is down', event: { from: 'SwiftEagle' } });
    expect(receiver.on(`/urgent-${t.key}`)).toHaveLength(1);

    // 404: not retried, a dead letter at once; 503 twice: delivered on the third attempt.
    let v = await view(t, 'alice');
    for (let i = 0; i < 100 && !(v.deadLetters.length && v.recent.some((d) => d.sinkId === flaky.id)); i++) {
      await new Promise((r) => setTimeout(r, 200));
      v = await view(t, 'alice');
    }
    expect(v.deadLetters).toEqual([expect.objectContaining({ sinkId: gone.id, status: 'dead', attempts: 1, error: expect.stringContaining('404'), title: 'Urgent from SwiftEagle: prod is down' })]);
    expect(v.recent.find((d) => d.sinkId === flaky.id)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(receiver.on(`/flaky-${t.key}`)).toHaveLength(3);
    // A replay fixture of a project workflow with sinks, deliveries, retries and a dead letter.
    await recordHistory(ctx, projectWorkflowId(t.key), 'notified-a-human');
  });

  it('tells the humans of an escalation (a step nobody reports on past its deadline)', async () => {
    const t = await team(ctx, ['GreenCastle'], ['alice'], {}, 'notify');
    await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/escalations-${t.key}`, events: ['escalation'] }, linkBase);
    const { workflowId: id } = await t.project.patterns.start(
      'sequential-handoff',
      { title: 'Quiet step', deadlines: { reminderAfter: '1s', escalateAfter: '2s' }, steps: [{ name: 'build', agent: 'GreenCastle', task: 'Build it', files: ['src/quiet/**'] }] },
      { startedBy: 'alice' },
    );
    const escalation = await receiver.next((r) => r.path === `/escalations-${t.key}`);
    expect(escalation.body).toMatchObject({ kind: 'escalation', to: 'alice', title: 'Escalated: Quiet step', event: { workflowId: id, step: 'build' } });
    expect((escalation.body as WebhookBody).text).toContain('GreenCastle has not reported on step "build"');
    await t.project.patterns.cancel(id, t.me('alice'), 'test over');
  });

  it('tells the humans of an alert (hoarding), once per time it is raised', async () => {
    const t = await team(ctx, ['SwiftEagle'], ['alice'], { alerts: { maxLeasesPerAgent: 1, scanEverySeconds: 1 } }, 'notify');
    await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/alerts-${t.key}`, events: ['alert'] }, linkBase);
    await t.project.reservations.reserve({ actor: member('SwiftEagle'), patterns: ['src/a.ts', 'src/b.ts'], reason: 'both' });
    const alert = await receiver.next((r) => r.path === `/alerts-${t.key}`);
    expect(alert.body).toMatchObject({ kind: 'alert', to: 'alice', title: expect.stringContaining('Alert (reservation-hoarding)'), link: `${linkBase}/p/${encodeURIComponent(t.key)}`, event: { alertKind: 'reservation-hoarding', agent: 'SwiftEagle' } });
    // Later scans see the same condition (the alert's count grows): no second notification while it lasts.
    let seen = 0;
    for (let i = 0; i < 100 && seen < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = (await t.project.alerts.list()).active.find((a) => a.kind === 'reservation-hoarding')?.count ?? 0;
    }
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(receiver.on(`/alerts-${t.key}`)).toHaveLength(1);
  });

  it('refuses sinks to agents and bad sinks, and masks sink URLs', async () => {
    const t = await team(ctx, ['SwiftEagle'], ['alice'], {}, 'notify');
    await expect(t.project.notifications.add(member('SwiftEagle'), { kind: 'webhook', url: `${receiver.url}/x` }, linkBase)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(t.project.notifications.add(member('alice'), { kind: 'webhook' }, linkBase)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('sink.url: is required for a webhook sink') });
    await expect(t.project.notifications.add(member('alice'), { kind: 'slack', url: 'ftp://x' }, linkBase)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('sink.url: must be an http(s) URL') });
    const sink = await t.project.notifications.add(member('alice'), { kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/SECRETXYZ' }, linkBase);
    expect(sink.target).toBe('https://hooks.slack.com/…TXYZ');
    await expect(t.project.notifications.add(member('alice'), { kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/SECRETXYZ' }, linkBase)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('manages sinks with `baton notify` through the server (add, test, list, remove)', async () => {
    const t = await team(ctx, ['SwiftEagle'], ['alice'], {}, 'notify');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-notify-'));
    const env = { BATON_SERVER: api.url, BATON_PROJECT: t.key, XDG_CONFIG_HOME: dir, BATON_CREDENTIALS: path.join(dir, 'a.json'), BATON_HUMAN_CREDENTIALS: path.join(dir, 'h.json'), BATON_AGENT: '', BATON_TOKEN: '', BATON_HUMAN_TOKEN: t.tokens.alice! };

    const added = await runBaton(env, 'notify', 'add', 'webhook', `${receiver.url}/cli-${t.key}`, '--events', 'decision,alert', '--json');
    expect(added.code).toBe(0);
    const sink = JSON.parse(added.stdout) as { id: string; events: string[] };
    expect(sink.events).toEqual(['decision', 'alert']);

    expect((await runBaton(env, 'notify', 'test', sink.id)).code).toBe(0);
    const test = await receiver.next((r) => r.path === `/cli-${t.key}`);
    expect(test.body).toMatchObject({ kind: 'test', to: 'alice', link: `${api.url}/` });

    const listed = await runBaton(env, 'notify', 'list');
    expect(listed.stdout).toContain(sink.id);
    const typo = await runBaton(env, 'notify', 'add', 'webhook', `${receiver.url}/x`, '--events', 'decisions');
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('"decisions" is not a kind');

    const asAgent = await runBaton({ ...env, BATON_HUMAN_TOKEN: t.tokens.SwiftEagle! }, 'notify', 'add', 'desktop');
    expect(asAgent.code).not.toBe(0);
    expect(asAgent.stderr).toContain("This needs a human's token");

    expect((await runBaton(env, 'notify', 'remove', sink.id)).code).toBe(0);
    expect((await view(t, 'alice')).sinks).toEqual([]);
  });
});
