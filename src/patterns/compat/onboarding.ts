import * as wf from '@temporalio/workflow';
import { patternWorkflowId } from '../../domain/ids';
import { formatDuration } from '../../domain/patterns/duration';
import { IntroduceInput, type OnboardingPhase, type OnboardingView } from '../onboarding/messages';
import { OnboardingPlan, type OnboardingPlanInput } from '../onboarding/plan';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import type { CodeReviewPlanInput } from '../code-review/plan';
import { patternSearchAttributes } from '../../search-attributes';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import { iso, PatternAborted, PatternRun, runPattern } from './index';
import { introduceUpdate, onboardingQuery } from '../onboarding/api';
import type { OnboardingActivities } from '../onboarding/activities-api';

const p2acts = wf.proxyActivities<OnboardingActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 } });

/**
 * Onboarding a new agent into the team.
 *
 * 1. Registration: the agent registered (memorable name, contact policy); the plan names it.
 * 2. Introduction: a human writes the introduction (`baton introduce`); it is broadcast to the team.
 * 3. Starter task: the lead assigns a small real task...
 * 4. ...and guides it as the reviewer of a Code Review (a child workflow): an approval counts as a
 *    successful task.
 * 5. Team integration: the agent keeps taking work in any pattern; once the directory counts
 *    `trustAfterTasks` successful tasks it is trusted (auto-approved contact for same-project agents,
 *    eligible to review and for complex work) and the team is told. Trust is read from the directory,
 *    never set here.
 */
export async function compatOnboarding(input: PatternWorkflowInput<OnboardingPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(OnboardingPlan, input.plan, 'Onboarding plan');
  const run = new PatternRun(input.project, 'onboarding', plan, input.startedBy);
  const { agent, lead } = plan;
  let phase: OnboardingPhase = 'registration';
  let introduction: { by: string; text: string } | undefined;
  let starterReview: string | null = null;
  let successfulTasks = 0;
  let trustAfterTasks: number | null = null;
  let trustedAt: string | null = null;

  const checkIntroduction = (raw: unknown) => {
    const intro = parseOrFail(IntroduceInput, raw, 'introduction');
    if (run.state !== 'running') throw batonFailure('INVALID_STATE', `${run.workflowId} is ${run.state}.`);
    const cred = run.credential(intro.by);
    if (!cred || cred.kind !== 'human' || cred.retired) throw batonFailure('FORBIDDEN', `${intro.by} is not a human of project ${run.project}; a human introduces a new agent to the team.`);
    if (phase !== 'introduction') throw batonFailure('INVALID_STATE', introduction ? `${introduction.by} already introduced ${agent}.` : `${agent} is not ready to be introduced yet (${phase}).`);
    return { by: cred.name, text: intro.text };
  };
  wf.setHandler(
    introduceUpdate,
    (raw) => {
      introduction = checkIntroduction(raw);
      run.log('progress', `${introduction.by} introduced ${agent}`, { step: 'introduction', actor: introduction.by });
      return { workflowId: run.workflowId, accepted: true as const, message: `Introduction recorded; it is broadcast to the team.` };
    },
    { validator: (raw) => void checkIntroduction(raw) },
  );
  wf.setHandler(onboardingQuery, (): OnboardingView => ({ workflowId: run.workflowId, agent, lead, phase, introducedBy: introduction?.by ?? null, starterReview, successfulTasks, trustAfterTasks, trustedAt }));

  const enter = (next: OnboardingPhase, waitingFor: string[]) => {
    phase = next;
    run.show({ step: next, waitingFor, needsHuman: false });
  };

  return runPattern(run, async () => {
    // 1. Registration.
    await run.requireMembers([agent, lead]);
    const newcomer = run.credential(agent)!;
    const leader = run.credential(lead)!;
    if (newcomer.kind !== 'agent') throw new PatternAborted(`${newcomer.name} is a human; onboarding is for agents.`);
    if (leader.kind === 'agent' && !leader.trusted) throw new PatternAborted(`${leader.name} is a new agent; the lead reviews the starter task, so it must be a trusted agent or a human.`);
    if (newcomer.trusted) {
      // Nothing to earn: say so instead of pretending to onboard.
      run.log('progress', `${newcomer.name} is already trusted`);
      return { agent: newcomer.name, alreadyTrusted: true };
    }

    // 2. Introduction by a human, broadcast to the team.
    enter('introduction', ['human']);
    const since = Date.now();
    const howTo = `baton introduce ${run.workflowId} --text "Welcome ${newcomer.name}: ..."`;
    await run.notify('humans', `[onboarding] introduce ${newcomer.name} to the team`, `${newcomer.name} joined project ${run.project}; ${leader.name} leads its onboarding.\nIntroduce it: ${howTo}`, { importance: 'high', onBehalfOf: leader.name });
    await run.waitWithDeadlines(() => introduction !== undefined, plan.deadlines, () => since, {
      remind: async () => {
        run.log('reminder', `the humans were reminded to introduce ${newcomer.name}`, { step: 'introduction' });
        await run.notify('humans', `Reminder: introduce ${newcomer.name}`, howTo, { importance: 'high', onBehalfOf: leader.name });
      },
      escalate: () => run.escalate('introduction', `Nobody has introduced ${newcomer.name} yet: ${howTo}`, leader.name),
    });
    run.escalated = false;
    await run.notify('all', `Welcome ${newcomer.name}`, `${introduction!.text}\n\n${leader.name} leads ${newcomer.name}'s onboarding. Say hello (baton send ${newcomer.name} ...).`, { onBehalfOf: introduction!.by });

    // 3 + 4. Starter task, guided by the lead as reviewer (Code Review, a child workflow).
    enter('starter-task', [newcomer.name, leader.name]);
    const reviewId = patternWorkflowId(run.project, 'code-review', `${run.workflowId.split('/').pop()}-starter`);
    starterReview = reviewId;
    run.log('assigned', `${leader.name} assigns the starter task: ${plan.starterTask.task} (review ${reviewId})`, { step: 'starter-task', actor: leader.name });
    const reviewPlan: CodeReviewPlanInput = {
      title: `Starter task for ${newcomer.name}: ${plan.starterTask.task}`.slice(0, 200),
      author: newcomer.name,
      reviewer: leader.name,
      task: plan.starterTask.task,
      files: plan.starterTask.files,
      maxRevisions: plan.maxRevisions,
      deadlines: { reminderAfter: plan.deadlines.reminderAfter / 1000, escalateAfter: plan.deadlines.escalateAfter / 1000 },
      leaseTtl: plan.leaseTtl / 1000,
      reservationRetry: plan.reservationRetry / 1000,
      approvers: plan.approvers,
    };
    const review = await wf.executeChild<(input: PatternWorkflowInput<CodeReviewPlanInput>) => Promise<PatternResult>>('codeReviewWorkflow', {
      workflowId: reviewId,
      args: [{ project: run.project, plan: reviewPlan, startedBy: leader.name }],
      typedSearchAttributes: patternSearchAttributes(run.project, 'code-review'),
      memo: { title: reviewPlan.title },
      staticSummary: `Code Review (onboarding of ${newcomer.name}): ${plan.starterTask.task}`.slice(0, 200),
    });
    if (review.outcome !== 'completed') throw new PatternAborted(`the starter task's review ${reviewId} ${review.outcome}: ${review.reason ?? ''}`);
    run.log('step-finished', `starter task approved by ${leader.name}`, { step: 'starter-task', actor: newcomer.name });

    // 5. Team integration: wait (durably, polling the directory) until trust is earned.
    enter('team-integration', [newcomer.name]);
    const integrationStarted = Date.now();
    let reminded = false;
    let escalated = false;
    for (;;) {
      const trust = await p2acts.memberTrust({ project: run.project, name: newcomer.name });
      if (!trust) throw new PatternAborted(`${newcomer.name} is no longer a member of project ${run.project}.`);
      trustAfterTasks = trust.trustAfterTasks;
      if (trust.successfulTasks !== successfulTasks) {
        successfulTasks = trust.successfulTasks;
        run.log('progress', `${newcomer.name} has ${successfulTasks} of ${trust.trustAfterTasks} successful tasks`, { step: 'team-integration', actor: newcomer.name });
        if (!trust.trusted) {
          await run.notify([newcomer.name, leader.name], `[onboarding] ${newcomer.name}: ${successfulTasks} of ${trust.trustAfterTasks} successful tasks`, `${trust.trustAfterTasks - successfulTasks} more successful task(s) (a step accepted, a review approved, in any pattern) and ${newcomer.name} is trusted. ${leader.name}: assign the next one.`, { onBehalfOf: leader.name });
        }
      }
      if (trust.trusted) break;
      const waited = Date.now() - integrationStarted;
      if (!reminded && waited >= plan.integrationDeadlines.reminderAfter) {
        reminded = true;
        run.log('reminder', `${leader.name} reminded to give ${newcomer.name} more work`, { step: 'team-integration', actor: leader.name });
        await run.notify([leader.name], `Reminder: ${newcomer.name} needs more work to become trusted`, `${successfulTasks} of ${trust.trustAfterTasks} successful tasks after ${formatDuration(waited)}. Assign ${newcomer.name} a step in a pattern (baton start ...).`, { onBehalfOf: leader.name, importance: 'high' });
      } else if (reminded && !escalated && waited >= plan.integrationDeadlines.escalateAfter) {
        escalated = true;
        await run.escalate('team-integration', `${newcomer.name} has ${successfulTasks} of ${trust.trustAfterTasks} successful tasks after ${formatDuration(waited)} of onboarding.`, leader.name);
      }
      await wf.sleep(plan.trustPollEvery);
    }
    run.escalated = false;
    trustedAt = iso(Date.now());
    enter('trusted', []);
    run.log('step-finished', `${newcomer.name} is trusted after ${successfulTasks} successful tasks`, { step: 'team-integration', actor: newcomer.name });
    await run.notify(
      'all',
      `${newcomer.name} is now a trusted team member`,
      `${newcomer.name} completed ${successfulTasks} successful tasks. From now on: auto-approved contact for agents of this project, may review code, eligible for complex work (e.g. Full-Stack features).`,
      { onBehalfOf: leader.name },
    );
    return { agent: newcomer.name, lead: leader.name, introducedBy: introduction!.by, starterReview: reviewId, successfulTasks, trustAfterTasks, trustedAt };
  });
}
