import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import type { CodeReviewPlanInput } from '../code-review/plan';
import { compatOnboarding } from '../compat/onboarding';
import { PATTERN_KIT_PATCH, PatternAborted, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import type { OnboardingActivities } from './activities-api';
import { introduceUpdate, onboardingQuery } from './api';
import { IntroduceInput, type OnboardingPhase, type OnboardingView } from './messages';
import { checkOnboardingMembers, OnboardingPlan, type OnboardingPlanInput } from './plan';

const acts = wf.proxyActivities<OnboardingActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 } });

/**
 * Onboarding a new agent into the team, the seed's five steps:
 *
 * 1. Registration: the agent registered (memorable name, contact policy); the plan names it.
 * 2. Introduction: a human writes it (`baton introduce`); the welcome goes to the team from that human,
 *    so the team acknowledges it to someone who can answer.
 * 3. Starter task: the lead assigns a small real task; the new agent and its lead become each other's
 *    contacts (auto-approved, so questions are asked quickly).
 * 4. Guided work: the lead reviews it (a Code Review child workflow); the approval counts.
 * 5. Team integration: the agent keeps taking work in any pattern; once the directory counts
 *    `trustAfterTasks` successful tasks accepted by others it is trusted and the team is told. Trust is
 *    read from the directory, never set here.
 */
export async function onboardingWorkflow(input: PatternWorkflowInput<OnboardingPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatOnboarding(input);
  const plan = parseOrFail(OnboardingPlan, input.plan, 'Onboarding plan');
  const run = new PatternRun(input, 'onboarding', plan);
  const { agent, lead } = plan;
  const introduction = run.carry('introduction', { by: null as string | null, text: null as string | null });
  const trust = run.carry('trust', { successfulTasks: 0, trustAfterTasks: null as number | null, trustedAt: null as string | null });
  let phase: OnboardingPhase = 'registration';
  let starterReview: string | null = null;

  const checkIntroduction = (raw: unknown) => {
    const intro = parseOrFail(IntroduceInput, raw, 'introduction');
    const cred = run.members.get(intro.by);
    if (!cred || cred.kind !== 'human' || cred.retired) throw batonFailure('FORBIDDEN', `${intro.by} is not a human of project ${run.project}; a human introduces a new agent to the team.`);
    if (phase !== 'introduction' || introduction.by) throw batonFailure('INVALID_STATE', introduction.by ? `${introduction.by} already introduced ${agent}.` : `${agent} is not ready to be introduced yet (${phase}).`);
    return { by: cred.name, text: intro.text };
  };
  run.handle(introduceUpdate, {
    validate: (raw) => void checkIntroduction(raw),
    handle: (raw) => {
      Object.assign(introduction, checkIntroduction(raw));
      run.timeline.log('progress', `${introduction.by} introduced ${agent}`, { step: 'introduction', actor: introduction.by! });
      run.changed();
      return { workflowId: run.workflowId, accepted: true as const, message: `Introduction recorded; the welcome goes to the team from ${introduction.by}.` };
    },
  });
  run.query(onboardingQuery, (): OnboardingView => ({ workflowId: run.workflowId, agent, lead, phase, introducedBy: introduction.by, starterReview, ...trust }));

  const enter = (next: OnboardingPhase) => {
    phase = next;
    run.at(next);
  };

  return runPattern(run, async () => {
    // 1. Registration.
    await run.requireMembers([agent, lead]);
    checkOnboardingMembers(plan, run.members.lookup);
    const newcomer = run.members.get(agent)!;
    const leader = run.members.get(lead)!;
    if (newcomer.trusted) {
      // Nothing to earn: say so instead of pretending to onboard.
      run.log('progress', `${newcomer.name} is already trusted`);
      return { agent: newcomer.name, alreadyTrusted: true };
    }

    // 2. Introduction by a human; the welcome goes to the team from that human.
    enter('introduction');
    const howTo = `baton introduce ${run.workflowId} --text "Welcome ${newcomer.name}: ..."`;
    await run.notify({ to: 'humans', subject: `[onboarding] introduce ${newcomer.name} to the team`, body: `${newcomer.name} joined project ${run.project}; ${leader.name} leads its onboarding.\nIntroduce it: ${howTo}`, importance: 'high', onBehalfOf: leader.name });
    await run.wait(() => ({
      step: 'introduction',
      who: () => ['human'],
      deadlines: plan.deadlines,
      ready: () => introduction.by !== null,
      onBehalfOf: leader.name,
      remind: async () => {
        run.timeline.log('reminder', `the humans were reminded to introduce ${newcomer.name}`, { step: 'introduction' });
        await run.writes.notify({ to: 'humans', subject: `Reminder: introduce ${newcomer.name}`, body: howTo, importance: 'high', onBehalfOf: leader.name });
      },
      escalation: () => `Nobody has introduced ${newcomer.name} yet: ${howTo}`,
    }));
    await run.send({
      message: {
        from: introduction.by!,
        broadcast: true,
        to: [],
        cc: [],
        subject: `Welcome ${newcomer.name}`,
        body: `${introduction.text}\n\n${leader.name} leads ${newcomer.name}'s onboarding. Say hello: reply to this message, or \`baton send ${newcomer.name} ...\`.`,
        importance: 'normal',
        ackRequired: false,
        thread: run.thread,
      },
    });

    // 3. Starter task: the lead assigns it; the new agent and its lead may message each other from now on.
    enter('starter-task');
    await run.send({ contacts: [[newcomer.name, leader.name]] });
    const id = `${run.workflowId.split('/').pop()}-starter`;
    starterReview = `baton/${run.project}/code-review/${id}`;
    run.log('assigned', `${leader.name} assigns the starter task: ${plan.starterTask.task} (review ${starterReview})`, { step: 'starter-task', actor: leader.name });
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

    // 4. Guided work: the lead reviews the starter task (a Code Review child); its approval counts.
    const review = await run.child('code-review', 'codeReviewWorkflow', id, reviewPlan, `Code Review (onboarding of ${newcomer.name}): ${plan.starterTask.task}`);
    if (review.outcome !== 'completed') throw new PatternAborted(`the starter task's review ${starterReview} ${review.outcome}: ${review.reason ?? ''}`);
    run.log('step-finished', `starter task approved by ${leader.name}`, { step: 'starter-task', actor: newcomer.name });

    // 5. Team integration: wait (polling the directory) until trust is earned.
    enter('team-integration');
    await run.wait(() => ({
      step: 'team-integration',
      who: () => [newcomer.name],
      deadlines: plan.integrationDeadlines,
      ready: () => trust.trustedAt !== null,
      onBehalfOf: leader.name,
      remind: async (waited) => {
        run.timeline.log('reminder', `${leader.name} reminded to give ${newcomer.name} more work`, { step: 'team-integration', actor: leader.name });
        await run.writes.notify({ to: [leader.name], subject: `Reminder: ${newcomer.name} needs more work to become trusted`, body: `${trust.successfulTasks} of ${trust.trustAfterTasks} successful tasks after ${formatDuration(waited)}. Assign ${newcomer.name} a step in a pattern (baton start ...).`, importance: 'high', onBehalfOf: leader.name });
      },
      escalation: (waited) => `${newcomer.name} has ${trust.successfulTasks} of ${trust.trustAfterTasks} successful tasks after ${formatDuration(waited)} of onboarding.`,
      poll: {
        every: () => plan.trustPollEvery,
        run: async () => {
          const now = await run.journal.track(acts.memberTrust({ project: run.project, name: newcomer.name }));
          if (!now) throw new PatternAborted(`${newcomer.name} is no longer a member of project ${run.project}.`);
          trust.trustAfterTasks = now.trustAfterTasks;
          if (now.successfulTasks !== trust.successfulTasks) {
            trust.successfulTasks = now.successfulTasks;
            run.timeline.log('progress', `${newcomer.name} has ${trust.successfulTasks} of ${now.trustAfterTasks} successful tasks`, { step: 'team-integration', actor: newcomer.name });
            if (!now.trusted) {
              await run.writes.notify({ to: [newcomer.name, leader.name], subject: `[onboarding] ${newcomer.name}: ${trust.successfulTasks} of ${now.trustAfterTasks} successful tasks`, body: `${now.trustAfterTasks - trust.successfulTasks} more successful task(s) (a step accepted by someone else, a review approved, in any pattern) and ${newcomer.name} is trusted. ${leader.name}: assign the next one.`, onBehalfOf: leader.name });
            }
          }
          if (now.trusted) trust.trustedAt = new Date(Date.now()).toISOString();
        },
      },
    }));
    enter('trusted');
    run.log('step-finished', `${newcomer.name} is trusted after ${trust.successfulTasks} successful tasks`, { step: 'team-integration', actor: newcomer.name });
    await run.notify({
      to: 'all',
      subject: `${newcomer.name} is now a trusted team member`,
      body: `${newcomer.name} completed ${trust.successfulTasks} successful tasks. From now on: auto-approved contact for agents of this project, may review code, eligible for complex work (e.g. Full-Stack features).`,
      onBehalfOf: leader.name,
    });
    return { agent: newcomer.name, lead: leader.name, introducedBy: introduction.by, starterReview, successfulTasks: trust.successfulTasks, trustAfterTasks: trust.trustAfterTasks, trustedAt: trust.trustedAt };
  });
}
