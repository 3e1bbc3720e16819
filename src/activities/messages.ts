import { Context } from '@temporalio/activity';
import type { NotifyInput, SendResult } from '../schemas/messages';
import type { ActivityDeps } from './index';

/** What a pattern workflow passes to `notifyMembers`: a notice plus the project it belongs to. */
export type NotifyMembersInput = NotifyInput & { project: string };

/**
 * Message activities for workflows (pattern workflows cannot call the project workflow's updates
 * themselves): a system notice from "baton", delivered exactly once per recipient even when the
 * activity is retried (the default idempotency key is the activity's own identity).
 */
export function createMessageActivities({ baton }: ActivityDeps) {
  return {
    async notifyMembers(input: NotifyMembersInput): Promise<SendResult> {
      const { project, ...notice } = input;
      const { workflowExecution: run, activityId } = Context.current().info;
      // The project scopes notice keys by the actor's workflow id, so run + activity id is unique.
      const idempotencyKey = notice.idempotencyKey ?? `${run?.runId ?? 'standalone'}/${activityId}`;
      return baton.project(project).messages.notify({ ...notice, idempotencyKey });
    },
  };
}
