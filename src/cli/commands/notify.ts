import { Argument, type Command, Option } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson, relativeTime, table } from '../output';
import { BatonError } from '../../domain/errors';
import { NOTIFICATION_KINDS, SINK_KINDS, type NotificationKindName, type SinkKindName } from '../../domain/notifications/kinds';
import type { SinkView } from '../../schemas/notifications';

/** The kinds named by --events (comma-separated), checked here so a typo fails before any request. */
function parseEvents(value: string | undefined): NotificationKindName[] | undefined {
  if (value === undefined) return undefined;
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(NOTIFICATION_KINDS as readonly string[]).includes(k));
  if (unknown.length || kinds.length === 0) throw new BatonError('INVALID_INPUT', `--events: ${unknown.length ? `"${unknown.join('", "')}" is not a kind` : 'name at least one kind'}; choose from ${NOTIFICATION_KINDS.join(', ')}.`);
  return kinds as NotificationKindName[];
}

const sinkTable = (sinks: SinkView[]) =>
  table(sinks, [
    { header: 'ID', value: (s) => s.id },
    { header: 'KIND', value: (s) => s.kind },
    { header: 'TARGET', value: (s) => s.target },
    { header: 'EVENTS', value: (s) => (s.events.length === NOTIFICATION_KINDS.length ? 'all' : s.events.join(',')) },
    { header: 'ADDED', value: (s) => relativeTime(Date.parse(s.addedAt)) },
  ]);

/**
 * `baton notify`: a human's notification sinks. Notifications (a decision waiting for you, an
 * escalation, an urgent message, an alert, a lease of yours about to expire) reach every sink of
 * yours that takes that kind, link to the console page, and arrive once per decision.
 */
export function register(program: Command, rt: CliRuntime): void {
  const notify = program
    .command('notify')
    .description('Humans: where Baton tells you that something needs you (webhook, Slack, desktop notifications)')
    .addHelpText(
      'after',
      [
        '',
        `Kinds: ${NOTIFICATION_KINDS.join(', ')}. Each notification links to its page in the console (a page to look at;`,
        'you approve there after signing in). One notification per decision; at most 6 a minute per human (the rest follow as',
        'one digest). Deliveries are retried; one that keeps failing is a dead letter, shown by `baton notify list` and the console.',
        '',
        'Examples:',
        '  $ baton notify add slack https://hooks.slack.com/services/T000/B000/XXXX',
        '  $ baton notify add webhook https://ci.example.com/baton --events decision,escalation',
        '  $ baton notify add desktop            # notify-send, where the worker runs (npm start)',
        '  $ baton notify test',
      ].join('\n'),
    );

  notify
    .command('add')
    .description('Add a sink: `webhook URL` (Baton\'s JSON), `slack URL` (an incoming webhook) or `desktop`')
    .addArgument(new Argument('<kind>', 'webhook, slack or desktop').choices(SINK_KINDS))
    .argument('[url]', 'where to POST (webhook, slack)')
    .addOption(new Option('--events <kinds>', `only these kinds, comma-separated (default: all of ${NOTIFICATION_KINDS.join(', ')})`))
    .action(
      rt.action(async (kind: SinkKindName, url: string | undefined, opts: { events?: string }, command: Command) => {
        const sink = await rt.human(command).notifications.add({ kind, url, events: parseEvents(opts.events) });
        if (rt.globals(command).json) return printJson(sink);
        console.log(`${colors.green('Added')} ${sink.kind} sink ${colors.bold(sink.id)} (${sink.target}).`);
        console.log(colors.dim(`Try it: baton notify test ${sink.id}`));
      }),
    );

  notify
    .command('list')
    .description('Your sinks, and the project\'s dead letters (deliveries that failed after their retries)')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const view = await rt.human(command).notifications.view();
        if (rt.globals(command).json) return printJson(view);
        console.log(view.sinks.length ? sinkTable(view.sinks) : colors.dim('No sinks yet: baton notify add webhook|slack URL, or baton notify add desktop.'));
        if (view.held) console.log(colors.yellow(`${view.held} notification(s) held by the rate limit, to follow as one digest.`));
        if (view.deadLetters.length) {
          console.log(`\n${colors.red('Dead letters')} (most recent first):`);
          console.log(
            table(view.deadLetters.slice(0, 20), [
              { header: 'WHEN', value: (d) => relativeTime(Date.parse(d.at)) },
              { header: 'SINK', value: (d) => d.sinkId },
              { header: 'TO', value: (d) => d.owner },
              { header: 'ATTEMPTS', value: (d) => String(d.attempts) },
              { header: 'NOTIFICATION', value: (d) => d.title },
              { header: 'ERROR', value: (d) => d.error ?? '' },
            ]),
          );
        }
      }),
    );

  notify
    .command('remove <id>')
    .description('Remove one of your sinks')
    .action(
      rt.action(async (id: string, _opts: object, command: Command) => {
        const sink = await rt.human(command).notifications.remove(id);
        if (rt.globals(command).json) return printJson(sink);
        console.log(`${colors.green('Removed')} ${sink.kind} sink ${sink.id}.`);
      }),
    );

  notify
    .command('test [id]')
    .description('Send a test notification to one of your sinks (default: to all of them)')
    .action(
      rt.action(async (id: string | undefined, _opts: object, command: Command) => {
        const result = await rt.human(command).notifications.test(id);
        if (rt.globals(command).json) return printJson(result);
        console.log(`${colors.green('Queued')} a test notification to ${result.queued} sink(s); \`baton notify list\` shows a delivery that failed.`);
      }),
    );
}
