import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { BatonError } from '../../domain/errors';
import { formatDuration } from '../../domain/patterns/duration';
import { PATTERN_NAMES, type PatternName } from '../../domain/patterns/names';
import type { PatternStatus } from '../../schemas/patterns';
import { colors, printJson, relativeTime, table } from '../output';
import type { CliRuntime } from '../runtime';
import { isPatternII, startPatternII } from './patterns2';

/**
 * The coordination patterns from the command line: `baton start` (plan from flags or a YAML/JSON
 * file), `status`, `patterns`, `approvals`, and the reports and decisions (`progress`, `done`, `fail`,
 * `review`, `approve`, `reject`, `cancel`). Everyone acts as themselves (--as/--token, BATON_AGENT/
 * BATON_TOKEN or the saved credentials).
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];
const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

interface StartOptions {
  plan?: string;
  title?: string;
  id?: string;
  reminderAfter?: string;
  escalateAfter?: string;
  leaseTtl?: string;
  approver?: string[];
  step?: string[];
  onFail?: string;
  author?: string;
  reviewer?: string;
  task?: string;
  files?: string;
  maxRevisions?: string;
  mergeCommand?: string;
  worker?: string[];
  checkpointEvery?: string;
  checkpointGrace?: string;
  integrationCommand?: string;
  integrationAgent?: string;
  integrationTask?: string;
  timeout?: string;
}

/** "name:Agent:file1,file2:task" (sequential steps) and "Agent:file1,file2:task" (parallel shares). */
function splitSpec(spec: string, parts: number, shape: string): string[] {
  const pieces = spec.split(':');
  if (pieces.length < parts) throw new BatonError('INVALID_INPUT', `"${spec}" should look like ${shape}`);
  return [...pieces.slice(0, parts - 1).map((p) => p.trim()), pieces.slice(parts - 1).join(':').trim()];
}

export function buildPlan(pattern: PatternName, opts: StartOptions): Record<string, unknown> {
  let plan: Record<string, unknown> = {};
  if (opts.plan) {
    const text = fs.readFileSync(path.resolve(opts.plan), 'utf8');
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for plan files
      plan = (/\.json$/i.test(opts.plan) ? JSON.parse(text) : (require('yaml') as typeof import('yaml')).parse(text)) ?? {};
    } catch (err) {
      throw new BatonError('INVALID_INPUT', `plan: ${opts.plan} is not valid ${/\.json$/i.test(opts.plan) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
    }
  }
  const set = (key: string, value: unknown) => {
    if (value !== undefined) plan[key] = value;
  };
  set('title', opts.title);
  set('id', opts.id);
  set('leaseTtl', opts.leaseTtl);
  set('approvers', opts.approver);
  if (opts.reminderAfter || opts.escalateAfter) {
    plan.deadlines = { ...(plan.deadlines as object), ...(opts.reminderAfter ? { reminderAfter: opts.reminderAfter } : {}), ...(opts.escalateAfter ? { escalateAfter: opts.escalateAfter } : {}) };
  }
  if (pattern === 'sequential-handoff' && opts.step?.length) {
    plan.steps = opts.step.map((spec) => {
      const [name, agent, files, task] = splitSpec(spec, 4, 'name:Agent:file1,file2:task (e.g. "database:BoldMountain:db/migrations/**:Create the users migration")');
      return { name, agent, files: list(files!), task, ...(opts.onFail ? { onFail: opts.onFail } : {}) };
    });
  }
  if (pattern === 'code-review') {
    set('author', opts.author);
    set('reviewer', opts.reviewer);
    set('task', opts.task);
    if (opts.files) plan.files = list(opts.files);
    if (opts.maxRevisions) plan.maxRevisions = Number(opts.maxRevisions);
    if (opts.mergeCommand) plan.merge = { command: opts.mergeCommand, ...(opts.timeout ? { timeout: opts.timeout } : {}) };
  }
  if (pattern === 'parallel-development') {
    if (opts.worker?.length) {
      plan.workers = opts.worker.map((spec) => {
        const [agent, files, task] = splitSpec(spec, 3, 'Agent:file1,file2:task (e.g. "SwiftEagle:src/auth/**:Auth API")');
        return { agent, files: list(files!), task };
      });
    }
    set('checkpointEvery', opts.checkpointEvery);
    set('checkpointGrace', opts.checkpointGrace);
    if (opts.integrationCommand) plan.integration = { command: opts.integrationCommand, ...(opts.timeout ? { timeout: opts.timeout } : {}) };
    if (opts.integrationAgent) plan.integration = { agent: opts.integrationAgent, task: opts.integrationTask ?? 'Run the integration tests' };
  }
  return plan;
}

function printStatus(s: PatternStatus, all: boolean): void {
  const state = s.state === 'running' ? colors.green(s.state) : s.state === 'completed' ? colors.cyan(s.state) : colors.yellow(s.state);
  console.log(`${colors.bold(s.title)}  ${colors.dim(s.pattern)}  ${state}`);
  console.log(colors.dim(s.workflowId));
  if (s.step) console.log(`step: ${colors.bold(s.step)}${s.waitingFor.length ? `  waiting for: ${s.waitingFor.join(', ')}` : ''}`);
  if (s.escalated) console.log(colors.red('escalated to the humans: a wait ran past its deadline'));
  if (s.decision) {
    console.log(colors.yellow(`needs a human decision${s.decision.approvers ? ` (by ${s.decision.approvers.join(', ')})` : ''}: ${s.decision.question}`));
    console.log(colors.dim(`  baton approve ${s.workflowId} --comment "..."   |   baton reject ${s.workflowId} --reason "..."`));
  }
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

export function register(program: Command, rt: CliRuntime): void {
  const patterns = async (command: Command) => rt.member(command).patterns;
  const decide = async (command: Command) => rt.human(command).patterns;
  const done = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

  program
    .command('start')
    .description(`Start a coordination pattern (${PATTERN_NAMES.join(', ')}) from a plan file and/or flags`)
    .argument('<pattern>', PATTERN_NAMES.join(' | '))
    .option('--plan <file>', 'the plan as YAML or JSON (flags below override its fields)')
    .option('--title <text>', 'what this work is')
    .option('--id <id>', 'last part of the workflow id (default: the title as a slug + a random suffix)')
    .option('--reminder-after <duration>', 'remind whoever a wait is for after this long (default 30m)')
    .option('--escalate-after <duration>', 'tell the humans after this long (default 2h)')
    .option('--lease-ttl <duration>', 'how long step reservations last (default 8h)')
    .option('--approver <name>', 'a human who may approve (repeat; default: every human)', collect)
    .option('--step <spec>', 'sequential-handoff: name:Agent:files:task (repeat, in order)', collect)
    .option('--on-fail <who>', 'sequential-handoff: a failed step goes back to the "agent" or to a "human" (default human)')
    .option('--author <agent>', 'code-review: who implements')
    .option('--reviewer <name>', 'code-review: a trusted agent or a human, never the author')
    .option('--task <text>', 'code-review: what the author implements')
    .option('--files <list>', 'code-review: comma-separated files or globs')
    .option('--max-revisions <n>', 'code-review: revision rounds before a human decides (default 3)')
    .option('--merge-command <cmd>', 'code-review: run this after approval (default: the author merges and confirms)')
    .option('--worker <spec>', 'parallel-development: Agent:files:task (repeat; file sets must not overlap)', collect)
    .option('--checkpoint-every <duration>', 'parallel-development: check-ins at least this often (default 2h)')
    .option('--checkpoint-grace <duration>', 'parallel-development: after a nudge, tell the humans this much later (default 15m)')
    .option('--integration-command <cmd>', 'parallel-development: the integration tests to run when all are done')
    .option('--integration-agent <agent>', 'parallel-development: or an agent who runs them')
    .option('--integration-task <text>', 'parallel-development: what the integration agent does')
    .option('--timeout <duration>', 'timeout of the merge or integration command (default 10m)')
    .addHelpText(
      'after',
      `
Durations: 90s, 30m, 2h, 1h30m, 1d (a bare number is seconds).

Examples:
  $ baton start sequential-handoff --title "User sign-up" \\
      --step "database:BoldMountain:db/migrations/**:Create the users migration" \\
      --step "backend:SwiftEagle:src/api/users.ts:Implement POST /users" \\
      --step "frontend:GreenCastle:web/signup/**:Build the sign-up form" \\
      --step "tests:ClearRiver:e2e/signup.spec.ts:Run backend, frontend and E2E tests"
  $ baton start code-review --title "Auth API" --author SwiftEagle --reviewer alice \\
      --task "Implement POST /login" --files "src/auth/**" --merge-command "gh pr merge 42 --squash"
  $ baton start parallel-development --title "Auth" --worker "SwiftEagle:src/auth/**:Auth API" \\
      --worker "GreenCastle:web/login/**:Login form" --integration-command "npm test" --checkpoint-every 2h
  $ baton start sequential-handoff --plan plans/signup.yaml`,
    )
    .action(
      rt.action(async (pattern: string, opts: StartOptions, command: Command) => {
        // emergency | onboarding | full-stack: their plans and options live in patterns2.ts.
        if (isPatternII(pattern)) return startPatternII(rt, pattern, opts as never, command);
        if (!(PATTERN_NAMES as readonly string[]).includes(pattern)) throw new BatonError('INVALID_INPUT', `pattern: "${pattern}" is not one of ${PATTERN_NAMES.join(', ')}.`);
        const plan = buildPlan(pattern as PatternName, opts);
        // You are recorded as the starter (a pattern always has one).
        const started = await (await patterns(command)).start(pattern, plan);
        done(command, started, `${colors.green('started')} ${started.pattern} "${started.title}"\n  ${started.workflowId}\n${colors.dim(`  baton status ${started.workflowId}`)}`);
      }),
    );

  program
    .command('status')
    .description('Show a pattern: current step, who it waits for, decisions, steps and the timeline')
    .argument('<workflow>', 'workflow id (baton/<project>/<pattern>/<id>, or <pattern>/<id>)')
    .option('--all', 'the whole timeline')
    .addHelpText('after', '\nExample:\n  $ baton status sequential-handoff/user-sign-up-3fa2c1 --project acme/web')
    .action(
      rt.action(async (workflow: string, opts: { all?: boolean }, command: Command) => {
        const status = await (await patterns(command)).status(workflow);
        if (rt.globals(command).json) return printJson(status);
        printStatus(status, Boolean(opts.all));
      }),
    );

  program
    .command('patterns')
    .description('List the coordination patterns of a project (running first)')
    .option('--running', 'only running ones')
    .addHelpText('after', '\nExample:\n  $ baton patterns --running --project acme/web')
    .action(
      rt.action(async (opts: { running?: boolean }, command: Command) => {
        const rows = await (await patterns(command)).list({ running: Boolean(opts.running) });
        if (rt.globals(command).json) return printJson(rows);
        if (!rows.length) return console.log(colors.dim('No patterns yet. Start one with `baton start`.'));
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
    .description('List everything in the project waiting for a human decision')
    .addHelpText('after', '\nExample:\n  $ baton approvals --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const rows = await (await patterns(command)).approvals();
        if (rt.globals(command).json) return printJson(rows);
        if (!rows.length) return console.log(colors.dim('Nothing waits for a human decision.'));
        console.log(
          table(rows, [
            { header: 'WORKFLOW', value: (r) => r.workflowId },
            { header: 'STEP', value: (r) => r.step },
            { header: 'WHO', value: (r) => r.waitingFor.join(', ') },
            { header: 'QUESTION', value: (r) => r.question },
          ]),
        );
        console.log(colors.dim('\nbaton approve <workflow> --comment "..."  |  baton reject <workflow> --reason "..."'));
      }),
    );

  program
    .command('approve')
    .description('Approve what a pattern waits for (humans only; checked first, then by the workflow)')
    .argument('<workflow>', 'workflow id')
    .option('--comment <text>', 'a comment for the agents')
    .addHelpText('after', '\nExample:\n  $ baton approve code-review/auth-api-1b2c3d --comment "ship it"    # as the human logged in here')
    .action(
      rt.action(async (workflow: string, opts: { comment?: string }, command: Command) => {
        const outcome = await (await decide(command)).approve(workflow, opts.comment);
        done(command, outcome, outcome.decided ? `${colors.green('approved')} ${outcome.workflowId}` : `${colors.yellow('sent')} approval to ${outcome.workflowId} (not yet taken into account; see baton status)`);
      }),
    );

  program
    .command('reject')
    .description('Reject what a pattern waits for, with the reason (humans only)')
    .argument('<workflow>', 'workflow id')
    .requiredOption('--reason <text>', 'why (it goes to the agents)')
    .addHelpText('after', '\nExample:\n  $ baton reject code-review/auth-api-1b2c3d --reason "add rate limiting first"')
    .action(
      rt.action(async (workflow: string, opts: { reason: string }, command: Command) => {
        const outcome = await (await decide(command)).reject(workflow, opts.reason);
        done(command, outcome, outcome.decided ? `${colors.yellow('rejected')} ${outcome.workflowId}` : `${colors.yellow('sent')} rejection to ${outcome.workflowId} (see baton status)`);
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
        const ack = await (await patterns(command)).progress(workflow, opts.note);
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
    .addHelpText(
      'after',
      '\nA vague or empty handoff is refused with what is missing (exit 2).\n\nExample:\n  $ baton done sequential-handoff/user-sign-up-3fa2c1 --summary "users table ready" \\\n      --what "Created the users table with a unique email index" --where db/migrations/001_users.sql \\\n      --how-to-test "npm run db:migrate && npm test -- users"',
    )
    .action(
      rt.action(async (workflow: string, opts: { summary: string; what?: string; where?: string; howToTest?: string }, command: Command) => {
        const handoff = opts.what || opts.where || opts.howToTest ? { whatWasDone: opts.what ?? '', where: opts.where ? list(opts.where) : [], howToTest: opts.howToTest ?? '' } : undefined;
        const ack = await (await patterns(command)).done(workflow, { summary: opts.summary, handoff });
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
        const ack = await (await patterns(command)).fail(workflow, opts.reason);
        done(command, ack, `${colors.yellow('failed')} step "${ack.step}": ${ack.message}`);
      }),
    );

  program
    .command('review')
    .description('Code Review: approve or request changes, comments split into required and suggestions')
    .argument('<workflow>', 'workflow id')
    .option('--approve', 'approve the change')
    .option('--request-changes', 'ask for changes (needs at least one --required)')
    .option('--required <text>', 'a change that must be made (repeat)', collect)
    .option('--suggestion <text>', 'an optional improvement (repeat)', collect)
    .option('--summary <text>', 'overall comment')
    .addHelpText('after', '\nExamples:\n  $ baton review code-review/auth-api-1b2c3d --request-changes --required "rate-limit failed logins" --suggestion "rename checkPw"\n  $ baton review code-review/auth-api-1b2c3d --approve --summary "clean, well tested"')
    .action(
      rt.action(async (workflow: string, opts: { approve?: boolean; requestChanges?: boolean; required?: string[]; suggestion?: string[]; summary?: string }, command: Command) => {
        if (Boolean(opts.approve) === Boolean(opts.requestChanges)) throw new BatonError('INVALID_INPUT', 'verdict: pass exactly one of --approve or --request-changes.');
        const ack = await (await patterns(command)).review(workflow, {
          verdict: opts.approve ? 'approve' : 'request_changes',
          required: opts.required ?? [],
          suggestions: opts.suggestion ?? [],
          summary: opts.summary,
        });
        done(command, ack, `${colors.green('review recorded')} on "${ack.step}"`);
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
        const outcome = await (await decide(command)).cancel(workflow, opts.reason);
        done(
          command,
          outcome,
          outcome.ended
            ? `${colors.yellow('cancelled')} ${outcome.status.workflowId}; its reservations are released.`
            : `${colors.yellow('cancelling')} ${outcome.status.workflowId}: the workflow took the cancel and is still releasing its reservations (baton status ${outcome.status.workflowId}).`,
        );
      }),
    );
}
