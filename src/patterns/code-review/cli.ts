import type { Command } from 'commander';
import { colors, printJson } from '../../cli/output';
import type { CliRuntime } from '../../cli/runtime';
import { BatonError } from '../../domain/errors';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Code Review's own command: `baton review` (the reviewer's verdict). */
export function registerCodeReviewCommands(program: Command, rt: CliRuntime): void {
  const done = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

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
        const ack = await rt.member(command).patterns.review(workflow, {
          verdict: opts.approve ? 'approve' : 'request_changes',
          required: opts.required ?? [],
          suggestions: opts.suggestion ?? [],
          summary: opts.summary,
        });
        done(command, ack, `${colors.green('review recorded')} on "${ack.step}"`);
      }),
    );
}
