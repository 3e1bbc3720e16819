import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { colors, printJson, relativeTime, table } from '../cli/output';
import type { CliRuntime } from '../cli/runtime';
import { BatonError } from '../domain/errors';
import { formatDuration } from '../domain/patterns/duration';
import type { PatternStatus } from '../schemas/patterns';
import { registerCodeReviewCommands } from './code-review/cli';
import { COMMON_FLAGS, list, planFromFlags, type PatternDefinition, type PlanDraft, type StartFlag } from './definition';
import { registerEmergencyCommands } from './emergency-response/cli';
import type { PatternName } from './names';
import { registerOnboardingCommands } from './onboarding/cli';
import { recommend } from './recommend';
import { ALL_PATTERNS, describeNames } from './registry';
import { inFlagWords } from '../cli/flag-words';

/** The handoff's fields as `baton done` spells them (its errors say the flag the person typed). */
const HANDOFF_FLAGS = { whatWasDone: '--what', where: '--where', howToTest: '--how-to-test', contract: '--contract', results: '--results', summary: '--summary' };

/**
 * The coordination patterns from the command line: `baton start <pattern>` (one subcommand per pattern
 * of the registry, with its flags and examples), `status`, `patterns`, `approvals`, the reports
 * (`progress`, `done`, `fail`), the decisions (`approve`, `reject`, `cancel`), `recommend`, then each
 * pattern's own commands (its folder's cli.ts). Everyone acts as themselves (src/cli/runtime.ts).
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Each pattern's own commands, besides the ones every pattern takes (every pattern is listed, so none is forgotten). */
const OWN_COMMANDS: Record<PatternName, ((program: Command, rt: CliRuntime) => void) | undefined> = {
  'parallel-development': undefined,
  'sequential-handoff': undefined,
  'code-review': registerCodeReviewCommands,
  'full-stack-feature': undefined,
  'emergency-response': registerEmergencyCommands,
  onboarding: registerOnboardingCommands,
};

/** A plan file's fields (YAML or JSON), or an error naming the file and what is wrong with it. */
function readPlanFile(file: string | undefined): PlanDraft {
  if (!file) return {};
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (err) {
    throw new BatonError('INVALID_INPUT', `plan: cannot read ${file}: ${(err as Error).message}`);
  }
  const json = /\.json$/i.test(file);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for plan files
    const parsed = (json ? JSON.parse(text) : (require('yaml') as typeof import('yaml')).parse(text)) ?? {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the plan must be a mapping of fields (title: ..., steps: ...)');
    return parsed as PlanDraft;
  } catch (err) {
    throw new BatonError('INVALID_INPUT', `plan: ${file} is not a valid ${json ? 'JSON' : 'YAML'} plan: ${(err as Error).message}`);
  }
}

function addFlag(command: Command, flag: StartFlag): void {
  const option = new Option(flag.flags, flag.description);
  if (flag.repeat) option.argParser(collect);
  command.addOption(option);
}

/**
 * What the current step waits for when it is files another member holds (the latest timeline entry
 * of the step about its files, when it is a wait): "<agent> waits for <pattern> (held by <holder> until
 * <time>, <lease id>)". `waitingFor` only names the members.
 */
export function waitingForFiles(s: Pick<PatternStatus, 'state' | 'step' | 'timeline'>): string | undefined {
  if (s.state !== 'running' || !s.step) return undefined;
  const last = [...s.timeline].reverse().find((e) => e.step === s.step && (e.kind === 'waiting-for-files' || e.kind === 'reserved'));
  return last?.kind === 'waiting-for-files' ? last.text : undefined;
}

function printStatus(s: PatternStatus, all: boolean): void {
  const state = s.state === 'running' ? colors.green(s.state) : s.state === 'completed' ? colors.cyan(s.state) : colors.yellow(s.state);
  console.log(`${colors.bold(s.title)}  ${colors.dim(s.pattern)}  ${state}`);
  console.log(colors.dim(s.workflowId));
  if (s.step) console.log(`step: ${colors.bold(s.step)}${s.waitingFor.length ? `  waiting for: ${s.waitingFor.join(', ')}` : ''}`);
  const blocked = waitingForFiles(s);
  if (blocked) console.log(colors.yellow(`waiting for files: ${blocked}`));
  // Said from the state: each escalation with what the humans were told (runs before the kit: the flag only).
  for (const e of s.escalations ?? []) console.log(colors.red(`escalated to the humans (${e.step}, ${relativeTime(e.since)}): ${e.text}`));
  if (s.escalated && !s.escalations) console.log(colors.red('escalated to the humans'));
  if (s.decision) {
    console.log(colors.yellow(`needs a human decision ${s.decision.id}${s.decision.approvers ? ` (by ${s.decision.approvers.join(', ')})` : ''}: ${s.decision.question}`));
    console.log(colors.dim(`  baton approve ${s.workflowId} ${s.decision.id} --comment "..."   |   baton reject ${s.workflowId} ${s.decision.id} --reason "..."`));
  }
  const lost = (s.leases ?? []).filter((l) => l.state === 'lost');
  if (lost.length) console.log(colors.red(`lost leases (expired or force-released while the step was open): ${lost.map((l) => `${l.pattern} of ${l.agent} (${l.id})`).join(', ')}`));
  if (s.steps.length) {
    console.log('');
    console.log(
      table(s.steps, [
        { header: 'STEP', value: (r) => r.name, color: (t) => colors.bold(t) },
        { header: 'AGENT', value: (r) => r.agent },
        { header: 'OUTCOME', value: (r) => r.outcome },
        { header: 'TRIES', value: (r) => String(r.attempts) },
        { header: 'TOOK', value: (r) => (r.durationMs !== undefined ? formatDuration(r.durationMs) : relativeTime(r.startedAt).replace(' ago', '') + ' so far') },
        { header: 'SUMMARY', value: (r) => r.summary ?? '' },
      ]),
    );
  }
  const entries = all ? s.timeline : s.timeline.slice(-12);
  console.log('');
  console.log(colors.bold('timeline') + (entries.length < s.timeline.length || s.timelineOmitted ? colors.dim(` (last ${entries.length}; --all for everything)`) : ''));
  for (const e of entries) console.log(`  ${colors.dim(e.at.slice(11, 19))} ${e.kind.padEnd(18)} ${e.step ? colors.dim(`[${e.step}] `) : ''}${e.text}`);
  if (s.refused.length) console.log(colors.dim(`\n${s.refused.length} refused attempt(s); --json shows them`));
}

/** `baton start <pattern>`: one subcommand per registered pattern, with its flags and examples. */
function registerStart(program: Command, rt: CliRuntime): void {
  const start = program
    .command('start')
    .description('Start a coordination pattern from a plan file and/or flags (`baton start <pattern> --help` for its flags)')
    .argument('[pattern]', 'the pattern (see the commands below)')
    .allowExcessArguments(true)
    .allowUnknownOption(true)
    .addHelpText('after', `\nDurations: 90s, 30m, 2h, 1h30m, 1d (a bare number is seconds).\n\nExample:\n  $ baton start sequential-handoff --help`)
    // Reached only for a name that is no pattern: say which ones there are.
    .action(
      rt.action(async (name: string | undefined) => {
        throw new BatonError('INVALID_INPUT', `pattern: ${name ? `"${name}" is not a pattern` : 'name the pattern to start'}; choose one of ${describeNames()} (\`baton start <pattern> --help\`).`);
      }),
    );

  for (const def of ALL_PATTERNS) {
    const command = start.command(def.name).description(`${def.label}: ${def.summary}`);
    for (const alias of def.aliases) command.alias(alias);
    command.option('--plan <file>', 'the plan as YAML or JSON (flags override its fields)');
    for (const flag of [...COMMON_FLAGS, ...def.flags]) addFlag(command, flag);
    command.addHelpText('after', `\nDurations: 90s, 30m, 2h, 1h30m, 1d (a bare number is seconds).${def.starter === 'human' ? `\nA human starts a ${def.label}.` : ''}\n\nExample${def.examples.length > 1 ? 's' : ''}:\n${def.examples.map((e) => `  $ ${e}`).join('\n')}`);
    command.action(rt.action(async (opts: Record<string, unknown>, cmd: Command) => startPattern(rt, def, opts, cmd)));
  }
}

async function startPattern(rt: CliRuntime, def: PatternDefinition, opts: Record<string, unknown>, command: Command): Promise<void> {
  const plan = planFromFlags(def, readPlanFile(opts.plan as string | undefined), opts);
  // You are recorded as the starter (a pattern always has one); some patterns are started by a human.
  const api = def.starter === 'human' ? rt.human(command) : rt.member(command);
  const started = await api.patterns.start(def.name, plan);
  if (rt.globals(command).json) return printJson(started);
  console.log(`${colors.green('started')} ${started.pattern} "${started.title}"\n  ${started.workflowId}\n${colors.dim(`  next: ${def.next(started.workflowId)}`)}`);
}

export function registerPatternCommands(program: Command, rt: CliRuntime): void {
  const patterns = (command: Command) => rt.member(command).patterns;
  const decide = (command: Command) => rt.human(command);
  const done = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

  registerStart(program, rt);

  program
    .command('status')
    .description('Show a pattern: current step, who it waits for, decisions, steps and the timeline')
    .argument('<workflow>', 'workflow id (baton/<project>/<pattern>/<id>, or <pattern>/<id>)')
    .option('--all', 'the whole timeline')
    .addHelpText('after', '\nExample:\n  $ baton status sequential-handoff/user-sign-up-3fa2c1 --project acme/web')
    .action(
      rt.action(async (workflow: string, opts: { all?: boolean }, command: Command) => {
        const status = await patterns(command).status(workflow);
        if (rt.globals(command).json) return printJson(status);
        printStatus(status, Boolean(opts.all));
      }),
    );

  program
    .command('patterns')
    .description('List the coordination patterns of a project (most recent first)')
    .option('--running', 'only running ones')
    .addHelpText('after', '\nExample:\n  $ baton patterns --running --project acme/web')
    .action(
      rt.action(async (opts: { running?: boolean }, command: Command) => {
        const rows = await patterns(command).list({ running: Boolean(opts.running) });
        if (rt.globals(command).json) return printJson(rows);
        if (!rows.length) return console.log(colors.dim(opts.running ? 'No running patterns (`baton patterns` lists the finished ones too).' : 'No patterns yet. Start one with `baton start`.'));
        console.log(
          table(rows, [
            { header: 'WORKFLOW', value: (r) => r.workflowId },
            { header: 'TITLE', value: (r) => r.title },
            { header: 'STATUS', value: (r) => r.status.toLowerCase() },
            { header: 'STEP', value: (r) => r.step },
            { header: 'WAITING FOR', value: (r) => r.waitingFor.join(', ') + (r.needsHuman ? ' (decision)' : '') },
            { header: 'STARTED', value: (r) => relativeTime(r.startedAt) },
          ]),
        );
      }),
    );

  program
    .command('approvals')
    .description('List everything in the project waiting for a human decision, with each decision\'s id')
    .addHelpText('after', '\nExample:\n  $ baton approvals --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        // Who `approve` would act as (a human's saved login in a terminal), else this shell's member.
        const rows = await rt.humanOrMember(command).patterns.approvals();
        if (rt.globals(command).json) return printJson(rows);
        if (!rows.length) return console.log(colors.dim('Nothing waits for a human decision.'));
        console.log(
          table(rows, [
            { header: 'WORKFLOW', value: (r) => r.workflowId },
            { header: 'DECISION', value: (r) => r.decisionId ?? '' },
            { header: 'STEP', value: (r) => r.step },
            { header: 'WHO', value: (r) => r.waitingFor.join(', ') },
            { header: 'QUESTION', value: (r) => r.question },
          ]),
        );
        console.log(colors.dim('\nbaton approve <workflow> <decision> --comment "..."  |  baton reject <workflow> <decision> --reason "..."'));
      }),
    );

  /**
   * Which decision a human answers: the one named, or the only one pending (of the run named, or of
   * the project), printed before it is answered so the human sees the question they answer.
   */
  const pick = async (command: Command, workflow: string | undefined, decision: string | undefined): Promise<{ workflowId: string; decisionId?: string }> => {
    const api = decide(command);
    if (!workflow) {
      const waiting = await api.patterns.approvals();
      if (waiting.length !== 1) {
        throw new BatonError(
          'INVALID_INPUT',
          waiting.length === 0 ? 'workflow: nothing in the project waits for a decision.' : `workflow: ${waiting.length} runs wait for a decision; name one:\n${waiting.map((w) => `  ${w.workflowId} ${w.decisionId ?? ''}  ${w.question}`).join('\n')}`,
        );
      }
      workflow = waiting[0]!.workflowId;
      decision ??= waiting[0]!.decisionId;
    }
    if (!decision) {
      const pending = (await api.patterns.status(workflow)).decision;
      // Nothing pending: the server answers (an agent's attempt is FORBIDDEN and recorded; a human's is
      // INVALID_STATE, nothing waits), as it would for a decision named.
      if (!pending) return { workflowId: workflow };
      decision = pending.id;
      if (!rt.globals(command).json) console.log(colors.dim(`decision ${pending.id} (${pending.step}): ${pending.question}`));
    }
    return { workflowId: workflow, decisionId: decision };
  };
  const said = (o: { decided: boolean; workflowId: string; decision: { id: string; question: string } }, verb: string) =>
    o.decided ? `${verb} ${o.decision.id} in ${o.workflowId}: "${o.decision.question}"` : `${colors.yellow('sent')} (${verb} ${o.decision.id}) to ${o.workflowId}, not yet taken into account; see baton status`;

  program
    .command('approve')
    .description('Approve a decision a pattern waits for (humans only; checked first, then by the workflow)')
    .argument('[workflow]', 'workflow id (default: the only run of the project waiting for a decision)')
    .argument('[decision]', 'the decision id `baton approvals` shows (default: the one pending now, printed first)')
    .option('--comment <text>', 'a comment for the agents')
    .addHelpText(
      'after',
      '\nA decision that is no longer pending (a newer question replaced it) is refused (exit 3), recorded, and the\nnew question is printed.\n\nExample:\n  $ baton approve code-review/auth-api-1b2c3d d-4f2a9c1e --comment "ship it"    # as the human logged in here',
    )
    .action(
      rt.action(async (workflow: string | undefined, decision: string | undefined, opts: { comment?: string }, command: Command) => {
        const target = await pick(command, workflow, decision);
        const outcome = await decide(command).patterns.approve(target.workflowId, opts.comment, target.decisionId);
        done(command, outcome, said(outcome, colors.green('approved')));
      }),
    );

  program
    .command('reject')
    .description('Reject a decision a pattern waits for, with the reason (humans only)')
    .argument('[workflow]', 'workflow id (default: the only run of the project waiting for a decision)')
    .argument('[decision]', 'the decision id `baton approvals` shows (default: the one pending now, printed first)')
    .requiredOption('--reason <text>', 'why (it goes to the agents)')
    .addHelpText('after', '\nExample:\n  $ baton reject code-review/auth-api-1b2c3d d-4f2a9c1e --reason "add rate limiting first"')
    .action(
      rt.action(async (workflow: string | undefined, decision: string | undefined, opts: { reason: string }, command: Command) => {
        const target = await pick(command, workflow, decision);
        const outcome = await decide(command).patterns.reject(target.workflowId, opts.reason, target.decisionId);
        done(command, outcome, said(outcome, colors.yellow('rejected')));
      }),
    );

  program
    .command('progress')
    .description('Report progress on your step (also your check-in at sync points)')
    .argument('<workflow>', 'workflow id')
    .requiredOption('--note <text>', 'what you did, or what blocks you')
    .addHelpText('after', '\nExample:\n  $ baton progress parallel-development/auth-9f8e7d --note "login endpoint done, logout next"')
    .action(
      rt.action(async (workflow: string, opts: { note: string }, command: Command) => {
        const ack = await patterns(command).progress(workflow, opts.note);
        done(command, ack, `${colors.green('noted')} on step "${ack.step}"`);
      }),
    );

  program
    .command('done')
    .description('Report your step done, with a handoff for the next agent (what, where, how to test)')
    .argument('<workflow>', 'workflow id')
    .requiredOption('--summary <text>', 'the result in one line')
    .option('--what <text>', 'what was done (handoff)')
    .option('--where <files>', 'comma-separated files you changed (handoff)')
    .option('--how-to-test <text>', 'the command or steps to check it (handoff)')
    .option('--contract <text>', 'what the next step builds on, e.g. an API contract: endpoints, shapes, errors (handoff)')
    .option('--results <text>', 'what ran and what passed, where the reports are (handoff)')
    .addHelpText(
      'after',
      '\nA vague or empty handoff is refused with what is missing (exit 2). Everything you hand over reaches the next\nagent whole.\n\nExample:\n  $ baton done sequential-handoff/user-sign-up-3fa2c1 --summary "users table ready" \\\n      --what "Created the users table with a unique email index" --where db/migrations/001_users.sql \\\n      --how-to-test "npm run db:migrate && npm test -- users"',
    )
    .action(
      rt.action(async (workflow: string, opts: { summary: string; what?: string; where?: string; howToTest?: string; contract?: string; results?: string }, command: Command) => {
        const given = opts.what || opts.where || opts.howToTest || opts.contract || opts.results;
        const handoff = given
          ? { whatWasDone: opts.what ?? '', where: opts.where ? list(opts.where) : [], howToTest: opts.howToTest ?? '', ...(opts.contract ? { contract: opts.contract } : {}), ...(opts.results ? { results: opts.results } : {}) }
          : undefined;
        const ack = await inFlagWords(HANDOFF_FLAGS, () => patterns(command).done(workflow, { summary: opts.summary, handoff }));
        done(command, ack, `${colors.green('done')} step "${ack.step}": ${ack.message}`);
      }),
    );

  program
    .command('fail')
    .description('Report that your step cannot be done (it goes back to you or to a human, as the plan says)')
    .argument('<workflow>', 'workflow id')
    .requiredOption('--reason <text>', 'why')
    .addHelpText('after', '\nExample:\n  $ baton fail sequential-handoff/user-sign-up-3fa2c1 --reason "the design for the form is missing"')
    .action(
      rt.action(async (workflow: string, opts: { reason: string }, command: Command) => {
        const ack = await patterns(command).fail(workflow, opts.reason);
        done(command, ack, `${colors.yellow('failed')} step "${ack.step}": ${ack.message}`);
      }),
    );

  program
    .command('cancel')
    .description('Stop a pattern (humans only); every reservation it holds is released')
    .argument('<workflow>', 'workflow id')
    .requiredOption('--reason <text>', 'why the work stops (the agents are told)')
    .addHelpText('after', '\nExample:\n  $ baton cancel parallel-development/auth-9f8e7d --reason "requirements changed"')
    .action(
      rt.action(async (workflow: string, opts: { reason: string }, command: Command) => {
        const outcome = await decide(command).patterns.cancel(workflow, opts.reason);
        done(
          command,
          outcome,
          outcome.ended
            ? `${colors.yellow('cancelled')} ${outcome.status.workflowId}; its reservations are released.`
            : `${colors.yellow('cancelling')} ${outcome.status.workflowId}: the workflow took the cancel and is still releasing its reservations (baton status ${outcome.status.workflowId}).`,
        );
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

  for (const own of Object.values(OWN_COMMANDS)) own?.(program, rt);
}
