import { z } from 'zod';
import { ContactInput, InboxFilter, MAX_OPEN_WAITS, MessageId, MessageOp, SendInput, ThreadId, WaitInput } from '../../schemas/messages';
import { defineTool, type Tool, type ToolCall } from '../toolbox';
import type { ToolAnswer } from '../toolbox';

const actor = ({ session }: ToolCall) => session.actor();
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** A reply is a send whose recipients, subject and thread come from the message answered. */
const ReplyInput = z.object({
  messageId: MessageId,
  body: SendInput.shape.body,
  subject: SendInput.shape.subject.optional().describe('default: "Re: <original subject>"'),
  all: z.boolean().default(false).describe('reply to the sender and every other recipient'),
  importance: SendInput.shape.importance,
  ackRequired: SendInput.shape.ackRequired,
  idempotencyKey: SendInput.shape.idempotencyKey,
});

/** The inbox filter, plus the push: wait up to `wait` seconds for new mail. */
const InboxInput = InboxFilter.extend({
  wait: WaitInput.shape.timeoutSeconds
    .optional()
    .describe('wait up to this many seconds for new mail (at most 300); the call answers as soon as mail arrives. Omit or 0 to read at once.'),
  afterSeq: WaitInput.shape.afterSeq.describe('with wait: only mail after this seq (the lastSeq of an earlier answer); without it unread mail answers at once'),
});

function sent(result: { messageId: string; thread: string; deliveredTo: string[]; skipped: { name: string; reason: string }[]; duplicate: boolean }): ToolAnswer {
  const skipped = result.skipped.length ? `; skipped ${result.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : '';
  return {
    summary: `${result.duplicate ? 'Already sent' : 'Sent'} ${result.messageId} (thread ${result.thread}) to ${result.deliveredTo.join(', ') || 'nobody'}${skipped}.`,
    data: result,
  };
}

export function messageTools(): Tool[] {
  return [
    defineTool({
      name: 'send',
      title: 'Send a message',
      description:
        'Send a message to members of the project (`to`, `cc`: names from `agents`). Set importance (urgent for blockers) and ackRequired when you need a confirmation. ' +
        'Pass `thread` to continue a conversation; use `reply` to answer a message.',
      // broadcast and replyTo are the `broadcast` and `reply` tools' business.
      schema: SendInput,
      what: 'message',
      fill: { actor, broadcast: () => false, replyTo: () => undefined },
      async run(input, { session }) {
        return sent(await session.project().messages.send(input.actor, input));
      },
    }),
    defineTool({
      name: 'broadcast',
      title: 'Broadcast a message',
      description: 'Send a message to every active member except you (members whose contact policy refuses you are skipped and listed).',
      schema: SendInput,
      what: 'message',
      fill: { actor, broadcast: () => true, to: () => [], cc: () => [], replyTo: () => undefined },
      async run(input, { session }) {
        return sent(await session.project().messages.broadcast(input.actor, input));
      },
    }),
    defineTool({
      name: 'reply',
      title: 'Reply to a message',
      description: 'Answer a message of your inbox (by its id), in its thread, to its sender (or everyone on it with `all`).',
      schema: ReplyInput,
      what: 'reply',
      async run({ messageId, ...request }, { session }) {
        return sent(await session.project().messages.reply(session.actor(), messageId, request));
      },
    }),
    defineTool({
      name: 'inbox',
      title: 'Read your inbox',
      description:
        'List your messages, newest first (filters: unread, urgent, thread, since, limit). With `wait` (seconds) the call waits for new mail and answers as soon as it arrives: ' +
        'use it instead of polling. Mark messages with `read` or `ack`.',
      schema: InboxInput,
      what: 'inbox filter',
      readOnly: true,
      async run({ wait, afterSeq, ...filter }, { session, signal }) {
        const messages = session.project().messages;
        const me = session.actor();
        if (!wait) {
          const page = await messages.inbox(me, filter);
          return { summary: `${plural(page.items.length, 'message')} shown; ${page.unread} unread of ${page.total}.`, data: page };
        }
        // A cancelled call (or a client gone) ends the wait in the mailbox too: it must not keep a place.
        const result = await messages.wait(me, { filter, afterSeq, timeoutSeconds: wait, signal });
        if (result.cancelled) return { summary: 'Cancelled while waiting.', data: result };
        if (result.superseded) return { summary: `Another wait of yours took this one's place (at most ${MAX_OPEN_WAITS} are open per member); stop waiting here.`, data: result };
        return {
          summary: result.items.length ? `${plural(result.items.length, 'new message')}.` : `No new mail within ${wait}s.`,
          data: result,
        };
      },
    }),
    defineTool({
      name: 'read',
      title: 'Read a message',
      description: 'Show one message of your inbox and mark it read.',
      schema: MessageOp,
      what: 'message',
      fill: { actor },
      async run(input, { session }) {
        const item = await session.project().messages.read(session.actor(), input.messageId);
        return { summary: `${item.id} from ${item.from}: ${item.subject}`, data: item };
      },
    }),
    defineTool({
      name: 'ack',
      title: 'Acknowledge a message',
      description: 'Acknowledge a message (and mark it read); the sender sees the acknowledgement. Do it for messages with ackRequired.',
      schema: MessageOp,
      what: 'message',
      fill: { actor },
      async run(input, { session }) {
        const item = await session.project().messages.ack(session.actor(), input.messageId);
        return { summary: `Acknowledged ${item.id} from ${item.from}.`, data: item };
      },
    }),
    defineTool({
      name: 'thread',
      title: 'Show a thread',
      description: 'Show a conversation as you saw it (received and sent messages), oldest first.',
      schema: z.object({ thread: ThreadId }),
      what: 'thread',
      readOnly: true,
      async run(input, { session }) {
        const view = await session.project().messages.thread(session.actor(), input.thread);
        return { summary: `${view.subject}: ${plural(view.messages.length, 'message')}.`, data: view };
      },
    }),
    defineTool({
      name: 'outbox',
      title: 'Show sent messages',
      description: 'Messages you sent, newest first, with who got them and who acknowledged.',
      schema: z.object({ limit: InboxFilter.shape.limit }),
      what: 'outbox filter',
      readOnly: true,
      async run(input, { session }) {
        const items = await session.project().messages.outbox(session.actor(), input);
        return { summary: `${plural(items.length, 'sent message')}.`, data: { items } };
      },
    }),
    defineTool({
      name: 'request_contact',
      title: 'Ask to contact a member',
      description: 'Ask a member whose contact policy is contacts_only (or auto, for a first contact) to accept your messages.',
      schema: ContactInput,
      what: 'contact request',
      fill: { actor },
      async run(input, { session }) {
        const request = await session.project().messages.requestContact(input.actor, input.name, input.note);
        return { summary: `Asked ${request.to} to accept your messages.`, data: request };
      },
    }),
    defineTool({
      name: 'approve_contact',
      title: 'Accept messages from a member',
      description: 'Accept messages from a member (mutual when they asked you).',
      schema: ContactInput,
      what: 'contact approval',
      fill: { actor, note: () => undefined },
      async run(input, { session }) {
        const view = await session.project().messages.approveContact(input.actor, input.name);
        return { summary: `Your contacts: ${view.contacts.join(', ') || 'none'}.`, data: view };
      },
    }),
  ];
}
