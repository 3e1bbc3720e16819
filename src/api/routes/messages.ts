import type { FastifyInstance, FastifyReply } from 'fastify';
import { ContactApproveBody, ContactRequestBody, InboxQuery, MessageParams, OutboxQuery, ProjectParams, ReplyRequest, SendRequest, ThreadParams } from '../../schemas/api';
import { route, type ApiDeps } from '../route';

/**
 * Aborts when the HTTP client goes away before its answer (a CLI interrupted or killed, a closed
 * connection): a long poll must not keep one of the member's waits for a caller that is gone.
 */
function callerGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}

/** Messages: sends decided by the project workflow; each member's mailbox read by its owner only. */
export function messageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/messages',
    summary: 'Send to members (to, cc) or broadcast; contact policies apply; idempotency keys make retries safe',
    tags: ['messages'],
    what: 'message',
    access: 'member',
    params: ProjectParams,
    body: SendRequest,
    async handler({ project, actor, body }) {
      return body.broadcast ? project.messages.broadcast(actor, { ...body }) : project.messages.send(actor, body);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/messages/:messageId/reply',
    summary: 'Answer a message of your mailbox, in its thread (to its sender, or everyone with all)',
    tags: ['messages'],
    what: 'reply',
    access: 'member',
    params: MessageParams,
    body: ReplyRequest,
    async handler({ project, actor, params, body }) {
      return project.messages.reply(actor, params.messageId, body);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/inbox',
    summary: 'Your inbox (filters); with wait=N, answers as soon as mail arrives or after N seconds (push)',
    tags: ['messages'],
    what: 'inbox filter',
    access: 'member',
    params: ProjectParams,
    query: InboxQuery,
    async handler({ project, actor, query, reply }) {
      const { wait, afterSeq, ...filter } = query;
      if (wait !== undefined && wait > 0) return project.messages.wait(actor, { filter, afterSeq, timeoutSeconds: wait, signal: callerGone(reply) });
      return project.messages.inbox(actor, filter);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/attention',
    summary:
      'What you have not been shown yet, each item once: unread urgent or ack-required mail, tasks and handoffs addressed to you, answers to decisions you asked for, your leases about to expire or expired (what the agent hooks print). Marks what it answers as shown',
    tags: ['messages'],
    what: 'attention',
    access: 'member',
    params: ProjectParams,
    async handler({ project, actor }) {
      return project.messages.attention(actor);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/messages/:messageId',
    summary: 'One message of your inbox or outbox, without marking it read',
    tags: ['messages'],
    what: 'message',
    access: 'member',
    params: MessageParams,
    async handler({ project, actor, params }) {
      return project.messages.message(actor, params.messageId);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/messages/:messageId/read',
    summary: 'Show a message and mark it read',
    tags: ['messages'],
    what: 'message',
    access: 'member',
    params: MessageParams,
    async handler({ project, actor, params }) {
      return project.messages.read(actor, params.messageId);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/messages/:messageId/ack',
    summary: 'Acknowledge a message (and mark it read); the sender sees it in its outbox',
    tags: ['messages'],
    what: 'message',
    access: 'member',
    params: MessageParams,
    async handler({ project, actor, params }) {
      return project.messages.ack(actor, params.messageId);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/outbox',
    summary: 'Messages you sent, newest first, with who got them and who acknowledged',
    tags: ['messages'],
    what: 'outbox filter',
    access: 'member',
    params: ProjectParams,
    query: OutboxQuery,
    async handler({ project, actor, query }) {
      return project.messages.outbox(actor, query);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/threads/:thread',
    summary: 'A thread as you saw it, both directions, oldest first',
    tags: ['messages'],
    what: 'thread',
    access: 'member',
    params: ThreadParams,
    async handler({ project, actor, params }) {
      return project.messages.thread(actor, params.thread);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/contacts',
    summary: 'Your contact policy, contacts and pending contact requests',
    tags: ['messages'],
    what: 'contacts',
    access: 'member',
    params: ProjectParams,
    async handler({ project, actor }) {
      return project.messages.contacts(actor);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/contacts/requests',
    summary: 'Ask a member to accept your messages',
    tags: ['messages'],
    what: 'contact request',
    access: 'member',
    params: ProjectParams,
    body: ContactRequestBody,
    async handler({ project, actor, body }) {
      return project.messages.requestContact(actor, body.name, body.note);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/contacts/approvals',
    summary: 'Accept messages from a member (mutual when they asked you)',
    tags: ['messages'],
    what: 'contact approval',
    access: 'member',
    params: ProjectParams,
    body: ContactApproveBody,
    async handler({ project, actor, body }) {
      return project.messages.approveContact(actor, body.name);
    },
  });
}
