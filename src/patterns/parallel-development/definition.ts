import { formatDuration } from '../../domain/patterns/duration';
import { commandFlag, TIMEOUT_FLAG } from '../command-flags';
import { agentShare, type PatternDefinition } from '../definition';
import { ParallelDevelopmentPlan, checkParallelPlan, integrationAgent } from './plan';

const WORKER_EXAMPLE = '"SwiftEagle:src/auth/**:Auth API"';

export const parallelDevelopment: PatternDefinition<ParallelDevelopmentPlan> = {
  name: 'parallel-development',
  label: 'Parallel Development',
  aliases: ['parallel'],
  workflowType: 'parallelDevelopmentWorkflow',
  summary: 'several agents build independent parts at once on disjoint files, check in at sync points, then integration tests',
  plan: ParallelDevelopmentPlan,
  starter: 'member',
  members: (p) => [...p.workers.map((w) => w.agent), ...(integrationAgent(p) ? [integrationAgent(p)!] : [])],
  files: (p) => [...p.workers.flatMap((w) => w.files), ...('files' in p.integration ? p.integration.files : [])],
  commands: (p) => ('command' in p.integration ? [p.integration.command] : []),
  checkPlan: checkParallelPlan,
  describe: (p) => ({
    summary: `Parallel Development: ${p.title}`,
    details: `${p.workers.map((w) => w.agent).join(' + ')} in parallel (check-ins every ${formatDuration(p.checkpointEvery)}), then integration tests`,
  }),
  flags: [
    {
      flags: '--worker <spec>',
      description: 'a share of the work as Agent:files:task (repeat; file sets must not overlap)',
      repeat: true,
      field: 'workers',
      example: `--worker ${WORKER_EXAMPLE}`,
      apply: (plan, v) => void (plan.workers = (v as string[]).map((spec) => agentShare('worker', spec, WORKER_EXAMPLE))),
    },
    { flags: '--checkpoint-every <duration>', description: 'check-ins at least this often (default 2h)', field: 'checkpointEvery', example: '--checkpoint-every 2h' },
    { flags: '--checkpoint-grace <duration>', description: 'after a nudge, tell the humans this much later (default 15m)', field: 'checkpointGrace', example: '--checkpoint-grace 15m' },
    commandFlag('--integration-command <cmd>', 'integration', 'the integration tests to run when all shares are done', '--integration-command "npm test"'),
    {
      flags: '--integration-agent <agent>',
      description: 'or an agent who runs the integration tests',
      field: 'integration.agent',
      example: '--integration-agent ClearRiver',
      apply: (plan, v, options) => void (plan.integration = { agent: v, task: options.integrationTask ?? 'Run the integration tests' }),
    },
    { flags: '--integration-task <text>', description: 'what the integration agent does', field: 'integration.task', example: '--integration-task "Run the E2E suite"', apply: () => undefined },
    TIMEOUT_FLAG,
  ],
  examples: [
    'baton start parallel-development --title "Auth" --worker "SwiftEagle:src/auth/**:Auth API" \\\n    --worker "GreenCastle:web/login/**:Login form" --integration-agent ClearRiver --checkpoint-every 2h',
    'baton start parallel-development --title "Auth" --worker "SwiftEagle:src/auth/**:Auth API" \\\n    --worker "GreenCastle:web/login/**:Login form" --integration-command "npm test" --workdir /srv/checkouts/web   # a human',
  ],
  next: (id) => `baton status ${id}`,
  selection: {
    taskType: 'Independent features',
    duration: '2-4 hours',
    keywords: ['independent', 'in parallel', 'parallel', 'simultaneously', 'at the same time', 'separate', 'split the work', 'divide', 'several features', 'multiple features', 'no dependencies', 'frontend and backend'],
    why: 'The parts do not depend on each other: agents work at once on non-overlapping files, sync at checkpoints, then integration tests.',
  },
};
