import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { parseDuration } from '../../domain/reservations/duration';
import { reservationTable } from './reservations-view';

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('renew')
    .description('Extend your reservations (all of them, or by id) by a TTL counted from the later of now and their expiry')
    .argument('[ids...]', 'reservation ids; omit to renew all of yours')
    .option('--ttl <duration>', 'seconds or 90s, 30m, 2h, 1d (clamped to 60 s .. 1 year)', '1h')
    .addHelpText('after', '\nExamples:\n  $ baton renew --ttl 30m\n  $ baton renew r-1f2e3d4c5b6a7980 --ttl 2h')
    .action(
      rt.action(async (ids: string[], opts: { ttl: string }, command: Command) => {
        const ttlSeconds = parseDuration(opts.ttl);
        const result = await rt.member(command).reservations.renew({ ids: ids.length ? ids : undefined, ttlSeconds });
        if (rt.globals(command).json) return printJson(result);
        if (result.renewed.length === 0) return console.log(colors.dim('You hold no reservations to renew.'));
        console.log(`${colors.green('renewed')} ${result.renewed.length}:`);
        console.log(reservationTable(result.renewed));
        if (result.clampedTtl) console.log(colors.yellow(`note: ttl ${result.clampedTtl.requestedSeconds}s was clamped to ${result.clampedTtl.appliedSeconds}s.`));
      }),
    );
}
