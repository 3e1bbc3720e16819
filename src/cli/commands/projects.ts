import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { ask } from '../prompt';
import { BatonError } from '../../domain/errors';

/** A project's settings and its end (humans only). */
export function register(program: Command, rt: CliRuntime): void {
  const settings = program.command('settings').description('Show or change the project settings (changing them needs a human)');
  settings
    .command('show', { isDefault: true })
    .description('Show the current settings')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const description = await rt.member(command).describe();
        if (rt.globals(command).json) return printJson(description.settings);
        const s = description.settings;
        console.log(`trustAfterTasks      ${s.trustAfterTasks}`);
        console.log(`idleAfterSeconds     ${s.idleAfterSeconds}`);
        console.log(`leaseWarningSeconds  ${s.leaseWarningSeconds}`);
        console.log(`maxHistoryEvents     ${s.maxHistoryEvents}`);
        console.log(`planCommandsBy       ${s.planCommandsBy}`);
        for (const [k, v] of Object.entries(s.alerts)) console.log(`alerts.${k.padEnd(20)} ${v}`);
      }),
    );
  settings
    .command('set <assignments...>')
    .description('Humans only: change settings, e.g. trustAfterTasks=3 alerts.silentAfterSeconds=3600 planCommandsBy=members')
    .addHelpText('after', '\nExamples:\n  $ baton settings set trustAfterTasks=3 --project acme/web\n  $ baton settings set leaseWarningSeconds=300    # tell holders 5 minutes before a lease expires')
    .action(
      rt.action(async (assignments: string[], _opts: object, command: Command) => {
        const patch: Record<string, unknown> = {};
        for (const a of assignments) {
          const m = /^([A-Za-z.]+)=([A-Za-z0-9_-]+)$/.exec(a);
          if (!m) throw new BatonError('INVALID_INPUT', `"${a}" should look like name=value (e.g. trustAfterTasks=3, alerts.silentAfterSeconds=3600 or planCommandsBy=members).`);
          const [head, tail] = m[1]!.split('.');
          const value = /^\d+$/.test(m[2]!) ? Number(m[2]) : m[2];
          if (tail) patch[head!] = { ...((patch[head!] as object) ?? {}), [tail]: value };
          else patch[head!] = value;
        }
        const updated = await rt.human(command).updateSettings(patch);
        if (rt.globals(command).json) return printJson(updated);
        console.log(`${colors.green('Settings updated')} for project ${rt.project(command)}.`);
      }),
    );

  program
    .command('shutdown')
    .description('Humans only: end the project (its workflow, mailboxes and running patterns); later calls say who ended it')
    .requiredOption('-r, --reason <text>', 'why the project ends (shown to anyone who calls it afterwards)')
    .option('--confirm <project>', 'repeat the project key to confirm (asked for on a terminal when left out)')
    .addHelpText('after', '\nRe-creating the key afterwards takes `baton init --project <key> --human <name> --replace` by one of its humans.\n\nExample:\n  $ baton shutdown --project acme/old --reason "moved to acme/web"')
    .action(
      rt.action(async (opts: { reason: string; confirm?: string }, command: Command) => {
        const project = rt.project(command);
        const confirm = opts.confirm ?? (await ask(`This ends project ${project} for everyone. Type its key to confirm: `, { what: '--confirm', otherwise: `pass --confirm ${project}` }));
        const ended = await rt.human(command).shutdown(opts.reason, confirm);
        if (rt.globals(command).json) return printJson(ended);
        console.log(`${colors.yellow('Ended')} project ${project} (by ${ended.endedBy} at ${ended.endedAt}).`);
      }),
    );
}
