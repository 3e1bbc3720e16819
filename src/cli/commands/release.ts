import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { BatonError } from '../../domain/errors';
import { reservationTable } from './reservations-view';

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('release')
    .description('Release your reservations by id, by pattern (as reserved), or all of them; releasing twice is fine')
    .argument('[ids...]', 'reservation ids (from `baton reservations`)')
    .option('--pattern <patterns...>', 'release the reservations you made with exactly these patterns')
    .option('--all', 'release all of your reservations')
    .addHelpText('after', '\nExamples:\n  $ baton release --all\n  $ baton release r-1f2e3d4c5b6a7980\n  $ baton release --pattern "src/auth/*.ts"')
    .action(
      rt.action(async (ids: string[], opts: { pattern?: string[]; all?: boolean }, command: Command) => {
        const selectors = [ids.length > 0, Boolean(opts.pattern?.length), Boolean(opts.all)].filter(Boolean).length;
        if (selectors !== 1) throw new BatonError('INVALID_INPUT', 'Say what to release: ids, --pattern <patterns...>, or --all (exactly one of them).');
        // A path given where an id goes would match nothing and read as "already released".
        const notId = ids.find((id) => !/^r-[0-9a-f]{4,32}$/.test(id));
        if (notId !== undefined) throw new BatonError('INVALID_INPUT', `ids: ${JSON.stringify(notId)} is not a reservation id (r-..., from \`baton reservations\`); to release what you reserved with that pattern: baton release --pattern ${JSON.stringify(notId)}`);
        const result = await rt.member(command).reservations.release({
          ids: ids.length ? ids : undefined,
          patterns: opts.pattern?.length ? opts.pattern : undefined,
          all: opts.all || undefined,
        });
        if (rt.globals(command).json) return printJson(result);
        if (result.released.length === 0) return console.log(colors.dim('Nothing to release (already released or expired).'));
        const total = result.released.length + (result.omitted ?? 0);
        console.log(`${colors.green('released')} ${total}:`);
        console.log(reservationTable(result.released));
        if (result.omitted) console.log(colors.dim(`... and ${result.omitted} more (all in the audit trail: baton reservations --audit)`));
      }),
    );
}
