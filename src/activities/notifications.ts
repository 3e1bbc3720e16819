import { execFile } from 'node:child_process';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { desktopArgs, slackBody, webhookBody } from '../domain/notifications/payloads';
import type { DeliveryRequest } from '../schemas/notifications';
import type { NotificationActivities } from '../workflows/project/notifications-api';

/** A sink gets this long to answer one attempt (the activity's start-to-close timeout is 15 s). */
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Delivery of one notification to one sink: an HTTP POST (webhook, Slack) with Node's fetch, or
 * notify-send for the desktop. A failure says which attempt it was (the project workflow records it
 * in the dead letters); 4xx answers other than 408/429 are not retried: sending again will not help.
 */
export function createNotificationActivities(): NotificationActivities {
  return {
    async deliverNotification(input: DeliveryRequest): Promise<{ status: number | null; attempt: number }> {
      const { attempt } = Context.current().info;
      try {
        if (input.sink.kind === 'desktop') {
          await runNotifySend(desktopArgs(input.notification, input.link));
          return { status: null, attempt };
        }
        const body = input.sink.kind === 'slack' ? slackBody(input.notification, input.link) : webhookBody(input.notification, input.link);
        const status = await post(input.sink.url!, body, input.notification.id);
        return { status, attempt };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw ApplicationFailure.create({ type: err.type ?? 'DeliveryFailed', message: err.message, nonRetryable: err.nonRetryable === true, details: [{ attempt }] });
        throw ApplicationFailure.create({ type: 'DeliveryFailed', message: (err as Error).message, details: [{ attempt }] });
      }
    },
  };
}

async function post(url: string, body: unknown, id: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Baton-Notifications', 'x-baton-notification': id },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw ApplicationFailure.create({ type: 'Unreachable', message: `could not reach ${new URL(url).host}: ${cause ?? (err as Error).message}` });
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return res.status;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw ApplicationFailure.create({ type: `HTTP${res.status}`, message: `${new URL(url).host} answered ${res.status} ${res.statusText}`.trim(), nonRetryable: !retryable });
}

function runNotifySend(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('notify-send', args, { timeout: ATTEMPT_TIMEOUT_MS }, (err) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(ApplicationFailure.create({ type: 'NoDesktop', message: 'notify-send is not installed where the Baton worker runs (a desktop sink needs the worker on your desktop: `npm start`)', nonRetryable: true }));
      }
      reject(ApplicationFailure.create({ type: 'DesktopFailed', message: `notify-send failed: ${err.message}` }));
    });
  });
}
