import { commandFlag, TIMEOUT_FLAG } from '../command-flags';
import { list, type PatternDefinition } from '../definition';
import { EmergencyPlan, checkEmergencyMembers } from './plan';
import { wholeNumber } from '../../cli/numeric-options';

export const emergencyResponse: PatternDefinition<EmergencyPlan> = {
  name: 'emergency-response',
  label: 'Emergency Response',
  aliases: ['emergency'],
  workflowType: 'emergencyResponseWorkflow',
  summary: 'production broke: one agent claims it, reserves with priority, fixes, tests in staging; a human approves the deploy; monitoring and a post-mortem',
  plan: EmergencyPlan,
  starter: 'member',
  members: (p) => p.responders ?? [],
  files: (p) => p.files,
  commands: (p) => [p.staging, p.deploy, p.rollback, p.healthCheck].flatMap((c) => (c ? [c.command] : [])),
  checkMembers: checkEmergencyMembers,
  describe: (p) => {
    const steps = ['claim', 'fix', p.staging ? `staging \`${p.staging.command}\`` : 'staging (agent)', 'human approves', p.deploy ? `deploy \`${p.deploy.command}\`` : 'deploy (agent)', p.healthCheck ? `monitor \`${p.healthCheck.command}\`` : 'monitor (agent)', 'post-mortem'];
    return { summary: `EMERGENCY: ${p.title}`, details: `${p.description}\n\nFiles: ${p.files.join(', ')}\n\n${steps.join(' -> ')}` };
  },
  flags: [
    { flags: '--description <text>', description: 'the symptoms (what is broken, since when)', field: 'description', example: '--description "POST /charge returns 500 since 14:02"' },
    { flags: '--files <list>', description: 'comma-separated affected files or globs (reserved with priority)', field: 'files', example: '--files "src/payments/**"', apply: (plan, v) => void (plan.files = list(v as string)) },
    { flags: '--responder <agent>', description: 'an agent who may claim (repeat; default every agent)', repeat: true, field: 'responders', example: '--responder RedFox' },
    { flags: '--claim-within <duration>', description: 'escalate an unclaimed alert after this long (default 5m)', field: 'claimWithin', example: '--claim-within 5m' },
    commandFlag('--staging-command <cmd>', 'staging', 'test the fix in staging with this command (default: the claimant reports)', '--staging-command "npm run test:staging"'),
    commandFlag('--deploy-command <cmd>', 'deploy', 'deploy with this command after a human approves (default: the claimant deploys)', '--deploy-command ./deploy.sh'),
    commandFlag('--rollback-command <cmd>', 'rollback', 'run this when monitoring fails', '--rollback-command ./rollback.sh'),
    commandFlag('--health-command <cmd>', 'healthCheck', 'the health check polled during monitoring (default: the claimant watches)', '--health-command "curl -fsS https://example.com/health"', (o) => (o.healthEvery ? { every: o.healthEvery } : {})),
    { flags: '--health-every <duration>', description: 'how often the health check runs (default 30s)', field: 'healthCheck.every', example: '--health-every 30s', apply: () => undefined },
    { flags: '--monitor-window <duration>', description: 'how long the deploy is watched (default 10m)', field: 'monitorWindow', example: '--monitor-window 10m' },
    { flags: '--max-reopens <n>', description: 'reopens before a human decides (default 3)', field: 'maxReopens', example: '--max-reopens 2', apply: (plan, v) => void (plan.maxReopens = wholeNumber('--max-reopens')(v as string)) },
    TIMEOUT_FLAG,
  ],
  examples: [
    'baton start emergency --title "Payments 500s" --description "POST /charge returns 500 since 14:02" --files "src/payments/**"',
    'baton start emergency --title "Payments 500s" --description "POST /charge returns 500 since 14:02" \\\n    --files "src/payments/**" --staging-command "npm run test:staging" --deploy-command "./deploy.sh" \\\n    --health-command "curl -fsS https://example.com/health" --monitor-window 10m --workdir /srv/checkouts/web   # a human',
  ],
  next: (id) => `agents: baton claim ${id}`,
  selection: {
    taskType: 'Production issue',
    duration: '15-60 minutes',
    keywords: ['production', 'prod', 'outage', 'incident', 'emergency', 'hotfix', 'urgent', 'down', 'broken', 'crash', 'sev1', 'sev2', '500 error', 'error rate', 'pager', 'rollback', 'on fire'],
    why: 'Production is affected: one agent claims it (no duplicates), reserves the affected files with priority, fixes, tests in staging; a human approves the deploy; then monitoring and a post-mortem.',
    uses: 'May use Sequential Handoff if the fix takes several steps.',
  },
};
