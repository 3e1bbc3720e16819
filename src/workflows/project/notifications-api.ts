import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AddSinkInput, DeliveryRequest, NotificationsView, SinkRef, SinkView, TestSinkInput } from '../../schemas/notifications';
import type { MemberActor } from '../../schemas/actor';
import type { Checked } from '../failure';

/** The notifications module's message API on the project workflow (humans' sinks; issue 15). */
export const addSinkUpdate = defineUpdate<SinkView, [AddSinkInput]>('addNotificationSink');
export const removeSinkUpdate = defineUpdate<SinkView, [SinkRef]>('removeNotificationSink');
/** Sends a test notification to one of the caller's sinks (or to all of them). */
export const testSinkUpdate = defineUpdate<{ queued: number }, [TestSinkInput]>('testNotificationSink');
export const notificationsQuery = defineQuery<Checked<NotificationsView>, [{ actor: MemberActor }]>('notifications');

/**
 * Implemented in src/activities/notifications.ts; declared next to the workflow so workflow code
 * imports no activity module. Throws a non-retryable failure when retrying cannot help (a 4xx answer,
 * no notify-send on the worker's machine).
 */
export interface NotificationActivities {
  deliverNotification(input: DeliveryRequest): Promise<{ status: number | null; attempt: number }>;
}
