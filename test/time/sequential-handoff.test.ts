import type { WorkflowHandle } from '@temporalio/client';
import { doneUpdate, progressUpdate, statusQuery } from '../../src/patterns/kit/api';
import type { sequentialHandoffWorkflow } from '../../src/patterns/sequential-handoff/workflow';
import type { PatternStatus } from '../../src/schemas/patterns';
import type { SequentialHandoffPlanInput } from '../../src/patterns/sequential-handoff/plan';
import { createTimeSkippingContext, type Member, type SentNotice, type TimeSkippingContext } from './time-skipping';

/**
 * Sequential Handoff's deadlines in workflow time: a step nobody reports on gets its reminder at
 * reminderAfter and its escalation at escalateAfter (counted from the assignment, or from the last
 * progress note), on the time-skipping test server, so hours pass in a second or two.
 */
const MINUTE = 60_000;
const REMINDER_AFTER = 30 * MINUTE;
const ESCALATE_AFTER = 120 * MINUTE;
/** A timer fires at its time plus however long the worker takes to run the next workflow task. */
const SLACK = MINUTE;

const agents: Member[] = [
  { name: 'SilverPhoenix', kind: 'agent' },
  { name: 'BoldMountain', kind: 'agent' },
];
const human: Member = { name: 'alice', kind: 'human' };

type Handle = WorkflowHandle<typeof sequentialHandoffWorkflow>;

/**
 * The agent's reports, in one place, as the worker receives them from the Baton server: the agent's
 * verified name (the server checked its token; no token reaches a workflow).
 */
const report = {
  progress: (handle: Handle, agent: Member, note: string) => handle.executeUpdate(progressUpdate, { args: [{ agent: agent.name, note }] }),
  done: (handle: Handle, agent: Member, summary: string) =>
    handle.executeUpdate(doneUpdate, {
      args: [{ agent: agent.name, summary, handoff: { whatWasDone: `${summary} with migrations and tests`, where: ['src/db/schema.ts'], howToTest: 'run npm test -- db' } }],
    }),
};

function plan(id: string): SequentialHandoffPlanInput {
  return {
    id,
    title: 'Time-skipped handoff',
    deadlines: { reminderAfter: '30m', escalateAfter: '2h' },
    steps: [
      { name: 'database', agent: agents[0]!.name, task: 'add the users table', files: ['src/db/**'] },
      { name: 'api', agent: agents[1]!.name, task: 'add the users endpoint', files: ['src/api/**'] },
    ],
  };
}

async function waitForAssignment(handle: Handle, agent: Member): Promise<PatternStatus> {
  // Time is locked between client calls (it moves only in env.sleep and result()), so this waits for
  // the worker, not for a deadline.
  for (let i = 0; i < 600; i++) {
    const status = await handle.query(statusQuery);
    if (status.assigned.some((a) => a.agent === agent.name)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${agent.name} was never assigned a step`);
}

const at = (status: PatternStatus, kind: string, step: string) => status.timeline.filter((e) => e.kind === kind && e.step === step).map((e) => Date.parse(e.at));
const sentTo = (notices: SentNotice[], who: string, subject: RegExp) => notices.filter((n) => (Array.isArray(n.to) ? n.to.includes(who) : n.to === who) && subject.test(n.subject));

describe('Sequential Handoff deadlines (time-skipping test server)', () => {
  let ctx: TimeSkippingContext;
  const started = Date.now();
  beforeAll(async () => {
    ctx = await createTimeSkippingContext([...agents, human]);
  });
  afterAll(async () => {
    await ctx?.close();
    process.stdout.write(`time-skipping suite: ${((Date.now() - started) / 1000).toFixed(1)}s wall time\n`);
  });

  it('reminds the silent agent at reminderAfter and escalates to the humans at escalateAfter', async () => {
    await ctx.withWorker(async () => {
      const handle: Handle = await ctx.env.client.workflow.start<typeof sequentialHandoffWorkflow>('sequentialHandoffWorkflow', {
        taskQueue: ctx.taskQueue,
        workflowId: `${ctx.project}-silent`,
        args: [{ project: ctx.project, plan: plan('silent'), startedBy: human.name }],
      });
      const first = await waitForAssignment(handle, agents[0]!);
      const [assignedAt] = at(first, 'assigned', 'database');

      await ctx.env.sleep(ESCALATE_AFTER + 10 * MINUTE);
      await report.done(handle, agents[0]!, 'users table added');
      await waitForAssignment(handle, agents[1]!);
      await report.done(handle, agents[1]!, 'users endpoint added');
      const result = await handle.result();
      const status = await handle.query(statusQuery);

      expect(result.outcome).toBe('completed');
      const reminders = at(status, 'reminder', 'database').map((t) => t - assignedAt!);
      const escalations = at(status, 'escalated', 'database').map((t) => t - assignedAt!);
      expect(reminders).toHaveLength(1);
      expect(escalations).toHaveLength(1);
      expect(reminders[0]).toBeGreaterThanOrEqual(REMINDER_AFTER);
      expect(reminders[0]).toBeLessThan(REMINDER_AFTER + SLACK);
      expect(escalations[0]).toBeGreaterThanOrEqual(ESCALATE_AFTER);
      expect(escalations[0]).toBeLessThan(ESCALATE_AFTER + SLACK);

      // The messages went out at those times: the reminder to the agent, the escalation to the humans.
      const reminder = sentTo(ctx.notices, agents[0]!.name, /^Reminder: step "database"/);
      const escalation = sentTo(ctx.notices, 'humans', /needs attention/);
      expect(reminder.map((n) => n.atMs - assignedAt! >= REMINDER_AFTER && n.atMs - assignedAt! < REMINDER_AFTER + SLACK)).toEqual([true]);
      expect(escalation.map((n) => [n.importance, n.atMs - assignedAt! >= ESCALATE_AFTER && n.atMs - assignedAt! < ESCALATE_AFTER + SLACK])).toEqual([['urgent', true]]);
      // The second step was reported on at once: no reminder for its agent.
      expect(sentTo(ctx.notices, agents[1]!.name, /^Reminder/)).toEqual([]);
    });
  });

  it('reminds the holders of the files a step waits for, then escalates, at the plan deadlines', async () => {
    const holder = 'QuietRiver';
    ctx.heldBy = [{ pattern: 'src/db/**', holder, heldPattern: 'src/db/schema.ts', expiresAt: '2026-12-31T00:00:00.000Z', reservationId: 'r-held' }];
    await ctx.withWorker(async () => {
      const handle: Handle = await ctx.env.client.workflow.start<typeof sequentialHandoffWorkflow>('sequentialHandoffWorkflow', {
        taskQueue: ctx.taskQueue,
        workflowId: `${ctx.project}-files`,
        args: [{ project: ctx.project, plan: plan('files'), startedBy: human.name }],
      });
      await ctx.env.sleep(ESCALATE_AFTER + 10 * MINUTE);
      ctx.heldBy = [];
      // The step retries the reservation on a backoff of at most 5 minutes: let that much time pass.
      await ctx.env.sleep(6 * MINUTE);
      await waitForAssignment(handle, agents[0]!);
      await report.done(handle, agents[0]!, 'users table added');
      await waitForAssignment(handle, agents[1]!);
      await report.done(handle, agents[1]!, 'users endpoint added');
      expect((await handle.result()).outcome).toBe('completed');
      const status = await handle.query(statusQuery);

      // The wait for files starts with the step, before the first answer says they are held.
      const [waitFrom] = at(status, 'step-started', 'database');
      const since = (kind: string) => at(status, kind, 'database').map((t) => t - waitFrom!);
      expect(since('reminder').map((d) => d >= REMINDER_AFTER && d < REMINDER_AFTER + SLACK)).toEqual([true]);
      expect(since('escalated').map((d) => d >= ESCALATE_AFTER && d < ESCALATE_AFTER + SLACK)).toEqual([true]);
      // The holder heard at once that someone waits, then the reminder; the humans the escalation.
      expect(sentTo(ctx.notices, holder, /waits for (your )?files/).map((n) => n.subject)).toEqual([`${agents[0]!.name} waits for files you hold`, `Reminder: ${agents[0]!.name} still waits for your files`]);
      expect(sentTo(ctx.notices, 'humans', /needs attention: Time-skipped handoff/).length).toBeGreaterThanOrEqual(1);
    });
  });

  it('counts the deadlines from the last progress note', async () => {
    await ctx.withWorker(async () => {
      const handle: Handle = await ctx.env.client.workflow.start<typeof sequentialHandoffWorkflow>('sequentialHandoffWorkflow', {
        taskQueue: ctx.taskQueue,
        workflowId: `${ctx.project}-progress`,
        args: [{ project: ctx.project, plan: plan('progress'), startedBy: human.name }],
      });
      const first = await waitForAssignment(handle, agents[0]!);
      const [assignedAt] = at(first, 'assigned', 'database');

      await ctx.env.sleep(20 * MINUTE);
      await report.progress(handle, agents[0]!, 'schema drafted, writing the migration');
      const afterNote = await handle.query(statusQuery);
      const [noteAt] = at(afterNote, 'progress', 'database');
      await ctx.env.sleep(ESCALATE_AFTER + 10 * MINUTE);
      await report.done(handle, agents[0]!, 'users table added');
      await waitForAssignment(handle, agents[1]!);
      await report.done(handle, agents[1]!, 'users endpoint added');
      await handle.result();
      const status = await handle.query(statusQuery);

      expect(noteAt! - assignedAt!).toBeGreaterThanOrEqual(20 * MINUTE);
      const reminders = at(status, 'reminder', 'database').map((t) => t - noteAt!);
      const escalations = at(status, 'escalated', 'database').map((t) => t - noteAt!);
      expect(reminders.map((d) => d >= REMINDER_AFTER && d < REMINDER_AFTER + SLACK)).toEqual([true]);
      expect(escalations.map((d) => d >= ESCALATE_AFTER && d < ESCALATE_AFTER + SLACK)).toEqual([true]);
    });
  });
});
