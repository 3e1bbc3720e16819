import { commandFlag, TIMEOUT_FLAG } from '../command-flags';
import { agentShare, type PatternDefinition } from '../definition';
import { FullStackPlan, checkFullStackMembers, checkFullStackPlan, featureAgents, featureFiles, reviewAuthorOf } from './plan';
import { wholeNumber } from '../../cli/numeric-options';

const layer = (name: string, example: string) => ({
  flags: `--${name} <spec>`,
  description: `the ${name === 'test' ? 'E2E tests' : `${name} layer`} as Agent:files:task`,
  field: name,
  example: `--${name} ${example}`,
  apply: (plan: Record<string, unknown>, v: unknown) => void (plan[name] = agentShare(name, v as string, example)),
});

export const fullStackFeature: PatternDefinition<FullStackPlan> = {
  name: 'full-stack-feature',
  label: 'Full-Stack Feature',
  aliases: ['full-stack'],
  workflowType: 'fullStackFeatureWorkflow',
  summary: 'a feature across all layers: Database, then Backend + Frontend in parallel, the API contract handed over, E2E tests, a code review',
  plan: FullStackPlan,
  // A human broadcasts the plan (the seed's first step), so a human starts it.
  starter: 'human',
  members: (p) => [...featureAgents(p), p.reviewer],
  files: (p) => [...featureFiles(p), ...p.test.files],
  commands: (p) => (p.merge ? [p.merge.command] : []),
  checkPlan: checkFullStackPlan,
  checkMembers: checkFullStackMembers,
  describe: (p) => ({
    summary: `Full-Stack Feature: ${p.title}`,
    details: `Database ${p.database.agent} -> Backend ${p.backend.agent} + Frontend ${p.frontend.agent} (Parallel Development) -> E2E ${p.test.agent} -> Code Review ${reviewAuthorOf(p)} / ${p.reviewer}`,
  }),
  flags: [
    layer('database', '"BoldMountain:db/migrations/002_users.sql:Create the users table"'),
    layer('backend', '"SwiftEagle:src/api/auth/**:Implement the auth API"'),
    layer('frontend', '"GreenCastle:web/login/**:Build the login form"'),
    layer('test', '"ClearRiver:e2e/auth.spec.ts:Run the auth E2E tests"'),
    { flags: '--reviewer <name>', description: 'closes the feature: a trusted agent or a human, not the review author', field: 'reviewer', example: '--reviewer alice' },
    { flags: '--review-author <agent>', description: 'who opens the closing review (default the backend agent)', field: 'reviewAuthor', example: '--review-author SwiftEagle' },
    { flags: '--checkpoint-every <duration>', description: 'Backend and Frontend check in at least this often (default 2h)', field: 'checkpointEvery', example: '--checkpoint-every 2h' },
    { flags: '--checkpoint-grace <duration>', description: 'after a nudge, tell the humans this much later (default 15m)', field: 'checkpointGrace', example: '--checkpoint-grace 15m' },
    { flags: '--max-revisions <n>', description: 'review rounds before a human decides (default 2)', field: 'maxRevisions', example: '--max-revisions 2', apply: (plan, v) => void (plan.maxRevisions = wholeNumber('--max-revisions')(v as string)) },
    commandFlag('--merge-command <cmd>', 'merge', 'run this after the review approves (default: the author merges and confirms)', '--merge-command "gh pr merge 42 --squash"'),
    { flags: '--allow-new-agents', description: 'let agents who are not trusted yet take part (complex work)', field: 'requireTrusted', example: '--allow-new-agents', apply: (plan) => void (plan.requireTrusted = false) },
    TIMEOUT_FLAG,
  ],
  examples: [
    'baton start full-stack --title "User authentication" \\\n    --database "BoldMountain:db/migrations/002_users.sql:Create the users table" \\\n    --backend "SwiftEagle:src/api/auth/**:Implement the auth API" \\\n    --frontend "GreenCastle:web/login/**:Build the login form" \\\n    --test "ClearRiver:e2e/auth.spec.ts:Run the auth E2E tests" --reviewer alice   # a human starts it',
  ],
  next: (id) => `baton status ${id}`,
  selection: {
    taskType: 'Complete feature',
    duration: '1-3 days',
    keywords: ['full-stack', 'full stack', 'fullstack', 'end-to-end feature', 'complete feature', 'whole feature', 'across all layers', 'all layers', 'database and api and ui', 'db, api', 'authentication feature', 'user authentication', 'login feature', 'sign-up feature', 'feature with migration'],
    why: 'A feature across all layers: Database first, then Backend and Frontend in parallel, the API contract handed over, E2E tests on shared leases, and a code review to close.',
    uses: 'Uses Parallel Development + Code Review as child workflows.',
  },
};
