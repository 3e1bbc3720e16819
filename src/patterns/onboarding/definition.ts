import { list, setField, type PatternDefinition } from '../definition';
import { OnboardingPlan, checkOnboardingMembers } from './plan';

export const onboarding: PatternDefinition<OnboardingPlan> = {
  name: 'onboarding',
  label: 'Onboarding',
  aliases: [],
  workflowType: 'onboardingWorkflow',
  summary: 'a new agent earns trust: a human introduces it, its lead assigns and reviews a starter task, then a few successful tasks',
  plan: OnboardingPlan,
  starter: 'member',
  prepare: (draft) => ({ ...draft, title: draft.title ?? (typeof draft.agent === 'string' ? `Onboarding ${draft.agent}` : undefined) }),
  members: (p) => [p.agent, p.lead],
  files: (p) => p.starterTask.files,
  commands: () => [],
  checkMembers: checkOnboardingMembers,
  describe: (p) => ({
    summary: `Onboarding: ${p.agent} (lead ${p.lead})`,
    details: `Introduction by a human -> starter task "${p.starterTask.task}" reviewed by ${p.lead} -> trusted after the project's trustAfterTasks successful tasks`,
  }),
  flags: [
    { flags: '--agent <agent>', description: 'the new agent (registered first)', field: 'agent', example: '--agent SilverPhoenix' },
    { flags: '--lead <name>', description: 'a trusted agent or a human who assigns and reviews the starter task', field: 'lead', example: '--lead alice' },
    { flags: '--task <text>', description: 'the starter task (something small and real)', field: 'starterTask.task', example: '--task "Fix the README install steps"' },
    { flags: '--files <list>', description: 'comma-separated files of the starter task', field: 'starterTask.files', example: '--files README.md', apply: (plan, v) => setField(plan, 'starterTask.files', list(v as string)) },
    { flags: '--trust-poll-every <duration>', description: 'how often to check whether the agent is trusted (default 10m)', field: 'trustPollEvery', example: '--trust-poll-every 10m' },
  ],
  examples: ['baton start onboarding --agent SilverPhoenix --lead alice --task "Fix the README install steps" --files README.md'],
  next: (id) => `a human: baton introduce ${id} --text "..."`,
  selection: {
    taskType: 'New team member',
    duration: '1-3 days',
    keywords: ['onboard', 'onboarding', 'new agent', 'new team member', 'new member', 'newcomer', 'join the team', 'joins the team', 'introduce', 'introduction', 'welcome', 'starter task', 'first task'],
    why: 'A new agent earns trust: a human introduces it, a lead assigns a starter task and reviews it; after a few successful tasks it is trusted (auto-approved contact, reviews, complex work).',
    uses: 'Includes Code Review for quality.',
  },
};
