import { Context } from '@temporalio/activity';
import { mailboxWorkflowId } from '../domain/ids';
import type { NotifyInput, SendResult } from '../schemas/messages';
import { BatonAgent, BatonKind, BatonProject } from '../search-attributes';
import { deliverSignal, sentSignal } from '../workflows/mailbox/api';
import type { DeliverInput, DeliveryActivities, MailboxRef } from '../workflows/project/delivery-api';
import { toBatonError } from '../client/errors';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

/** What a pattern workflow passes to `notifyMembers`: a notice plus the project it belongs to. */
export type NotifyMembersInput = NotifyInput & { project: string };

/** Signals to mailboxes at once from one delivery; a broadcast to hundreds goes out in waves of this many. */
const DELIVERY_CONCURRENCY = 16;

/**
 * Message activities: a system notice from "baton" for pattern workflows (which cannot call the project
 * workflow's updates themselves), delivered exactly once per recipient even when the activity is
 * retried (the default idempotency key is the activity's own identity); and the delivery of a message
 * the project workflow recorded to every recipient's mailbox.
 */
export function createMessageActivities({ baton }: ActivityDeps): DeliveryActivities & { notifyMembers(input: NotifyMembersInput): Promise<SendResult> } {
  const temporal = baton.temporal;

  /** Signal a member's mailbox, starting it first when it does not run (a new member, or one ended by hand). */
  async function signalMailbox(project: string, ref: MailboxRef, maxHistoryEvents: number, signal: typeof deliverSignal | typeof sentSignal, arg: unknown): Promise<void> {
    await temporal.workflow.signalWithStart('mailboxWorkflow', {
      workflowId: mailboxWorkflowId(project, ref.name),
      taskQueue: baton.config.taskQueue,
      args: [{ project, member: ref.name, owner: ref.owner, maxHistoryEvents, generation: 0 }],
      signal: signal.name,
      signalArgs: [arg],
      typedSearchAttributes: [
        { key: BatonProject, value: project },
        { key: BatonKind, value: 'mailbox' },
        { key: BatonAgent, value: ref.name },
      ],
      staticSummary: `Mailbox of ${ref.name} in project ${project}`,
    });
  }

  return {
    async notifyMembers(input: NotifyMembersInput): Promise<SendResult> {
      const { project, ...notice } = input;
      const { workflowExecution: run, activityId } = Context.current().info;
      // The project scopes notice keys by the actor's workflow id, so run + activity id is unique.
      const idempotencyKey = notice.idempotencyKey ?? `${run?.runId ?? 'standalone'}/${activityId}`;
      return baton.project(project).messages.notify({ ...notice, idempotencyKey });
    },

    /**
     * One message to every recipient (and the sender's outbox), in waves of DELIVERY_CONCURRENCY
     * signals. Heartbeats say how far it got, so a retry after a worker crash starts there; a repeat
     * is harmless anyway (mailboxes drop a message id they have seen).
     */
    async deliverMessage(input: DeliverInput): Promise<{ delivered: number }> {
      const ctx = Context.current();
      const from = Number((ctx.info.heartbeatDetails as { next?: number } | undefined)?.next ?? 0);
      try {
        for (let i = from; i < input.to.length; i += DELIVERY_CONCURRENCY) {
          await Promise.all(input.to.slice(i, i + DELIVERY_CONCURRENCY).map((ref) => signalMailbox(input.project, ref, input.maxHistoryEvents, deliverSignal, input.message)));
          ctx.heartbeat({ next: i + DELIVERY_CONCURRENCY });
        }
        if (input.outbox) await signalMailbox(input.project, input.outbox.sender, input.maxHistoryEvents, sentSignal, { message: input.message, deliveredTo: input.outbox.deliveredTo });
      } catch (err) {
        const e = toBatonError(err);
        throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: e.code === 'INVALID_INPUT' });
      }
      return { delivered: input.to.length };
    },
  };
}
