import type { Notification } from '../../schemas/notifications';

/**
 * What each kind of sink receives. Webhooks get Baton's own JSON (stable field names, the
 * notification id to deduplicate on); Slack gets its incoming-webhook format (`text` plus Block Kit
 * blocks, https://api.slack.com/messaging/webhooks); the desktop gets notify-send's arguments.
 */
export interface WebhookBody {
  id: string;
  project: string;
  kind: Notification['kind'];
  to: string;
  title: string;
  text: string;
  link: string;
  createdAt: string;
  event?: Notification['event'];
}

export function webhookBody(n: Notification, link: string): WebhookBody {
  return { id: n.id, project: n.project, kind: n.kind, to: n.to, title: n.title, text: n.text, link, createdAt: n.createdAt, ...(n.event ? { event: n.event } : {}) };
}

/** Slack's mrkdwn needs &, < and > escaped (its own rule for text objects). */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackBody(n: Notification, link: string) {
  const title = slackEscape(n.title);
  return {
    text: `${title} ${link}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${slackEscape(n.text)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Baton · project ${slackEscape(n.project)} · <${link}|open in the console>` }] },
    ],
  };
}

/** notify-send arguments: urgency from the kind, the link in the body (desktops make it clickable). */
export function desktopArgs(n: Notification, link: string): string[] {
  const urgency = n.kind === 'decision' || n.kind === 'escalation' || n.kind === 'urgent-message' ? 'critical' : 'normal';
  return ['--app-name=Baton', `--urgency=${urgency}`, n.title, `${n.text}\n${link}`];
}

/** A sink's URL as its owner sees it in lists: scheme, host and the last characters only. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const rest = `${u.pathname}${u.search}`;
    return rest.length > 8 ? `${u.protocol}//${u.host}/…${rest.slice(-4)}` : `${u.protocol}//${u.host}${rest}`;
  } catch {
    return '(invalid URL)';
  }
}
