import { commandFlag, TIMEOUT_FLAG } from '../command-flags';
import { list, type PatternDefinition } from '../definition';
import { CodeReviewPlan, checkCodeReviewMembers, checkCodeReviewPlan } from './plan';
import { wholeNumber } from '../../cli/numeric-options';

export const codeReview: PatternDefinition<CodeReviewPlan> = {
  name: 'code-review',
  label: 'Code Review',
  aliases: ['review'],
  workflowType: 'codeReviewWorkflow',
  summary: 'one agent writes, another (a trusted agent or a human, never the author) reviews; revisions until approved, then merge',
  plan: CodeReviewPlan,
  starter: 'member',
  members: (p) => [p.author, p.reviewer],
  files: (p) => p.files,
  commands: (p) => (p.merge ? [p.merge.command] : []),
  checkPlan: checkCodeReviewPlan,
  checkMembers: checkCodeReviewMembers,
  describe: (p) => ({
    summary: `Code Review: ${p.title}`,
    details: `${p.author} writes, ${p.reviewer} reviews (up to ${p.maxRevisions} revisions); merge ${p.merge ? `by \`${p.merge.command}\`` : `by ${p.author}`}`,
  }),
  flags: [
    { flags: '--author <agent>', description: 'who implements', field: 'author', example: '--author SwiftEagle' },
    { flags: '--reviewer <name>', description: 'a trusted agent or a human, never the author', field: 'reviewer', example: '--reviewer alice' },
    { flags: '--task <text>', description: 'what the author implements', field: 'task', example: '--task "Implement POST /login"' },
    { flags: '--files <list>', description: 'comma-separated files or globs under review', field: 'files', example: '--files "src/auth/**"', apply: (plan, v) => void (plan.files = list(v as string)) },
    { flags: '--max-revisions <n>', description: 'revision rounds before a human decides (default 3)', field: 'maxRevisions', example: '--max-revisions 2', apply: (plan, v) => void (plan.maxRevisions = wholeNumber('--max-revisions')(v as string)) },
    commandFlag('--merge-command <cmd>', 'merge', 'run this after approval (default: the author merges and confirms)', '--merge-command "gh pr merge 42 --squash"'),
    TIMEOUT_FLAG,
  ],
  examples: [
    'baton start code-review --title "Auth API" --author SwiftEagle --reviewer alice \\\n    --task "Implement POST /login" --files "src/auth/**"',
    'baton start code-review --title "Auth API" --author SwiftEagle --reviewer alice \\\n    --task "Implement POST /login" --files "src/auth/**" --merge-command "gh pr merge 42 --squash" --workdir /srv/checkouts/web   # a human',
  ],
  next: (id) => `baton status ${id}`,
  selection: {
    taskType: 'Quality check',
    duration: '30 min - 2 hours',
    keywords: ['review', 'code review', 'quality', 'quality check', 'pull request', 'pr ', 'audit', 'second pair of eyes', 'check my code', 'approve changes', 'feedback'],
    why: 'One agent writes, another (trusted agent or human, never the author) reviews with required changes and suggestions; revisions loop until approved, then merge.',
  },
};
