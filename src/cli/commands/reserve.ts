import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { parseDuration } from '../../domain/reservations/duration';
import { conflictReport, exitWithConflict, reservationTable } from './reservations-view';
import { inFlagWords } from '../flag-words';

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('reserve')
    .description('Reserve files or globs you are about to edit (all-or-nothing; exclusive unless --shared)')
    .argument('<patterns...>', 'repo-relative paths (a directory, i.e. a path ending in / or without an extension, covers everything under it; write config.d/ for a directory with a dot) or globs (*, **, ?, [...], {a,b}); quote globs so the shell leaves them alone')
    .requiredOption('-r, --reason <text>', 'what you are about to do (others see it in conflicts)')
    .option('--shared', 'a shared reservation: other shared holders may coexist, exclusive ones may not')
    .option('--ttl <duration>', 'how long to hold them: seconds or 90s, 30m, 2h, 1d (clamped to 60 s .. 1 year)', '1h')
    .option('--request-id <id>', 'idempotency key: retrying with the same id returns the first answer')
    .option('--allow-broad', 'humans only: allow patterns that cover the whole repository')
    .addHelpText(
      'after',
      '\nExit codes: 0 granted, 3 conflict (nothing reserved; the holders are listed), 2 invalid pattern.\n' +
        '\nExamples:\n  $ baton reserve src/auth/login.ts "src/auth/*.test.ts" --reason "fix login redirect" --ttl 45m\n  $ baton reserve "docs/**" --shared --reason "reading the docs" --json',
    )
    .action(
      rt.action(async (patterns: string[], opts: { reason: string; shared?: boolean; ttl: string; requestId?: string; allowBroad?: boolean }, command: Command) => {
        const ttlSeconds = parseDuration(opts.ttl);
        const answer = await inFlagWords({ ttlSeconds: '--ttl', reason: '--reason', requestId: '--request-id' }, () =>
          rt.member(command).reservations.reserve({
            patterns,
            exclusive: !opts.shared,
            ttlSeconds,
            reason: opts.reason,
            requestId: opts.requestId,
            allowBroad: opts.allowBroad ?? false,
          }),
        );
        if (answer.status === 'conflict') exitWithConflict();
        if (rt.globals(command).json) return printJson(answer);
        if (answer.status === 'conflict') return console.log(conflictReport(answer.conflicts, true) + (answer.omitted ? `\n${colors.dim(`... and ${answer.omitted} more conflicts not listed`)}` : ''));
        console.log(`${colors.green('reserved')} ${answer.reservations.length} pattern${answer.reservations.length === 1 ? '' : 's'}:`);
        console.log(reservationTable(answer.reservations));
        if (answer.clampedTtl) {
          console.log(colors.yellow(`note: ttl ${answer.clampedTtl.requestedSeconds}s is outside 60 s .. 1 year and was clamped to ${answer.clampedTtl.appliedSeconds}s.`));
        }
        console.log(colors.dim('Release when done: baton release --all (or by id); extend with baton renew.'));
      }),
    );
}
