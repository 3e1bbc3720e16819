import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson, relativeTime, table } from '../output';
import { BatonError } from '../../domain/errors';
import { nonNegativeSeconds, positiveWholeNumber } from '../numeric-options';
import type { InboxFilter, InboxItem, OutboxItem, SendResult, ThreadView, WaitResult } from '../../schemas/messages';
import { MAX_OPEN_WAITS, MAX_WAIT_SECONDS } from '../../domain/messages/limits';
import type { MessagesApi } from '../../api-client';

/**
 * `baton send | broadcast | reply | inbox | read | ack | thread | outbox | contact`: messages between
 * the members of a project. Sends go through the project workflow (contact policies, idempotency);
 * reads go to the member's own mailbox workflow.
 */
const IMPORTANCE = ['low', 'normal', 'high', 'urgent'] as const;
type Importance = (typeof IMPORTANCE)[number];

interface BodyOptions {
  body?: string;
  bodyFile?: string;
}

function readBody(opts: BodyOptions, required = true): string {
  if (opts.body !== undefined && opts.bodyFile !== undefined) throw new BatonError('INVALID_INPUT', 'body: pass --body or --body-file, not both.');
  if (opts.bodyFile !== undefined) {
    try {
      return fs.readFileSync(opts.bodyFile === '-' ? 0 : opts.bodyFile, 'utf8');
    } catch (err) {
      throw new BatonError('INVALID_INPUT', `body-file: cannot read ${opts.bodyFile} (${(err as Error).message}).`);
    }
  }
  if (opts.body !== undefined) return opts.body;
  if (required) throw new BatonError('INVALID_INPUT', 'body: pass --body <markdown> or --body-file <path> (- reads stdin).');
  return '';
}

/** "--cc a,b --cc c" → [a, b, c] */
const names = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** --since: an ISO time, or an age like 30s, 10m, 2h, 1d. */
export function parseSince(text: string, now = Date.now()): number {
  const age = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (age) return now - Number(age[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd'];
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new BatonError('INVALID_INPUT', `since: "${text}" is neither an ISO time (2026-01-31T12:00:00Z) nor an age like 30m, 2h or 1d.`);
  return at;
}

const importanceColor = (text: string, m: { importance: Importance }) =>
  m.importance === 'urgent' ? colors.red(colors.bold(text)) : m.importance === 'high' ? colors.yellow(text) : m.importance === 'low' ? colors.dim(text) : text;

function stateOf(m: InboxItem): string {
  if (m.ackRequired && !m.ackedAt) return m.readAt ? 'ack needed' : 'unread, ack needed';
  if (m.ackedAt) return 'acked';
  return m.readAt ? 'read' : 'unread';
}

function printInbox(items: InboxItem[], summary?: { unread: number; total: number }): void {
  if (items.length === 0) {
    console.log(colors.dim(summary ? `No messages match (${summary.unread} unread of ${summary.total}).` : 'No messages.'));
    return;
  }
  console.log(
    table(items, [
      { header: 'ID', value: (m) => m.id, color: (t, m) => (m.readAt ? colors.dim(t) : colors.bold(t)) },
      { header: 'FROM', value: (m) => m.from },
      { header: 'IMPORTANCE', value: (m) => m.importance, color: importanceColor },
      { header: 'STATE', value: stateOf, color: (t, m) => (m.readAt ? t : colors.cyan(t)) },
      { header: 'SENT', value: (m) => relativeTime(m.sentAt) },
      { header: 'THREAD', value: (m) => m.thread, color: (t) => colors.dim(t) },
      { header: 'SUBJECT', value: (m) => (m.broadcast ? `[all] ${m.subject}` : m.subject) },
    ]),
  );
  if (summary) console.log(colors.dim(`${summary.unread} unread of ${summary.total}. \`baton read <id>\` shows one and marks it read.`));
}

function printMessage(m: InboxItem | OutboxItem | ThreadView['messages'][number]): void {
  const to = m.broadcast ? 'everyone' : [...m.to, ...m.cc.map((c) => `${c} (cc)`)].join(', ');
  console.log(`${colors.bold(m.subject)}  ${importanceColor(m.importance, m)}`);
  console.log(colors.dim(`${m.id} · thread ${m.thread} · ${m.from} → ${to} · ${m.sentAt} (${relativeTime(m.sentAt)})${m.ackRequired ? ' · ack required' : ''}`));
  if ('acks' in m && m.acks) console.log(colors.dim(`acks: ${m.acks.length ? m.acks.map((a) => `${a.member} ${relativeTime(a.at)}`).join(', ') : 'none yet'}`));
  console.log('');
  console.log('bodyDropped' in m && m.bodyDropped ? colors.dim('(body dropped: the mailbox keeps only recent bodies)') : m.body);
}

function printSent(verb: string, r: SendResult): void {
  const to = r.deliveredTo.length ? r.deliveredTo.join(', ') : 'nobody';
  console.log(`${colors.green(verb)} ${colors.bold(r.messageId)} ${colors.dim(`(thread ${r.thread})`)} to ${to}.${r.duplicate ? colors.dim(' (already sent with this idempotency key; not sent again)') : ''}`);
  for (const s of r.skipped) console.log(colors.dim(`  skipped ${s.name}: ${s.reason}`));
}

/**
 * The server answers one wait of at most MAX_WAIT_SECONDS; a longer --wait is several of them, each
 * for mail after what the previous one saw.
 */
async function waitForMail(client: MessagesApi, filter: InboxFilter, seconds: number, signal: AbortSignal): Promise<WaitResult> {
  const deadline = Date.now() + seconds * 1000;
  let afterSeq: number | undefined;
  for (;;) {
    const left = Math.min(MAX_WAIT_SECONDS, Math.max(0, (deadline - Date.now()) / 1000));
    const result = await client.wait({ filter, afterSeq, timeoutSeconds: Math.max(1, Math.round(left)), signal });
    if (result.items.length > 0 || result.superseded || result.cancelled || Date.now() >= deadline - 500) return result;
    afterSeq ??= result.lastSeq;
  }
}

/**
 * An AbortSignal for SIGINT and SIGTERM during a wait: aborting closes the connection, and the server
 * then ends the wait in the member's mailbox, so an interrupted `inbox --wait` keeps no place there.
 * (A kill -9 closes the connection too: the server sees that the same way.) The process then exits with
 * the shell's code for the signal (130, 143).
 */
function abortOnSignals(): { signal: AbortSignal; caught: () => NodeJS.Signals | undefined; dispose: () => void } {
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const on = (name: NodeJS.Signals) => () => {
    caught = name;
    controller.abort();
  };
  const handlers = { SIGINT: on('SIGINT'), SIGTERM: on('SIGTERM') };
  process.once('SIGINT', handlers.SIGINT);
  process.once('SIGTERM', handlers.SIGTERM);
  return {
    signal: controller.signal,
    caught: () => caught,
    dispose: () => {
      process.removeListener('SIGINT', handlers.SIGINT);
      process.removeListener('SIGTERM', handlers.SIGTERM);
    },
  };
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function register(program: Command, rt: CliRuntime): void {
  const messages = async (command: Command) => rt.member(command).messages;
  const json = (command: Command) => Boolean(rt.globals(command).json);

  const sendOptions = (cmd: Command) =>
    cmd
      .option('--body <markdown>', 'the message (markdown, at most 64 KiB)')
      .option('--body-file <path>', 'read the body from a file (- for stdin)')
      .addOption(new Option('--importance <level>', 'low, normal, high or urgent').choices(IMPORTANCE).default('normal'))
      .option('--ack', 'ask recipients to acknowledge (`baton ack <id>`); acks show in your outbox')
      .option('--idempotency-key <key>', 'retrying with the same key delivers once and answers the same');

  type SendOpts = BodyOptions & { subject: string; importance: Importance; ack?: boolean; idempotencyKey?: string; cc?: string[]; thread?: string };

  sendOptions(
    program
      .command('send <to...>')
      .description('Send a message to members (their contact policies apply; humans may always send)')
      .requiredOption('-s, --subject <text>', 'what it is about (at most 200 characters)')
      .option('--cc <names...>', 'also to these members (space- or comma-separated)')
      .option('--thread <threadId>', 'post in an existing thread'),
  )
    .addHelpText('after', '\nExamples:\n  $ baton send SwiftEagle --subject "Auth API ready" --body "Merged in #42; see src/auth."\n  $ baton send SwiftEagle BoldMountain --subject "Plan" --body-file plan.md --importance high --ack')
    .action(
      rt.action(async (to: string[], opts: SendOpts, command: Command) => {
        const result = await (await messages(command)).send({
          to: names(to),
          cc: names(opts.cc),
          subject: opts.subject,
          body: readBody(opts),
          importance: opts.importance,
          ackRequired: Boolean(opts.ack),
          thread: opts.thread,
          idempotencyKey: opts.idempotencyKey,
        });
        if (json(command)) return printJson(result);
        printSent('Sent', result);
      }),
    );

  sendOptions(
    program
      .command('broadcast')
      .description('Send a message to every active member of the project except yourself')
      .requiredOption('-s, --subject <text>', 'what it is about (at most 200 characters)'),
  )
    .addHelpText('after', '\nExample:\n  $ baton broadcast --subject "Starting on src/auth/**" --body "Reserving it for ~1h; ping me for changes there."')
    .action(
      rt.action(async (opts: SendOpts, command: Command) => {
        const result = await (await messages(command)).broadcast({
          subject: opts.subject,
          body: readBody(opts),
          importance: opts.importance,
          ackRequired: Boolean(opts.ack),
          idempotencyKey: opts.idempotencyKey,
        });
        if (json(command)) return printJson(result);
        printSent('Broadcast', result);
      }),
    );

  sendOptions(
    program
      .command('reply <messageId>')
      .description('Reply to a message in its thread (to its sender; --all to everyone on it)')
      .option('-s, --subject <text>', 'default: "Re: <original subject>"')
      .option('--all', 'reply to the sender and all other recipients'),
  )
    .addHelpText('after', '\nExample:\n  $ baton reply m-3f2a9c1b7e4d --body "Thanks, rebasing on it now."')
    .action(
      rt.action(async (messageId: string, opts: SendOpts & { all?: boolean }, command: Command) => {
        const result = await (await messages(command)).reply(messageId, {
          body: readBody(opts),
          subject: opts.subject,
          all: Boolean(opts.all),
          importance: opts.importance,
          ackRequired: Boolean(opts.ack),
          idempotencyKey: opts.idempotencyKey,
        });
        if (json(command)) return printJson(result);
        printSent('Replied', result);
      }),
    );

  program
    .command('inbox')
    .description('List your messages, newest first; --wait blocks until mail arrives (push, no polling)')
    .option('--unread', 'only unread messages')
    .option('--urgent', 'only urgent messages')
    .option('--thread <threadId>', 'only this thread')
    .option('--since <time>', 'only messages sent since an ISO time or an age like 30m, 2h, 1d')
    .option('--limit <n>', 'at most this many (default 50)', positiveWholeNumber('--limit'))
    .option('--wait <seconds>', 'if no unread message matches, wait up to this long for one (exit 7 if none came)', nonNegativeSeconds('--wait'))
    .addHelpText(
      'after',
      '\nExit codes: 0 messages listed (an empty inbox is not an error); 7 --wait ended with no new mail; 3 a newer wait of yours took this one\'s place; 130/143 interrupted (the wait is released).\n\nExamples:\n  $ baton inbox --unread\n  $ baton inbox --wait 60 --json     # returns as soon as a message arrives',
    )
    .action(
      rt.action(async (opts: { unread?: boolean; urgent?: boolean; thread?: string; since?: string; limit?: number; wait?: number }, command: Command) => {
        const filter = { unread: Boolean(opts.unread), urgent: Boolean(opts.urgent), thread: opts.thread, since: opts.since ? parseSince(opts.since) : undefined, limit: opts.limit };
        const client = await messages(command);
        if (opts.wait !== undefined) {
          const interrupt = abortOnSignals();
          let result: WaitResult;
          try {
            result = await waitForMail(client, filter, opts.wait, interrupt.signal);
          } catch (err) {
            const caught = interrupt.caught();
            if (!caught) throw err;
            process.stderr.write(`baton inbox: interrupted (${caught}); the wait is released.\n`);
            process.exit(SIGNAL_EXIT[caught]);
          } finally {
            interrupt.dispose();
          }
          if (result.superseded) {
            throw new BatonError('CONFLICT', `A newer wait for your mail took this one's place (at most ${MAX_OPEN_WAITS} waits are open per member: the oldest gives way); this one stops.`);
          }
          if (result.items.length === 0) throw new BatonError('TIMEOUT', `No new mail within ${opts.wait}s.`);
          if (json(command)) return printJson({ items: result.items, lastSeq: result.lastSeq });
          return printInbox(result.items);
        }
        const page = await client.inbox(filter);
        if (json(command)) return printJson(page);
        printInbox(page.items, page);
      }),
    );

  program
    .command('read <messageId>')
    .description('Show a message and mark it read')
    .addHelpText('after', '\nExample:\n  $ baton read m-3f2a9c1b7e4d')
    .action(
      rt.action(async (messageId: string, _opts: object, command: Command) => {
        const item = await (await messages(command)).read(messageId);
        if (json(command)) return printJson(item);
        printMessage(item);
        if (item.ackRequired && !item.ackedAt) console.log(colors.cyan(`\nThe sender asks for an acknowledgement: baton ack ${item.id}`));
      }),
    );

  program
    .command('ack <messageId>')
    .description('Acknowledge a message (marks it read); the sender sees the ack in its outbox')
    .addHelpText('after', '\nExample:\n  $ baton ack m-3f2a9c1b7e4d')
    .action(
      rt.action(async (messageId: string, _opts: object, command: Command) => {
        const item = await (await messages(command)).ack(messageId);
        if (json(command)) return printJson(item);
        console.log(`${colors.green('Acknowledged')} ${item.id} from ${item.from} ${colors.dim(`(${item.subject})`)}.`);
      }),
    );

  program
    .command('thread <threadId>')
    .description('Show a thread as you saw it: messages received and sent, oldest first')
    .addHelpText('after', '\nExample:\n  $ baton thread t-3f2a9c1b7e4d')
    .action(
      rt.action(async (threadId: string, _opts: object, command: Command) => {
        const view = await (await messages(command)).thread(threadId);
        if (json(command)) return printJson(view);
        console.log(colors.bold(`Thread ${view.thread}: ${view.subject}`) + colors.dim(` (${view.messages.length} messages)`));
        for (const m of view.messages) {
          console.log(colors.dim('─'.repeat(60)));
          printMessage(m);
        }
      }),
    );

  program
    .command('outbox')
    .description('List messages you sent, newest first, with recipients and acknowledgements')
    .option('--limit <n>', 'at most this many (default 50)', positiveWholeNumber('--limit'))
    .addHelpText('after', '\nExample:\n  $ baton outbox --limit 10')
    .action(
      rt.action(async (opts: { limit?: number }, command: Command) => {
        const items = await (await messages(command)).outbox({ limit: opts.limit });
        if (json(command)) return printJson(items);
        if (items.length === 0) return console.log(colors.dim('Nothing sent yet.'));
        console.log(
          table(items, [
            { header: 'ID', value: (m) => m.id, color: (t) => colors.bold(t) },
            { header: 'TO', value: (m) => (m.broadcast ? `all (${m.deliveredTo.length})` : m.deliveredTo.join(', ') || '-') },
            { header: 'IMPORTANCE', value: (m) => m.importance, color: importanceColor },
            { header: 'ACKS', value: (m) => (m.ackRequired ? `${m.acks.length}/${m.deliveredTo.length}` : '-'), color: (t, m) => (m.ackRequired && m.acks.length < m.deliveredTo.length ? colors.yellow(t) : t) },
            { header: 'SENT', value: (m) => relativeTime(m.sentAt) },
            { header: 'SUBJECT', value: (m) => m.subject },
          ]),
        );
      }),
    );

  const contact = program
    .command('contact')
    .description('Ask for and approve contact with members whose contact policy would refuse you')
    .addHelpText('after', '\nExamples:\n  $ baton contact request SwiftEagle --note "I own the API your UI calls"\n  $ baton contact approve BoldMountain\n  $ baton contact list');

  contact
    .command('request <name>')
    .description('Ask a member to accept your messages (they get a notice from Baton)')
    .option('--note <text>', 'why you want to talk')
    .addHelpText('after', '\nExample:\n  $ baton contact request SwiftEagle --note "about src/auth"')
    .action(
      rt.action(async (name: string, opts: { note?: string }, command: Command) => {
        const request = await (await messages(command)).requestContact(name, opts.note);
        if (json(command)) return printJson(request);
        console.log(`${colors.green('Asked')} ${request.to} for contact; they approve with \`baton contact approve ${request.from}\`.`);
      }),
    );

  contact
    .command('approve <name>')
    .description('Accept messages from a member (mutual when they had asked)')
    .addHelpText('after', '\nExample:\n  $ baton contact approve BoldMountain')
    .action(
      rt.action(async (name: string, _opts: object, command: Command) => {
        const view = await (await messages(command)).approveContact(name);
        if (json(command)) return printJson(view);
        console.log(`${colors.green('Approved')}: ${view.name} now accepts messages from ${name}. Contacts: ${view.contacts.join(', ')}`);
      }),
    );

  contact
    .command('list')
    .description('Your contact policy, contacts and pending requests')
    .addHelpText('after', '\nExample:\n  $ baton contact list')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const view = await (await messages(command)).contacts();
        if (json(command)) return printJson(view);
        console.log(`${colors.bold(view.name)}: contact policy ${view.policy}`);
        console.log(`contacts: ${view.contacts.length ? view.contacts.join(', ') : colors.dim('none')}`);
        for (const r of view.incoming) console.log(`${colors.cyan('asks you')}: ${r.from} ${colors.dim(relativeTime(r.at))}${r.note ? ` — ${r.note}` : ''}  (baton contact approve ${r.from})`);
        for (const r of view.outgoing) console.log(`${colors.dim('you asked')}: ${r.to} ${colors.dim(relativeTime(r.at))}`);
      }),
    );
}
