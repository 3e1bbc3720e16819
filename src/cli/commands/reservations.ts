import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { positiveWholeNumber } from '../numeric-options';
import { colors, printJson } from '../output';
import { auditTable, reservationTable } from './reservations-view';
import * as reserve from './reserve';
import * as release from './release';
import * as renew from './renew';
import * as check from './check';
import * as forceRelease from './force-release';

/** The reservation commands: reserve, release, renew, check, reservations, force-release. */
export function register(program: Command, rt: CliRuntime): void {
  reserve.register(program, rt);
  release.register(program, rt);
  renew.register(program, rt);
  check.register(program, rt);
  program
    .command('reservations')
    .description('List active reservations (yours by default), or the audit trail')
    .option('--all', "everyone's reservations")
    .option('--holder <name>', "one member's reservations")
    .option('--audit', 'show the audit trail (grants, releases, renewals, expiries, force releases) instead')
    .option('--limit <n>', 'at most this many rows (a page)', positiveWholeNumber('--limit'))
    .option('--after <cursor>', 'the page after this cursor (printed as "more: --after ..."; for --audit, older entries)')
    .addHelpText('after', '\nExamples:\n  $ baton reservations --all --project acme/web\n  $ baton reservations --holder BoldMountain --json\n  $ baton reservations --audit --limit 50\n  $ baton reservations --all --limit 100 --after 1767225600000.r-3f2a9c1b7e4d5a6b')
    .action(
      rt.action(async (opts: { all?: boolean; holder?: string; audit?: boolean; limit?: number; after?: string }, command: Command) => {
        const project = rt.member(command);
        let holder = opts.holder;
        if (!holder && !opts.all) holder = rt.memberIdentity(command).name ?? (await project.agents.whoami()).name;
        const json = rt.globals(command).json;
        if (opts.audit) {
          const trail = await project.reservations.audit({ holder, limit: opts.limit ?? 100, after: opts.after });
          if (json) return printJson(trail);
          if (trail.entries.length === 0) return console.log(colors.dim('No audit entries.'));
          console.log(auditTable(trail.entries));
          console.log(colors.dim(`${trail.entries.length} shown of ${trail.total} recorded${holder ? ` (concerning ${holder})` : ''}.`));
          if (trail.next !== undefined) console.log(colors.dim(`more (older): --after ${trail.next}`));
          return;
        }
        const list = await project.reservations.list({ holder, limit: opts.limit ?? 1000, after: opts.after });
        if (json) return printJson(list);
        if (list.total === 0) return console.log(colors.dim(holder ? `${holder} holds no reservations (--all shows everyone's).` : 'No active reservations.'));
        if (list.reservations.length > 0) console.log(reservationTable(list.reservations));
        if (list.next !== undefined) console.log(colors.dim(`${list.reservations.length} of ${list.total} shown; more: --after ${list.next}`));
      }),
    );
  forceRelease.register(program, rt);
}
