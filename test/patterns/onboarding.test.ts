import type { RunningApi } from '../../src/api/main';
import { asMember, callServer, eventually, goodHandoff, inboxSubjects, recordHistory, runPath, team } from './support';
import { createTestContext, type TestContext } from '../support/temporal';


const fast = { deadlines: { reminderAfter: '5s', escalateAfter: '10s' }, reservationRetry: '1s' };

describe('Onboarding (real server): trust is earned from real pattern runs', () => {
  let ctx: TestContext;
  let api: RunningApi;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    api = await ctx.startApi();
  });
  afterAll(() => ctx.close());

  it('introduction by a human, starter task reviewed by the lead (child Code Review), trusted after the second accepted task from a Sequential Handoff', async () => {
    const c = await team(ctx, ['SilverPhoenix', 'SwiftEagle', 'CalmRiver'], ['alice']);
    const { project } = c;
    const reviewPlan = { title: 'Docs review', author: 'CalmRiver', reviewer: 'SilverPhoenix', task: 'Proofread the docs', files: ['docs/guide.md'], ...fast };
    // A lead who is a new agent is refused: the lead reviews.
    await expect(project.patterns.start('onboarding', { agent: 'SilverPhoenix', lead: 'SwiftEagle', starterTask: { task: 'x', files: ['README.md'] } }, { startedBy: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    const { workflowId: id } = await project.patterns.start('onboarding', { agent: 'SilverPhoenix', lead: 'alice', starterTask: { task: 'Fix the install steps in the README', files: ['README.md'] }, trustPollEvery: '1s', ...fast }, { startedBy: 'alice' });
    await eventually('the introduction phase', () => project.onboarding.view(id), (v) => v.phase === 'introduction');
    // An agent may not introduce: the workflow refuses an agent named by an operator; the server
    // refuses an agent's token at the door of its human routes, so nothing reaches the workflow.
    await expect(project.onboarding.introduce(id, c.me('SwiftEagle'), 'I vouch for it')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('SwiftEagle is not a human') });
    const byAgent = await callServer(api, c, c.tokens.SwiftEagle, `${runPath(id)}/introduce`, { text: 'I vouch for it' });
    expect(byAgent).toMatchObject({ status: 403, error: { code: 'FORBIDDEN', message: expect.stringContaining("This needs a human's token: SwiftEagle is an agent") } });
    expect(await project.onboarding.view(id)).toMatchObject({ phase: 'introduction', introducedBy: null });
    expect(await asMember(api, c, 'alice').patterns.introduce(id, 'SilverPhoenix joins us to work on the docs and the CLI.')).toMatchObject({ accepted: true });
    await eventually('the welcome broadcast', () => inboxSubjects(c, 'SwiftEagle'), (m) => m.some((x) => x.subject === 'Welcome SilverPhoenix' && x.body.includes('work on the docs')));

    // The starter task is a Code Review child: SilverPhoenix writes, alice (the lead) reviews.
    const view = await eventually('the starter task', () => project.onboarding.view(id), (v) => v.phase === 'starter-task' && v.starterReview !== null);
    const review = view.starterReview!;
    expect(review).toBe(`baton/${project.key}/code-review/${id.split('/').pop()}-starter`);
    await eventually('the implementation step', () => project.patterns.status(review), (s) => s.step === 'implementation' && s.waitingFor.includes('SilverPhoenix'));
    await project.patterns.done(review, c.me('SilverPhoenix'), { summary: 'README fixed', handoff: goodHandoff('Rewrote the install steps for npm and pnpm users', ['README.md']) });
    await eventually('the review', () => project.patterns.status(review), (s) => s.needsHuman);
    await project.patterns.approve(review, c.me('alice'), 'clear and correct');
    await eventually('the merge step', () => project.patterns.status(review), (s) => s.step === 'merge' && s.waitingFor.includes('SilverPhoenix'));
    await project.patterns.done(review, c.me('SilverPhoenix'), { summary: 'merged as abc123' });
    expect((await project.patterns.result(review)).outcome).toBe('completed');

    // One successful task: not trusted yet, so not eligible to review.
    const one = await eventually('one successful task', () => project.onboarding.view(id), (v) => v.phase === 'team-integration' && v.successfulTasks === 1);
    expect(one.trustAfterTasks).toBe(2);
    expect((await project.agents.get('SilverPhoenix')).trust).toBe('new');
    await expect(project.patterns.start('code-review', reviewPlan, { startedBy: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('SilverPhoenix is a new agent') });

    // The second task comes from a real pattern run: a Sequential Handoff step accepted.
    const pipeline = await project.patterns.start('sequential-handoff', { title: 'CLI help', ...fast, steps: [{ name: 'help texts', agent: 'SilverPhoenix', task: 'Add examples to every --help', files: ['src/cli/commands/help.ts'] }] }, { startedBy: 'alice' });
    await eventually('the handoff step', () => project.patterns.status(pipeline.workflowId), (s) => s.waitingFor.includes('SilverPhoenix') && s.step === 'help texts');
    await project.patterns.done(pipeline.workflowId, c.me('SilverPhoenix'), { summary: 'help texts have examples', handoff: goodHandoff('Added an example to the help of every command', ['src/cli/commands/help.ts']) });
    expect((await project.patterns.result(pipeline.workflowId)).outcome).toBe('completed');

    const result = await project.patterns.result(id);
    expect(result.outcome).toBe('completed');
    expect(result.details).toMatchObject({ agent: 'SilverPhoenix', lead: 'alice', introducedBy: 'alice', successfulTasks: 2, trustAfterTasks: 2, starterReview: review });
    const member = await project.agents.get('SilverPhoenix');
    expect(member.trust).toBe('trusted');
    expect((await inboxSubjects(c, 'CalmRiver')).some((m) => m.subject === 'SilverPhoenix is now a trusted team member')).toBe(true);

    // Trusted: eligible to review now, and auto-approved contact for same-project agents.
    const started = await project.patterns.start('code-review', reviewPlan, { startedBy: 'alice' });
    await project.patterns.cancel(started.workflowId, c.me('alice'), 'only checking eligibility');
    const sent = await project.messages.send(c.actor('SilverPhoenix'), { to: ['CalmRiver'], subject: 'hello', body: 'Happy to help with reviews.' });
    expect(sent.deliveredTo).toEqual(['CalmRiver']);

    await recordHistory(ctx, id, 'trusted-after-two-accepted-tasks');
    await recordHistory(ctx, review, 'onboarding-starter-reviewed-by-lead');
  });
});
