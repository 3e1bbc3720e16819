import type { WorkflowHandle } from '@temporalio/client';
import { claimUpdate, postMortemUpdate } from '../../src/patterns/emergency-response/api';
import { approveSignal, doneUpdate, failUpdate, progressUpdate, rejectSignal, statusQuery } from '../../src/patterns/kit/api';
import { MAX_UPDATES_PER_RUN } from '../../src/patterns/kit/run';
import { introduceUpdate } from '../../src/patterns/onboarding/api';
import type { PatternResult } from '../../src/schemas/patterns';
import { createTimeSkippingContext, sentTo, startPattern, timesOf, untilStatus, type Member, type TimeSkippingContext } from './time-skipping';

/**
 * Every pattern's reminders, escalations, deadlines and retries in workflow time, on the time-skipping
 * test server with the real workflows and the project stubbed (test/time/time-skipping.ts): hours pass
 * in a second. A deadline must fire at its time (within a minute of slack for the worker's next task)
 * and not before.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SLACK = MINUTE;
const within = (times: number[], from: number, after: number) => times.map((t) => t - from >= after && t - from < after + SLACK);

const agents: Member[] = [
  { name: 'SilverPhoenix', kind: 'agent' },
  { name: 'BoldMountain', kind: 'agent' },
];
const alice: Member = { name: 'alice', kind: 'human' };
const handoff = (what: string, where: string) => ({ whatWasDone: `${what} with tests and docs`, where: [where], howToTest: 'run npm test -- feature' });
const report = {
  progress: (h: WorkflowHandle, agent: string, note: string) => h.executeUpdate(progressUpdate, { args: [{ agent, note }] }),
  done: (h: WorkflowHandle, agent: string, summary: string, where = 'src/feature.ts') => h.executeUpdate(doneUpdate, { args: [{ agent, summary, handoff: handoff(summary, where) }] }),
  confirm: (h: WorkflowHandle, agent: string, summary: string) => h.executeUpdate(doneUpdate, { args: [{ agent, summary }] }),
  fail: (h: WorkflowHandle, agent: string, reason: string) => h.executeUpdate(failUpdate, { args: [{ agent, reason }] }),
};
const open = (agent: string, step?: string) => (s: { assigned: { agent: string; step: string }[] }) => s.assigned.some((a) => a.agent === agent && (step === undefined || a.step === step));

describe('pattern deadlines and retries (time-skipping test server)', () => {
  let ctx: TimeSkippingContext;
  let n = 0;
  const id = (what: string) => `${what}-${++n}`;
  const started = Date.now();
  beforeAll(async () => {
    ctx = await createTimeSkippingContext([...agents, alice]);
  });
  afterAll(async () => {
    await ctx?.close();
    process.stdout.write(`time-skipping patterns suite: ${((Date.now() - started) / 1000).toFixed(1)}s wall time\n`);
  });

  it('Parallel Development: a silent agent is nudged at the checkpoint and the humans told after the grace; a failed integration run goes to a human, who runs it again', async () => {
    ctx.commands.set('integration tests', [{ exitCode: 1, output: 'one test failed' }]);
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'parallelDevelopmentWorkflow', 'parallel-development', id('parallel'), {
        title: 'Two parts',
        checkpointEvery: '1h',
        checkpointGrace: '15m',
        workdir: '/srv/checkouts/web',
        workers: [
          { agent: 'SilverPhoenix', task: 'Build the API', files: ['src/api/**'] },
          { agent: 'BoldMountain', task: 'Build the UI', files: ['web/**'] },
        ],
        integration: { command: 'npm test' },
      });
      const assigned = await untilStatus(h, 'both tasks', (s) => s.assigned.length === 2);
      const [from] = timesOf(assigned, 'assigned');
      await report.progress(h, 'SilverPhoenix', 'API half done');
      await ctx.env.sleep(HOUR + 20 * MINUTE);
      const nudged = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(nudged, 'checkpoint', 'parallel work'), from!, HOUR)).toEqual([true]);
      expect(nudged.timeline.find((e) => e.kind === 'checkpoint')!.text).toBe('checkpoint 1: SilverPhoenix checked in; missed: BoldMountain');
      expect(within(timesOf(nudged, 'escalated', 'parallel work'), from!, HOUR + 15 * MINUTE)).toEqual([true]);
      expect(nudged.escalations).toEqual([expect.objectContaining({ text: expect.stringContaining('BoldMountain missed a checkpoint of "Two parts"') })]);
      expect(sentTo(ctx.notices, 'BoldMountain', /^Checkpoint missed/)).toHaveLength(1);
      expect(sentTo(ctx.notices, 'SilverPhoenix', /^Checkpoint missed/)).toHaveLength(0);
      // The missed checkpoint reached the project's alerts.
      expect(ctx.writes.some((w) => w.input.signals.some((sig) => sig.kind === 'checkpoint-missed' && sig.agent === 'BoldMountain'))).toBe(true);

      await report.done(h, 'SilverPhoenix', 'API built', 'src/api/parts.ts');
      await report.done(h, 'BoldMountain', 'UI built', 'web/parts.tsx');
      const failed = await untilStatus(h, 'the integration decision', (s) => s.needsHuman);
      expect(failed.decision!.question).toContain('integration tests failed (exit 1)');
      await h.signal(approveSignal, { approver: 'alice', decisionId: failed.decision!.id, comment: 'fixed the flaky test' });
      const result = (await h.result()) as PatternResult;
      expect(result.outcome).toBe('completed');
      expect(result.steps.find((s) => s.name === 'integration')).toMatchObject({ attempts: 2, outcome: 'done' });
    });
  });

  it('Code Review: the reviewer is reminded, then the humans told; the approval counts for the author; the author confirms the merge', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'codeReviewWorkflow', 'code-review', id('review'), {
        title: 'Login',
        author: 'SilverPhoenix',
        reviewer: 'alice',
        task: 'Implement POST /login',
        files: ['src/auth/**'],
        deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
      });
      await untilStatus(h, 'the implementation', open('SilverPhoenix', 'implementation'));
      await report.done(h, 'SilverPhoenix', 'login ready', 'src/auth/login.ts');
      const review = await untilStatus(h, 'the review', (s) => s.needsHuman && s.step === 'review 1');
      const [from] = timesOf(review, 'step-started', 'review 1');
      await ctx.env.sleep(2 * HOUR + 10 * MINUTE);
      const late = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(late, 'reminder', 'review 1'), from!, 30 * MINUTE)).toEqual([true]);
      expect(within(timesOf(late, 'escalated', 'review 1'), from!, 2 * HOUR)).toEqual([true]);
      expect(sentTo(ctx.notices, 'alice', /^Reminder: Login waits for your review/)).toHaveLength(1);

      await h.signal(approveSignal, { approver: 'alice', decisionId: review.decision!.id, comment: 'clean' });
      await untilStatus(h, 'the merge', open('SilverPhoenix', 'merge'));
      await report.confirm(h, 'SilverPhoenix', 'merged as abc123');
      expect(((await h.result()) as PatternResult).outcome).toBe('completed');
      // The reviewer's approval is the acceptance that counts the author's task (nothing else counted it).
      const credited = ctx.writes.filter((w) => w.input.actor.workflowId === h.workflowId).flatMap((w) => w.input.credit);
      expect(credited).toEqual(['SilverPhoenix']);
    });
  });

  it('a human decision has deadlines: the approvers are reminded, then every human is told; a rejection naming the decision stops the run', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'sequentialHandoffWorkflow', 'sequential-handoff', id('decision'), {
        title: 'Migration',
        deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
        approvers: ['alice'],
        steps: [{ name: 'database', agent: 'SilverPhoenix', task: 'Migrate', files: ['db/**'], onFail: 'human' }],
      });
      await untilStatus(h, 'the step', open('SilverPhoenix'));
      await report.fail(h, 'SilverPhoenix', 'the lock problem');
      const asked = await untilStatus(h, 'the decision', (s) => s.needsHuman);
      const [from] = timesOf(asked, 'decision-requested', 'database');
      await ctx.env.sleep(2 * HOUR + 10 * MINUTE);
      const late = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(late, 'reminder', 'database'), from!, 30 * MINUTE)).toEqual([true]);
      expect(within(timesOf(late, 'escalated', 'database'), from!, 2 * HOUR)).toEqual([true]);
      expect(late.escalations![0]!.text).toContain(`Nobody has decided yet (${asked.decision!.id})`);
      expect(sentTo(ctx.notices, 'alice', /reminder: decision needed on Migration/)).toHaveLength(1);
      await h.signal(rejectSignal, { approver: 'alice', decisionId: asked.decision!.id, reason: 'not this week' });
      expect((await h.result()) as PatternResult).toMatchObject({ outcome: 'aborted', reason: expect.stringContaining('alice stopped the workflow: not this week') });
    });
  });

  it('Emergency Response: an unclaimed alert is broadcast again, then escalated; the deploy waits for a human; a missing post-mortem is reminded, then escalated', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'emergencyResponseWorkflow', 'emergency-response', id('emergency'), {
        title: 'Payments 500s',
        description: 'POST /charge returns 500',
        files: ['src/payments/**'],
        claimWithin: '10m',
        deadlines: { reminderAfter: '5m', escalateAfter: '15m' },
        workdir: '/srv/checkouts/web',
        staging: { command: 'npm run test:staging' },
        deploy: { command: './deploy.sh' },
        healthCheck: { command: 'curl -fsS localhost/health' },
        monitorWindow: '5m',
      });
      const alerting = await untilStatus(h, 'the alert', (s) => s.step === 'claim');
      const [from] = timesOf(alerting, 'started');
      await ctx.env.sleep(11 * MINUTE);
      const unclaimed = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(unclaimed, 'reminder', 'claim'), from!, 5 * MINUTE)).toEqual([true]);
      expect(within(timesOf(unclaimed, 'escalated', 'claim'), from!, 10 * MINUTE)).toEqual([true]);
      expect(sentTo(ctx.notices, 'BoldMountain', /^\[emergency\]/).map((m) => m.subject)).toEqual(['[emergency] Payments 500s', '[emergency] still unclaimed: Payments 500s']);

      await h.executeUpdate(claimUpdate, { args: [{ agent: 'SilverPhoenix' }] });
      await untilStatus(h, 'the fix', open('SilverPhoenix', 'fix'));
      await report.done(h, 'SilverPhoenix', 'null customer guarded', 'src/payments/charge.ts');
      // The deploy waits for a human, however long: only the fix and the staging test ran.
      const asking = await untilStatus(h, 'the deploy approval', (s) => s.needsHuman);
      expect(asking.steps.map((s) => s.name)).toEqual(['fix', 'staging']);
      await ctx.env.sleep(30 * MINUTE);
      expect((await h.query(statusQuery)).steps.map((s) => s.name)).toEqual(['fix', 'staging']);
      await h.signal(approveSignal, { approver: 'alice', decisionId: asking.decision!.id, comment: 'go' });

      const postMortem = await untilStatus(h, 'the post-mortem wait', (s) => s.step === 'post-mortem' && s.waitingFor.includes('SilverPhoenix'));
      expect(postMortem.steps.map((s) => s.name)).toEqual(['fix', 'staging', 'deploy', 'monitoring']);
      const pmFrom = Math.max(...timesOf(postMortem, 'step-finished', 'monitoring'));
      await ctx.env.sleep(16 * MINUTE);
      const missing = await untilStatus(h, 'the post-mortem escalation', (s) => s.escalated);
      expect(within(timesOf(missing, 'reminder', 'post-mortem'), pmFrom, 5 * MINUTE)).toEqual([true]);
      expect(within(timesOf(missing, 'escalated', 'post-mortem'), pmFrom, 15 * MINUTE)).toEqual([true]);
      await h.executeUpdate(postMortemUpdate, { args: [{ agent: 'SilverPhoenix', summary: 'charges failed', rootCause: 'a null customer', learnings: ['guard optional fields'] }] });
      expect(((await h.result()) as PatternResult).outcome).toBe('completed');
    });
  });

  it('Onboarding: the humans are reminded to introduce, then told; the welcome is the human\'s; the lead is reminded to give more work; trust is polled until earned', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'onboardingWorkflow', 'onboarding', id('onboarding'), {
        title: 'Onboarding SilverPhoenix',
        agent: 'SilverPhoenix',
        lead: 'alice',
        starterTask: { task: 'Fix the README', files: ['README.md'] },
        deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
        integrationDeadlines: { reminderAfter: '1d', escalateAfter: '3d' },
        trustPollEvery: '10m',
      });
      const intro = await untilStatus(h, 'the introduction', (s) => s.step === 'introduction');
      const [from] = timesOf(intro, 'started');
      await ctx.env.sleep(2 * HOUR + 10 * MINUTE);
      const late = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(late, 'reminder', 'introduction'), from!, 30 * MINUTE)).toEqual([true]);
      expect(within(timesOf(late, 'escalated', 'introduction'), from!, 2 * HOUR)).toEqual([true]);
      await h.executeUpdate(introduceUpdate, { args: [{ by: 'alice', text: 'SilverPhoenix joins us on the docs.' }] });
      await untilStatus(h, 'the starter task', (s) => s.step !== 'introduction');
      // The welcome goes to everyone from the human who wrote it; the new agent and its lead become contacts.
      expect(ctx.writes.find((w) => w.input.message?.subject === 'Welcome SilverPhoenix')?.input.message).toMatchObject({ from: 'alice', broadcast: true });
      expect(ctx.writes.find((w) => w.input.contacts.length)?.input.contacts).toEqual([['SilverPhoenix', 'alice']]);

      // The starter task: a Code Review child, reviewed by the lead.
      const child = ctx.env.client.workflow.getHandle(`${h.workflowId.replace('/onboarding/', '/code-review/')}-starter`);
      await untilStatus(child, 'the starter implementation', open('SilverPhoenix', 'implementation'));
      await report.done(child, 'SilverPhoenix', 'README fixed', 'README.md');
      const review = await untilStatus(child, 'the review', (s) => s.needsHuman);
      await child.signal(approveSignal, { approver: 'alice', decisionId: review.decision!.id });
      await untilStatus(child, 'the merge', open('SilverPhoenix', 'merge'));
      await report.confirm(child, 'SilverPhoenix', 'merged as 1a2b3c');
      ctx.trust.set('SilverPhoenix', { successfulTasks: 1, trusted: false });

      const integration = await untilStatus(h, 'team integration', (s) => s.step === 'team-integration');
      const [intFrom] = timesOf(integration, 'step-finished');
      await ctx.env.sleep(24 * HOUR + 20 * MINUTE);
      const reminded = await untilStatus(h, 'the lead reminder', (s) => s.timeline.some((e) => e.kind === 'reminder' && e.step === 'team-integration'));
      expect(within(timesOf(reminded, 'reminder', 'team-integration'), intFrom!, 24 * HOUR)).toEqual([true]);
      expect(sentTo(ctx.notices, 'alice', /^Reminder: SilverPhoenix needs more work/)).toHaveLength(1);
      expect(sentTo(ctx.notices, 'SilverPhoenix', /1 of 2 successful tasks/)).toHaveLength(1);
      ctx.trust.set('SilverPhoenix', { successfulTasks: 2, trusted: true });
      await ctx.env.sleep(11 * MINUTE);
      const result = (await h.result()) as PatternResult;
      expect(result).toMatchObject({ outcome: 'completed', details: { successfulTasks: 2, introducedBy: 'alice' } });
    });
  });

  it('Full-Stack Feature: a silent layer is reminded, then the humans told, before its handoff goes on', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'fullStackFeatureWorkflow', 'full-stack-feature', id('fullstack'), {
        title: 'Auth',
        deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
        database: { agent: 'BoldMountain', task: 'Users table', files: ['db/**'] },
        backend: { agent: 'SilverPhoenix', task: 'Auth API', files: ['src/api/**'] },
        frontend: { agent: 'BoldMountain', task: 'Login form', files: ['web/**'] },
        test: { agent: 'SilverPhoenix', files: ['e2e/**'] },
        reviewer: 'alice',
        requireTrusted: false,
      });
      const db = await untilStatus(h, 'the database step', open('BoldMountain', 'database'));
      const [from] = timesOf(db, 'assigned', 'database');
      await ctx.env.sleep(2 * HOUR + 10 * MINUTE);
      const late = await untilStatus(h, 'the escalation', (s) => s.escalated);
      expect(within(timesOf(late, 'reminder', 'database'), from!, 30 * MINUTE)).toEqual([true]);
      expect(within(timesOf(late, 'escalated', 'database'), from!, 2 * HOUR)).toEqual([true]);
      await report.done(h, 'BoldMountain', 'users table ready', 'db/001_users.sql');
      // The escalation ends with its wait; "DB ready" carries the database step's handoff whole.
      const ready = await untilStatus(h, 'the layers child', (s) => s.steps[0]!.outcome === 'done');
      expect(ready.escalated).toBe(false);
      expect(sentTo(ctx.notices, 'SilverPhoenix', /^\[full-stack\] DB ready: Auth/)[0]?.body).toContain('What was done: users table ready with tests and docs');
      await h.cancel();
      expect(((await h.result()) as PatternResult).outcome).toBe('cancelled');
    });
  });

  it("an open step's leases are kept alive by a durable timer well before expiry, and released when it ends", async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'sequentialHandoffWorkflow', 'sequential-handoff', id('renew'), {
        title: 'Long step',
        leaseTtl: '1h',
        deadlines: { reminderAfter: '10h', escalateAfter: '20h' },
        steps: [{ name: 'database', agent: 'SilverPhoenix', task: 'Migrate', files: ['db/**'] }],
      });
      const opened = await untilStatus(h, 'the step', open('SilverPhoenix'));
      const lease = opened.leases![0]!;
      const [from] = timesOf(opened, 'reserved', 'database');
      await ctx.env.sleep(5 * HOUR);
      const renewals = ctx.writes.filter((w) => w.input.renew.some((r) => r.ids.includes(lease.id))).map((w) => w.atMs - from!);
      // Every half hour (half the TTL), never later: the lease never came within half an hour of expiring.
      expect(renewals.length).toBeGreaterThanOrEqual(9);
      renewals.forEach((at, i) => expect(at).toBeLessThan((i + 1) * 30 * MINUTE + SLACK));
      expect(ctx.leases.get(lease.id)!.expiresAt - (await ctx.env.currentTimeMs())).toBeGreaterThan(29 * MINUTE);
      const still = await h.query(statusQuery);
      expect(still.leases).toEqual([expect.objectContaining({ id: lease.id, state: 'held' })]);
      await report.done(h, 'SilverPhoenix', 'migrated', 'db/001.sql');
      await h.result();
      expect(ctx.writes.some((w) => w.input.release.some((r) => r.ids.includes(lease.id)))).toBe(true);
      expect(ctx.leases.has(lease.id)).toBe(false);
    });
  });

  it('a lease lost while its step is open (force-released, or expired while the worker was down) is noticed by the next renewal, shown, and its agent told', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'sequentialHandoffWorkflow', 'sequential-handoff', id('lost'), {
        title: 'Lost lease',
        leaseTtl: '1h',
        deadlines: { reminderAfter: '10h', escalateAfter: '20h' },
        steps: [{ name: 'database', agent: 'SilverPhoenix', task: 'Migrate', files: ['db/**'] }],
      });
      const opened = await untilStatus(h, 'the step', open('SilverPhoenix'));
      const lease = opened.leases![0]!;
      ctx.leases.delete(lease.id);
      await ctx.env.sleep(40 * MINUTE);
      const lost = await untilStatus(h, 'the lost lease', (s) => s.leases!.some((l) => l.state === 'lost'));
      expect(lost.leases).toEqual([expect.objectContaining({ id: lease.id, state: 'lost' })]);
      expect(lost.timeline.some((e) => e.kind === 'lease-lost' && e.text.includes(lease.id))).toBe(true);
      expect(sentTo(ctx.notices, 'SilverPhoenix', /^Your step "database" lost a reservation/)).toHaveLength(1);
      await h.cancel();
      expect(((await h.result()) as PatternResult).outcome).toBe('cancelled');
    });
  });

  it('a run that continued as new in the middle of a wait keeps its deadlines: the reminder comes once, counted from the last report', async () => {
    await ctx.withWorker(async () => {
      const h = await startPattern(ctx, 'sequentialHandoffWorkflow', 'sequential-handoff', id('continued'), {
        title: 'Chatty',
        deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
        steps: [{ name: 'database', agent: 'SilverPhoenix', task: 'Migrate', files: ['db/**'] }],
      });
      await untilStatus(h, 'the step', open('SilverPhoenix'));
      let sent = 0;
      const sender = async () => {
        while (sent < MAX_UPDATES_PER_RUN + 20) {
          sent += 1;
          await report.progress(h, 'SilverPhoenix', `note ${sent}`);
        }
      };
      await Promise.all(Array.from({ length: 4 }, sender));
      const continued = await untilStatus(h, 'the next run', (s) => (s.generation ?? 0) >= 1);
      const lastNote = Math.max(...timesOf(continued, 'progress', 'database'));
      await ctx.env.sleep(40 * MINUTE);
      const reminded = await h.query(statusQuery);
      expect(within(timesOf(reminded, 'reminder', 'database'), lastNote, 30 * MINUTE)).toEqual([true]);
      expect(sentTo(ctx.notices, 'SilverPhoenix', /^Reminder: step "database"/)).toHaveLength(1);
      await report.done(h, 'SilverPhoenix', 'migrated', 'db/001.sql');
      expect(((await h.result()) as PatternResult).outcome).toBe('completed');
    });
  });
});
