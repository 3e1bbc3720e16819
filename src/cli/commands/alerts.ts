import { Command, Option } from 'commander';
import { ALERT_KINDS } from '../../domain/alerts/kinds';
import type { Alert } from '../../schemas/alerts';
import { colors, printJson, relativeTime, table } from '../output';
import type { CliRuntime } from '../runtime';

/** `baton alerts`: the project's anti-pattern alerts (silent work, hoarding, no sync points, unclear handoffs). */
function printAlerts(alerts: Alert[], resolved: Alert[]): void {
  if (!alerts.length) console.log(colors.dim('No active anti-pattern alerts.'));
  for (const a of alerts) {
    console.log(`${colors.red(colors.bold(a.kind))}  ${colors.bold(a.agent)}  ${colors.dim(`raised ${relativeTime(a.raisedAt)}, seen ${a.count}x`)}`);
    console.log(`  ${a.problem}`);
    console.log(`  ${colors.green('Better:')}`);
    for (const b of a.better) console.log(`    - ${b}`);
    console.log(`  ${colors.dim(`Why: ${a.why}`)}${a.workflowId ? colors.dim(`\n  Workflow: ${a.workflowId}`) : ''}\n`);
  }
  if (resolved.length) {
    console.log(colors.bold('resolved'));
    console.log(
      table(resolved, [
        { header: 'KIND', value: (a) => a.kind },
        { header: 'AGENT', value: (a) => a.agent },
        { header: 'RAISED', value: (a) => relativeTime(a.raisedAt) },
        { header: 'RESOLVED', value: (a) => (a.resolvedAt ? relativeTime(a.resolvedAt) : '') },
        { header: 'SUMMARY', value: (a) => a.summary },
      ]),
    );
  }
}

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('alerts')
    .description('Anti-pattern alerts of the project: silent work, reservation hoarding, no sync points, unclear handoffs')
    .option('--all', 'include recently resolved alerts')
    .addOption(new Option('--kind <kind>', 'only this kind').choices([...ALERT_KINDS]))
    .option('--agent <name>', "only this agent's alerts")
    .addHelpText('after', '\nExamples:\n  $ baton alerts --project acme/web\n  $ baton alerts --kind silent-work --all --json')
    .action(
      rt.action(async (opts: { all?: boolean; kind?: Alert['kind']; agent?: string }, command: Command) => {
        const view = await rt.member(command).alerts({ all: Boolean(opts.all), kind: opts.kind, agent: opts.agent });
        if (rt.globals(command).json) return printJson(view);
        printAlerts(view.active, view.resolved);
      }),
    );
}
