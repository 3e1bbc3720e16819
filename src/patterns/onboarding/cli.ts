import type { Command } from 'commander';
import { colors, printJson, relativeTime } from '../../cli/output';
import type { CliRuntime } from '../../cli/runtime';

/** Onboarding's own commands: `introduce` (a human), `onboarding` (where it stands). */
export function registerOnboardingCommands(program: Command, rt: CliRuntime): void {
  const out = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

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
}
