import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { BatonError } from '../../domain/errors';
import { reservationTable } from './reservations-view';

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('force-release')
    .description("Humans only: release someone else's reservations (by id, holder, or overlapping glob); the holder is notified")
    .argument('[ids...]', 'reservation ids')
    .option('--holder <name>', "release all of this member's reservations")
    .option('--pattern <patterns...>', 'release every reservation that overlaps these paths or globs')
    .requiredOption('-r, --reason <text>', 'why (recorded in the audit trail and sent to the holder)')
    .addHelpText('after', '\nExamples:\n  $ baton force-release --holder BoldMountain --reason "agent crashed"\n  $ baton force-release --pattern "src/payments/**" --reason "hotfix"   # as the human logged in here (baton login)')
    .action(
      rt.action(async (ids: string[], opts: { holder?: string; pattern?: string[]; reason: string }, command: Command) => {
        const selectors = [ids.length > 0, Boolean(opts.holder), Boolean(opts.pattern?.length)].filter(Boolean).length;
        if (selectors !== 1) throw new BatonError('INVALID_INPUT', 'Say what to force-release: ids, --holder <name>, or --pattern <patterns...> (exactly one of them).');
        const result = await rt.human(command).reservations.forceRelease({
          ids: ids.length ? ids : undefined,
          holder: opts.holder,
          patterns: opts.pattern?.length ? opts.pattern : undefined,
          reason: opts.reason,
        });
        if (rt.globals(command).json) return printJson(result);
        if (result.released.length === 0) return console.log(colors.dim('Nothing matched: no active reservation to release.'));
        const total = result.released.length + (result.omitted ?? 0);
        console.log(`${colors.yellow('force-released')} ${total} (notified: ${result.notified.join(', ')}):`);
        console.log(reservationTable(result.released));
        if (result.omitted) console.log(colors.dim(`... and ${result.omitted} more (all in the audit trail: baton reservations --audit)`));
      }),
    );
}
