import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { conflictReport, exitWithConflict } from './reservations-view';

const GLOB = /[*?[{]/;

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('check')
    .description('Would these paths (or globs) conflict with reservations, and with whose? Read-only')
    .argument('<paths...>', 'repo-relative paths (a directory, i.e. a path ending in / or without an extension, covers everything under it); arguments with *, ?, [ or { are checked as globs')
    .option('--shared', 'check for a shared reservation (other shared reservations then do not count)')
    .addHelpText('after', '\nExit codes: 0 free, 3 some path is reserved by someone else.\n\nExamples:\n  $ baton check src/auth/login.ts src/auth/session.ts\n  $ baton check "src/api/**" --json')
    .action(
      rt.action(async (targets: string[], opts: { shared?: boolean }, command: Command) => {
        const project = rt.member(command);
        const paths = targets.filter((t) => !GLOB.test(t));
        const patterns = targets.filter((t) => GLOB.test(t));
        const result = await project.reservations.check({
          paths: paths.length ? paths : undefined,
          patterns: patterns.length ? patterns : undefined,
          exclusive: !opts.shared,
        });
        if (!result.clear) exitWithConflict();
        if (rt.globals(command).json) return printJson(result);
        for (const r of result.results) if (r.conflicts.length === 0) console.log(`${colors.green('free')}  ${r.target}`);
        const conflicts = result.results.flatMap((r) => r.conflicts);
        if (conflicts.length) console.log(conflictReport(conflicts, false));
      }),
    );
}
