import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { BatonClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import { hashToken } from '../../src/domain/agents/token-hash';
import { projectWorkflowId } from '../../src/domain/ids';
import { member } from '../../src/schemas/actor';
import type { DeliveryRequest } from '../../src/schemas/notifications';
import { BatonKind, BatonProject } from '../../src/search-attributes';
import type { DeliverInput } from '../../src/workflows/project/delivery-api';
import { createTimeSkippingContext, type TimeSkippingContext } from '../time/time-skipping';

/**
 * The notifications module's clock, in workflow time on Temporal's time-skipping test server: a burst
 * over the rate limit goes out as one digest when the window has room, and a human's lease is
 * announced before it expires. The real project workflow runs; the delivery activities record what
 * they were asked to send and when (workflow time).
 */
const MINUTE = 60_000;

describe('notifications over time', () => {
  let ts: TimeSkippingContext;
  beforeAll(async () => {
    ts = await createTimeSkippingContext([]);
  });
  afterAll(() => ts?.close());

  it('holds a burst over the rate limit and sends it as one digest; warns of a lease 10 minutes before it expires', async () => {
    const env = ts.env;
    const taskQueue = `notify-time-${randomUUID()}`;
    const sent: { atMs: number; request: DeliveryRequest }[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: process.env.BATON_TEST_BUNDLE! },
      activities: {
        async deliverNotification(request: DeliveryRequest) {
          sent.push({ atMs: Context.current().info.currentAttemptScheduledTimestampMs, request });
          return { status: 200, attempt: Context.current().info.attempt };
        },
        async deliverMessage(input: DeliverInput) {
          return { delivered: input.to.length };
        },
      },
    });
    const baton = new BatonClient(env.client, { ...loadConfig(), taskQueue });
    const key = `time-${randomUUID().slice(0, 8)}`;
    const project = baton.project(key);

    await worker.runUntil(async () => {
      await env.client.workflow.start('projectWorkflow', {
        workflowId: projectWorkflowId(key),
        taskQueue,
        args: [{ project: key, settings: {}, generation: 0, founder: { name: 'alice', tokenHash: hashToken(`bh_${randomUUID().replace(/-/g, '')}`) } }],
        typedSearchAttributes: [
          { key: BatonProject, value: key },
          { key: BatonKind, value: 'project' },
        ],
      });
      await project.agents.register({ name: 'SwiftEagle' });
      await project.notifications.add(member('alice'), { kind: 'webhook', url: 'http://sink.test/alice' }, 'http://console.test');

      // A burst of 8 urgent messages: 6 go out (the limit per minute), 2 wait for one digest.
      for (let i = 1; i <= 8; i++) await project.messages.send(member('SwiftEagle'), { to: ['alice'], subject: `urgent ${i}`, body: 'now', importance: 'urgent' });
      await env.sleep(2 * MINUTE);
      const titles = sent.map((s) => s.request.notification.title);
      expect(titles.filter((t) => t.startsWith('Urgent from SwiftEagle'))).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Urgent from SwiftEagle: urgent ${i}`));
      const digest = sent.find((s) => s.request.notification.kind === 'digest')!;
      expect(digest.request.notification).toMatchObject({ title: `2 notifications in project ${key}`, text: '- Urgent from SwiftEagle: urgent 7\n- Urgent from SwiftEagle: urgent 8', path: '/' });
      expect(digest.request.link).toBe('http://console.test/');
      // Held until the first send left the window (workflow time; an activity is scheduled a task
      // after the workflow decided, so the first one's timestamp trails its decision a little).
      const firstSent = sent[0]!.atMs;
      expect(digest.atMs - firstSent).toBeGreaterThan(MINUTE - 1000);
      expect(digest.atMs - sent[5]!.atMs).toBeGreaterThan(MINUTE / 2);

      // alice's lease of an hour: a warning 10 minutes before it ends, once.
      const granted = await project.reservations.reserve({ actor: member('alice'), patterns: ['src/a.ts'], reason: 'hotfix', ttlSeconds: 3600 });
      if (granted.status !== 'granted') throw new Error('expected a grant');
      const expiresAt = Date.parse(granted.reservations[0]!.expiresAt);
      await env.sleep(55 * MINUTE);
      const warnings = sent.filter((s) => s.request.notification.kind === 'lease-expiring');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.request.notification.title).toBe(`Your reservation of src/a.ts expires at ${granted.reservations[0]!.expiresAt}`);
      expect(warnings[0]!.atMs).toBeGreaterThanOrEqual(expiresAt - 10 * MINUTE);
      expect(warnings[0]!.atMs).toBeLessThan(expiresAt - 9 * MINUTE);
    });
  }, 120_000);
});
