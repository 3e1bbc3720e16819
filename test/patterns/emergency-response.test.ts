import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningApi } from '../../src/api/main';
import { approveSignal } from '../../src/patterns/kit/api';
import { postMortemUpdate } from '../../src/patterns/emergency-response/api';
import { asMember, callServer, eventually, goodHandoff, inboxSubjects, recordHistory, runPath, team } from './support';
import { createTestContext, type TestContext } from '../support/temporal';


const fast = { deadlines: { reminderAfter: '3s', escalateAfter: '6s' }, reservationRetry: '1s' };

describe('Emergency Response (real server, scripted agents and human)', () => {
  let ctx: TestContext;
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-emergency-'));
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one claim wins, priority reservation goes to a human, an agent cannot approve, a failed health check reopens, the post-mortem gate holds', async () => {
    const c = await team(ctx, ['RedFox', 'BlueJay', 'GreyOwl']);
    const { project } = c;
    const healthy = path.join(dir, 'healthy');
    // GreyOwl holds one of the affected files: the priority reservation must go to a human.
    await project.reservations.reserve({ actor: c.actor('GreyOwl'), patterns: ['src/payments/charge.ts'], reason: 'refactor' });

    const started = await project.patterns.start(
      'emergency-response',
      {
        title: 'Payments 500s',
        description: 'POST /charge returns 500 since 14:02',
        files: ['src/payments/**'],
        responders: ['RedFox', 'BlueJay'],
        claimWithin: '60s',
        ...fast,
        staging: { command: 'true' },
        deploy: { command: 'true' },
        healthCheck: { command: `test -f ${healthy}`, every: '1s', timeout: '10s' },
        monitorWindow: '2s',
        workdir: dir,
      },
      { startedBy: 'alice' },
    );
    const id = started.workflowId;
    expect(id).toMatch(new RegExp(`^baton/${project.key}/emergency-response/payments-500s-[0-9a-f]{6}$`));
    await eventually('the alert', () => inboxSubjects(c, 'BlueJay'), (m) => m.some((x) => x.subject === '[emergency] Payments 500s' && x.body.includes(`baton claim ${id}`)));

    // Two agents claim at the same moment: exactly one wins, the other hears who has it.
    const claims = await Promise.allSettled([project.emergency.claim(id, c.me('RedFox')), project.emergency.claim(id, c.me('BlueJay'))]);
    const won = claims.filter((r) => r.status === 'fulfilled');
    const lost = claims.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ claimedBy: string }>).value.claimedBy;
    const loser = winner === 'RedFox' ? 'BlueJay' : 'RedFox';
    expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT' });
    expect(lost[0]!.reason.message).toContain(`already claimed by ${winner}`);
    // A human cannot claim; neither can a non-responder.
    await expect(project.emergency.claim(id, c.me('alice'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(project.emergency.claim(id, c.me('GreyOwl'))).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // Priority: the conflict goes straight to the humans, who force-release the lease in the way (by its id:
    // not every lease of its holder), and the status says why it is escalated.
    const blocked = await eventually('the escalation', () => project.patterns.status(id), (s) => s.escalated && s.waitingFor.includes('GreyOwl'));
    const [held] = (await project.reservations.list({ holder: 'GreyOwl' })).reservations;
    expect(blocked.escalations).toEqual([expect.objectContaining({ step: 'reserve', text: expect.stringContaining(`baton force-release ${held!.id} --reason`) })]);
    expect(blocked.escalations![0]!.text).not.toContain('--holder');
    expect((await inboxSubjects(c, 'GreyOwl')).some((m) => m.subject.includes('release your files now'))).toBe(true);
    await project.reservations.forceRelease({ actor: c.actor('alice'), ids: [held!.id], reason: `emergency ${id}` });

    // The claimant fixes under an exclusive lease.
    await eventually('the fix step', () => project.patterns.status(id), (s) => s.step === 'fix' && s.waitingFor.includes(winner) && !s.escalated);
    expect((await project.reservations.list()).reservations.map((r) => [r.holder, r.pattern, r.via])).toEqual([[winner, 'src/payments/**', id]]);
    await expect(project.patterns.done(id, c.me(loser), { summary: 'I fixed it' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await project.patterns.done(id, c.me(winner), { summary: 'null customer guarded', handoff: goodHandoff('Guarded the null customer in the charge handler', ['src/payments/charge.ts']) });

    // Staging passes (command); the claimant asks; an agent's approval is refused by the typed client, by
    // the server (403) and by the workflow (an operator's raw signal too), and every attempt is recorded.
    const asking = await eventually('the approval request', () => project.patterns.status(id), (s) => s.needsHuman && s.step === 'approve deploy');
    await expect(project.patterns.approve(id, c.me(winner), 'ship it')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const byAgent = await callServer(api, c, c.tokens[winner], `${runPath(id)}/approve`, { comment: 'ship it' });
    expect(byAgent).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining(`${winner} is an agent; only a human may approve`) } });
    await ctx.client.workflow.getHandle(id).signal(approveSignal, { approver: winner, comment: 'ship it' });
    const refused = await eventually('the refused approvals', () => project.patterns.status(id), (s) => s.refused.filter((r) => r.who === winner && r.action === 'approve').length === 3);
    for (const r of refused.refused.filter((x) => x.who === winner)) expect(r.reason).toContain('only a human may decide');
    expect(refused).toMatchObject({ needsHuman: true, decision: { id: asking.decision!.id } });
    expect((await project.emergency.incident(id)).phase).toBe('approval');

    // A human approves (through the server); the deploy runs; the health check fails: rollback/reopen, back to the claimant.
    expect(await asMember(api, c, 'alice').patterns.approve(id, 'go')).toMatchObject({ decided: true });
    const reopened = await eventually('the reopen', () => project.emergency.incident(id), (i) => i.reopens === 1 && i.phase === 'fixing');
    expect(reopened.times.deployedAt).toBeDefined();
    expect((await inboxSubjects(c, 'alice')).some((m) => m.subject === '[emergency] reopened: Payments 500s')).toBe(true);
    expect((await project.patterns.status(id)).timeline.some((e) => e.kind === 'reopened')).toBe(true);

    // Second cycle: healthy this time.
    fs.writeFileSync(healthy, 'ok');
    await eventually('the second fix step', () => project.patterns.status(id), (s) => s.waitingFor.includes(winner) && s.step === 'fix 2');
    await project.patterns.done(id, c.me(winner), { summary: 'also fixed the retry loop', handoff: goodHandoff('Stopped the retry loop from double-charging on timeouts', ['src/payments/retry.ts']) });
    await eventually('the second approval', () => project.patterns.status(id), (s) => s.needsHuman);
    await project.patterns.approve(id, c.me('alice'), 'go again');

    // The post-mortem gate: resolved, leases released, but the workflow stays open until learnings arrive.
    await eventually('the post-mortem phase', () => project.emergency.incident(id), (i) => i.phase === 'post-mortem');
    expect((await project.reservations.list()).total).toBe(0);
    await expect(project.emergency.postMortem(id, c.me(winner), { summary: 'x', rootCause: 'y', learnings: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // The workflow's own validator refuses an empty post-mortem too (a client that skips the check).
    await expect(ctx.client.workflow.getHandle(id).executeUpdate(postMortemUpdate, { args: [{ agent: winner, summary: 'x', rootCause: 'y', learnings: ['  '] }] })).rejects.toMatchObject({ cause: { type: 'INVALID_INPUT' } });
    await expect(project.emergency.postMortem(id, c.me(loser), { summary: 's', rootCause: 'r', learnings: ['l'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await ctx.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');

    await project.emergency.postMortem(id, c.me(winner), {
      summary: 'Charges failed for 20 minutes',
      rootCause: 'A null customer on guest checkout',
      learnings: ['Guard optional customer fields', 'Alert on 5xx rate, not only on errors'],
      followUps: ['Add a guest checkout E2E test'],
    });
    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    const times = (result.details as { times: Record<string, number> }).times;
    for (const k of ['timeToClaimMs', 'timeToFixMs', 'timeToApproveMs', 'timeToDeployMs']) expect(times[k]).toBeGreaterThan(0);
    expect(times.timeToClaimMs!).toBeLessThanOrEqual(times.timeToFixMs!);
    expect(times.timeToFixMs!).toBeLessThanOrEqual(times.timeToApproveMs!);
    expect(times.timeToApproveMs!).toBeLessThanOrEqual(times.timeToDeployMs!);
    expect(result.details).toMatchObject({ claimant: winner, reopens: 1 });
    const pm = (await inboxSubjects(c, 'GreyOwl')).find((m) => m.subject === '[post-mortem] Payments 500s');
    expect(pm?.body).toContain('Alert on 5xx rate, not only on errors');
    expect((await project.agents.get(winner)).successfulTasks).toBe(1);
    await recordHistory(ctx, id, 'nine-steps-reopened-then-post-mortem');
  });

  it('an unclaimed alert is broadcast again, then escalated to the humans', async () => {
    const c = await team(ctx, ['QuietElm']);
    const { workflowId: id } = await c.project.patterns.start('emergency-response', { title: 'Queue stuck', description: 'Jobs pile up', files: ['src/queue/**'], claimWithin: '2s', ...fast }, { startedBy: 'alice' });
    const s = await eventually('the escalation', () => c.project.patterns.status(id), (x) => x.escalated, 15_000);
    expect(s.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['reminder', 'escalated']));
    // The escalation is on the timeline when decided; its messages are delivered by an activity just after.
    await eventually('the escalation message to the humans', () => inboxSubjects(c, 'alice'), (msgs) => msgs.some((m) => m.body.includes('Nobody claimed the emergency "Queue stuck"')), 15_000);
    await eventually('the alert broadcast twice', () => inboxSubjects(c, 'QuietElm'), (msgs) => msgs.filter((m) => m.subject.includes('Queue stuck')).length >= 2, 15_000);
    await c.project.patterns.cancel(id, c.me('alice'), 'false alarm');
    expect((await c.project.patterns.result(id)).outcome).toBe('cancelled');
  });
});
