import type { NotificationEvent } from '../../schemas/notifications';
import { consolePaths, runPath } from './console-paths';

export interface Composed {
  title: string;
  text: string;
  path: string;
  /**
   * One notification per key and human: a decision is announced once however many notices carry it
   * (a retried activity, a reminder), a lease expiry once per expiry time (a renewal gets a new one).
   */
  key: string;
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** What a human reads for an event, and the console page it links to. */
export function compose(project: string, event: NotificationEvent): Composed {
  switch (event.kind) {
    case 'decision':
      return {
        title: clip(`Decision needed: ${event.title}`, 200),
        text: [
          event.question,
          `Step "${event.step}" of ${event.pattern}${event.askedBy ? `, asked by ${event.askedBy}` : ''}.`,
          event.deadline ? `Escalated to every human at ${event.deadline}.` : '',
        ]
          .filter(Boolean)
          .join('\n'),
        path: runPath(project, event.workflowId),
        key: `decision:${event.workflowId}:${event.decisionId}`,
      };
    case 'escalation':
      return {
        title: clip(`Escalated: ${event.title}`, 200),
        text: `${event.text}\nStep "${event.step}" of ${event.pattern}.`,
        path: runPath(project, event.workflowId),
        key: `escalation:${event.workflowId}:${event.step}:${clip(event.text, 80)}`,
      };
    case 'urgent-message':
      return {
        title: clip(`Urgent from ${event.from}: ${event.subject}`, 200),
        text: `${event.from} sent an urgent message in project ${project}.`,
        path: consolePaths.project(project),
        key: `message:${event.messageId}`,
      };
    case 'alert':
      return {
        title: clip(`Alert (${event.alertKind}): ${event.summary}`, 200),
        text: `${event.summary}\nAgent: ${event.agent}.`,
        path: consolePaths.project(project),
        // Alert ids are stable per condition: the same condition raised again later is news again.
        key: `alert:${event.alertId}:${event.raisedAt}`,
      };
    case 'lease-expiring':
      return {
        title: clip(`Your reservation of ${event.pattern} expires at ${event.expiresAt}`, 200),
        text: `Renew it (baton renew ${event.reservationId}) or let it go; after ${event.expiresAt} others may take the files.`,
        path: consolePaths.project(project),
        key: `lease:${event.reservationId}:${event.expiresAt}`,
      };
  }
}
