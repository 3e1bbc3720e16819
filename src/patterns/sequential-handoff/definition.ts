import type { PatternDefinition } from '../definition';
import { splitSpec, list } from '../definition';
import { SequentialHandoffPlan, handoffMembers } from './plan';

const STEP_EXAMPLE = '"database:BoldMountain:db/migrations/**:Create the users migration"';

export const sequentialHandoff: PatternDefinition<SequentialHandoffPlan> = {
  name: 'sequential-handoff',
  label: 'Sequential Handoff',
  aliases: ['handoff', 'sequential'],
  workflowType: 'sequentialHandoffWorkflow',
  summary: 'agents pass work down a pipeline (DB -> API -> Frontend -> Tests), each step handing over what, where and how to test',
  plan: SequentialHandoffPlan,
  starter: 'member',
  members: handoffMembers,
  files: (p) => p.steps.flatMap((s) => s.files),
  commands: () => [],
  describe: (p) => ({ summary: `Sequential Handoff: ${p.title}`, details: p.steps.map((s) => `${s.name} (${s.agent})`).join(' -> ') }),
  flags: [
    {
      flags: '--step <spec>',
      description: 'a step as name:Agent:files:task (repeat, in order)',
      repeat: true,
      field: 'steps',
      example: `--step ${STEP_EXAMPLE}`,
      apply(plan, value) {
        plan.steps = (value as string[]).map((spec) => {
          const [name, agent, files, task] = splitSpec('step', spec, 4, 'name:Agent:file1,file2:task', STEP_EXAMPLE);
          return { name, agent, files: list(files!), task };
        });
      },
    },
    {
      flags: '--on-fail <who>',
      description: 'a failed step goes back to the "agent" or to a "human" (default human)',
      field: 'steps.onFail',
      example: '--on-fail agent',
      apply(plan, value) {
        if (Array.isArray(plan.steps)) plan.steps = plan.steps.map((s: Record<string, unknown>) => ({ ...s, onFail: value }));
      },
    },
  ],
  examples: [
    `baton start sequential-handoff --title "User sign-up" \\\n    --step ${STEP_EXAMPLE} \\\n    --step "backend:SwiftEagle:src/api/users.ts:Implement POST /users" \\\n    --step "frontend:GreenCastle:web/signup/**:Build the sign-up form" \\\n    --step "tests:ClearRiver:e2e/signup.spec.ts:Run backend, frontend and E2E tests"`,
    'baton start sequential-handoff --plan plans/signup.yaml',
  ],
  next: (id) => `baton status ${id}`,
  selection: {
    taskType: 'Dependent tasks',
    duration: '4-8 hours',
    keywords: ['then', 'after that', 'depends on', 'dependent', 'pipeline', 'in order', 'sequence', 'sequential', 'handoff', 'hand off', 'step by step', 'migration then', 'before the', 'once the'],
    why: 'Each step needs the previous one: agents pass work down a pipeline (DB -> API -> Frontend -> Tests) with a handoff note at every step.',
  },
};
