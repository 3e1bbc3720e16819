import { Command, Option } from 'commander';
import { BatonError } from '../../domain/errors';
import { formatDuration } from '../../domain/patterns/duration';
import { recommend } from '../../domain/patterns/recommend';
import type { Alert } from '../../schemas/alerts';
import { ALERT_KINDS } from '../../domain/alerts/kinds';
import { colors, printJson, relativeTime, table } from '../output';
import type { CliRuntime } from '../runtime';
import { buildPlan } from './patterns';

/**
 * The second patterns issue on the command line: `baton start emergency | onboarding | full-stack`
 * (options added to the shared `baton start`), `claim`, `postmortem`, `incident`, `introduce`,
 * `onboarding`, `recommend` and `alerts`. Reports, approvals, status and cancel are the shared
 * commands (`baton done`, `baton approve`, `baton status`, ...).
 */
const PATTERN_ALIASES: Record<string, 'emergency-response' | 'onboarding' | 'full-stack-feature'> = {
  emergency: 'emergency-response',
  'emergency-response': 'emergency-response',
  onboarding: 'onboarding',
  'full-stack': 'full-stack-feature',
  'full-stack-feature': 'full-stack-feature',
};

export const isPatternII = (name: string): boolean => name in PATTERN_ALIASES;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** "Agent:file1,file2:task" */
function layer(spec: string | undefined, what: string): { agent: string; files: string[]; task: string } | undefined {
  if (spec === undefined) return undefined;
  const [agent, files, ...task] = spec.split(':');
  if (!agent || !files || task.length === 0) throw new BatonError('INVALID_INPUT', `${what}: "${spec}" should look like Agent:file1,file2:task (e.g. "SwiftEagle:src/api/auth/**:Implement the auth API")`);
  return { agent: agent.trim(), files: list(files), task: task.join(':').trim() };
}

type Opts = Record<string, string | string[] | boolean | undefined>;

/** Called by the shared `baton start` for the patterns of this module. */
export async function startPatternII(rt: CliRuntime, name: string, opts: Opts, command: Command): Promise<void> {
  const pattern = PATTERN_ALIASES[name]!;
  const plan = buildPlan(pattern as never, opts as never);
  const set = (key: string, value: unknown) => {
    if (value !== undefined) plan[key] = value;
  };
  let started: { workflowId: string; title: string; pattern: string };
  if (pattern === 'emergency-response') {
    set('description', opts.description);
    if (opts.files) plan.files = list(opts.files as string);
    set('responders', opts.responder);
    set('claimWithin', opts.claimWithin);
    set('monitorWindow', opts.monitorWindow);
    if (opts.maxReopens !== undefined) plan.maxReopens = Number(opts.maxReopens);
    const timeout = opts.timeout ? { timeout: opts.timeout } : {};
    if (opts.stagingCommand) plan.staging = { command: opts.stagingCommand, ...timeout };
    if (opts.deployCommand) plan.deploy = { command: opts.deployCommand, ...timeout };
    if (opts.rollbackCommand) plan.rollback = { command: opts.rollbackCommand, ...timeout };
    if (opts.healthCommand) plan.healthCheck = { command: opts.healthCommand, ...(opts.healthEvery ? { every: opts.healthEvery } : {}), ...timeout };
    started = await rt.member(command).patterns.start(pattern, plan);
  } else if (pattern === 'onboarding') {
    set('agent', opts.agent);
    set('lead', opts.lead);
    if (opts.task || opts.files) plan.starterTask = { ...(plan.starterTask as object), ...(opts.task ? { task: opts.task } : {}), ...(opts.files ? { files: list(opts.files as string) } : {}) };
    set('trustPollEvery', opts.trustPollEvery);
    started = await rt.member(command).patterns.start(pattern, plan);
  } else {
    for (const key of ['database', 'backend', 'frontend'] as const) set(key, layer(opts[key] as string | undefined, key));
    const test = layer(opts.test as string | undefined, 'test');
    if (test) plan.test = test;
    set('reviewer', opts.reviewer);
    set('reviewAuthor', opts.reviewAuthor);
    set('checkpointEvery', opts.checkpointEvery);
    set('checkpointGrace', opts.checkpointGrace);
    if (opts.maxRevisions) plan.maxRevisions = Number(opts.maxRevisions);
    if (opts.mergeCommand) plan.merge = { command: opts.mergeCommand, ...(opts.timeout ? { timeout: opts.timeout } : {}) };
    if (opts.allowNewAgents) plan.requireTrusted = false;
    // A human starts a full-stack feature (and so broadcasts its plan).
    started = await rt.human(command).patterns.start(pattern, plan);
  }
  const next =
    pattern === 'emergency-response' ? `agents: baton claim ${started.workflowId}` : pattern === 'onboarding' ? `a human: baton introduce ${started.workflowId} --text "..."` : `baton status ${started.workflowId}`;
  if (rt.globals(command).json) return printJson(started);
  console.log(`${colors.green('started')} ${started.pattern} "${started.title}"\n  ${started.workflowId}\n${colors.dim(`  next: ${next}`)}`);
}

function printAlerts(alerts: Alert[], resolved: Alert[]): void {
  if (!alerts.length) console.log(colors.dim('No active anti-pattern alerts.'));
  for (const a of alerts) {
    console.log(`${colors.red(colors.bold(a.kind))}  ${colors.bold(a.agent)}  ${colors.dim(`raised ${relativeTime(a.raisedAt)}, seen ${a.count}x`)}`);
    console.log(`  ${a.problem}`);
    console.log(`  ${colors.green('Better:')}`);
    for (const b of a.better) console.log(`    - ${b}`);
    console.log(`  ${colors.dim(`Why: ${a.why}`)}${a.workflowId ? colors.dim(`\n  Workflow: ${a.workflowId}`) : ''}\n`);
  }
  if (resolved.length) {
    console.log(colors.bold('resolved'));
    console.log(
      table(resolved, [
        { header: 'KIND', value: (a) => a.kind },
        { header: 'AGENT', value: (a) => a.agent },
        { header: 'RAISED', value: (a) => relativeTime(a.raisedAt) },
        { header: 'RESOLVED', value: (a) => (a.resolvedAt ? relativeTime(a.resolvedAt) : '') },
        { header: 'SUMMARY', value: (a) => a.summary },
      ]),
    );
  }
}

export function register(program: Command, rt: CliRuntime): void {
  const out = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

  // --- options of the shared `baton start` for emergency | onboarding | full-stack --------------------
  const start = program.commands.find((c) => c.name() === 'start');
  if (start) {
    const add = (flags: string, description: string, parse?: (v: string, p: string[]) => string[]) => {
      const option = new Option(flags, description);
      if (parse) option.argParser(parse);
      if (!start.options.some((o) => o.long === option.long)) start.addOption(option);
    };
    add('--description <text>', 'emergency: the symptoms (what is broken, since when)');
    add('--responder <agent>', 'emergency: an agent who may claim (repeat; default every agent)', collect);
    add('--claim-within <duration>', 'emergency: escalate an unclaimed alert after this long (default 5m)');
    add('--staging-command <cmd>', 'emergency: test the fix in staging with this command (default: the claimant reports)');
    add('--deploy-command <cmd>', 'emergency: deploy with this command after a human approves (default: the claimant deploys)');
    add('--rollback-command <cmd>', 'emergency: run this when monitoring fails');
    add('--health-command <cmd>', 'emergency: the health check polled during monitoring (default: the claimant watches)');
    add('--health-every <duration>', 'emergency: how often the health check runs (default 30s)');
    add('--monitor-window <duration>', 'emergency: how long the deploy is watched (default 10m)');
    add('--max-reopens <n>', 'emergency: reopens before a human decides (default 3)');
    add('--agent <agent>', 'onboarding: the new agent (registered first)');
    add('--lead <name>', 'onboarding: a trusted agent or a human who assigns and reviews the starter task');
    add('--trust-poll-every <duration>', 'onboarding: how often to check whether the agent is trusted (default 10m)');
    add('--database <spec>', 'full-stack: Agent:files:task of the database layer');
    add('--backend <spec>', 'full-stack: Agent:files:task of the backend layer');
    add('--frontend <spec>', 'full-stack: Agent:files:task of the frontend layer');
    add('--test <spec>', 'full-stack: Agent:files:task of the E2E tests (files: the test files)');
    add('--review-author <agent>', 'full-stack: who opens the closing review (default the backend agent)');
    add('--allow-new-agents', 'full-stack: let agents who are not trusted yet take part (complex work)');
    start.addHelpText(
      'after',
      `
Also: emergency (emergency-response), onboarding, full-stack (full-stack-feature):
  $ baton start emergency --title "Payments 500s" --description "POST /charge returns 500 since 14:02" \\
      --files "src/payments/**" --staging-command "npm run test:staging" --deploy-command "./deploy.sh" \\
      --health-command "curl -fsS https://example.com/health" --monitor-window 10m
  $ baton start onboarding --agent SilverPhoenix --lead alice --task "Fix the README install steps" --files README.md
  $ baton start full-stack --title "User authentication" \\
      --database "BoldMountain:db/migrations/002_users.sql:Create the users table" \\
      --backend "SwiftEagle:src/api/auth/**:Implement the auth API" \\
      --frontend "GreenCastle:web/login/**:Build the login form" \\
      --test "ClearRiver:e2e/auth.spec.ts:Run the auth E2E tests" --reviewer alice   # a human starts it`,
    );
  }

  program
    .command('claim')
    .description('Claim an emergency (agents; exactly one claim wins, the others hear who has it)')
    .argument('<workflow>', 'the emergency: baton/<project>/emergency-response/<id>, emergency-response/<id> or <id>')
    .option('--note <text>', 'what you are about to look at first')
    .addHelpText('after', '\nExample:\n  $ baton claim emergency-response/payments-500s-1a2b3c --as RedFox')
    .action(
      rt.action(async (workflow: string, opts: { note?: string }, command: Command) => {
        const r = await rt.member(command).patterns.claim(workflow, opts.note);
        out(command, r, `${colors.green('claimed')} ${r.workflowId}\n  ${r.message}`);
      }),
    );

  program
    .command('postmortem')
    .description('File the post-mortem that closes an emergency (the claimant; broadcast to the team)')
    .argument('<workflow>', 'the emergency workflow id')
    .requiredOption('--summary <text>', 'what happened and its impact')
    .requiredOption('--root-cause <text>', 'what caused it')
    .option('--learning <text>', 'a learning (repeat; at least one)', collect)
    .option('--follow-up <text>', 'a follow-up action (repeat)', collect)
    .addHelpText('after', '\nExample:\n  $ baton postmortem emergency-response/payments-500s-1a2b3c --summary "Charges failed for 20 min" \\\n      --root-cause "null customer on guest checkout" --learning "Guard optional fields" --learning "Alert on 5xx rate"')
    .action(
      rt.action(async (workflow: string, opts: { summary: string; rootCause: string; learning?: string[]; followUp?: string[] }, command: Command) => {
        const r = await rt.member(command).patterns.postMortem(workflow, { summary: opts.summary, rootCause: opts.rootCause, learnings: opts.learning ?? [], followUps: opts.followUp ?? [] });
        out(command, r, `${colors.green('accepted')} ${r.message}`);
      }),
    );

  program
    .command('incident')
    .description('Show an emergency: phase, claimant, reopens, times to claim/fix/approve/deploy, post-mortem')
    .argument('<workflow>', 'the emergency workflow id')
    .addHelpText('after', '\nExample:\n  $ baton incident emergency-response/payments-500s-1a2b3c --json')
    .action(
      rt.action(async (workflow: string, _opts: object, command: Command) => {
        const i = await rt.member(command).patterns.incident(workflow);
        if (rt.globals(command).json) return printJson(i);
        const t = (ms?: number) => (ms === undefined ? '-' : formatDuration(ms));
        console.log(`${colors.bold(i.title)}  ${colors.yellow(i.phase)}  claimant: ${i.claimant ?? colors.red('nobody yet')}${i.reopens ? colors.red(`  reopened ${i.reopens}x`) : ''}`);
        console.log(colors.dim(i.workflowId));
        console.log(`time to claim ${t(i.times.timeToClaimMs)} · fix ${t(i.times.timeToFixMs)} · approve ${t(i.times.timeToApproveMs)} · deploy ${t(i.times.timeToDeployMs)}`);
        if (i.postMortem) console.log(`\npost-mortem: ${i.postMortem.summary}\n  root cause: ${i.postMortem.rootCause}\n${i.postMortem.learnings.map((l) => `  - ${l}`).join('\n')}`);
      }),
    );

  program
    .command('introduce')
    .description('Introduce a new agent to the team (humans; broadcast by its onboarding workflow)')
    .argument('<workflow>', 'the onboarding workflow id')
    .requiredOption('--text <text>', 'the introduction the team reads')
    .addHelpText('after', '\nExample:\n  $ baton introduce onboarding/onboarding-silverphoenix-1a2b3c --text "SilverPhoenix joins us on the docs"')
    .action(
      rt.action(async (workflow: string, opts: { text: string }, command: Command) => {
        const r = await rt.human(command).patterns.introduce(workflow, opts.text);
        out(command, r, `${colors.green('introduced')} ${r.message}`);
      }),
    );

  program
    .command('onboarding')
    .description("Show where a new agent's onboarding stands (phase, starter review, successful tasks)")
    .argument('<workflow>', 'the onboarding workflow id')
    .addHelpText('after', '\nExample:\n  $ baton onboarding onboarding/onboarding-silverphoenix-1a2b3c')
    .action(
      rt.action(async (workflow: string, _opts: object, command: Command) => {
        const v = await rt.member(command).patterns.onboarding(workflow);
        if (rt.globals(command).json) return printJson(v);
        console.log(`${colors.bold(v.agent)} (lead ${v.lead})  ${colors.yellow(v.phase)}`);
        console.log(`introduced by: ${v.introducedBy ?? '-'}  starter review: ${v.starterReview ?? '-'}`);
        console.log(`successful tasks: ${v.successfulTasks}${v.trustAfterTasks ? ` of ${v.trustAfterTasks}` : ''}${v.trustedAt ? colors.green(`  trusted ${relativeTime(v.trustedAt)}`) : ''}`);
      }),
    );

  program
    .command('recommend')
    .description('Recommend a coordination pattern for a task (the seed table: type -> pattern and duration)')
    .argument('<task>', 'a task description or type, e.g. "production issue" or "login is down since 14:02"')
    .addHelpText('after', '\nExamples:\n  $ baton recommend "production issue"\n  $ baton recommend "Build the settings page and the export job in parallel" --json')
    .action(
      rt.action(async (task: string, _opts: object, command: Command) => {
        const r = recommend(task);
        if (rt.globals(command).json) return printJson(r);
        console.log(`${colors.bold(r.label)}  ${colors.dim(`(${r.taskType}, typically ${r.duration}; confidence ${r.confidence})`)}`);
        console.log(`why: ${r.why}`);
        if (r.matched.length) console.log(colors.dim(`matched: ${r.matched.join(', ')}`));
        if (r.uses) console.log(colors.dim(r.uses));
        console.log(`start: ${colors.cyan(r.start)}`);
        if (r.alternatives.length) console.log(colors.dim(`also possible: ${r.alternatives.map((a) => a.label).join(', ')}`));
      }),
    );

  program
    .command('alerts')
    .description('Anti-pattern alerts of the project: silent work, reservation hoarding, no sync points, unclear handoffs')
    .option('--all', 'include recently resolved alerts')
    .addOption(new Option('--kind <kind>', 'only this kind').choices([...ALERT_KINDS]))
    .option('--agent <name>', "only this agent's alerts")
    .addHelpText('after', '\nExamples:\n  $ baton alerts --project acme/web\n  $ baton alerts --kind silent-work --all --json')
    .action(
      rt.action(async (opts: { all?: boolean; kind?: Alert['kind']; agent?: string }, command: Command) => {
        const view = await rt.member(command).alerts({ all: Boolean(opts.all), kind: opts.kind, agent: opts.agent });
        if (rt.globals(command).json) return printJson(view);
        printAlerts(view.active, view.resolved);
      }),
    );
}
