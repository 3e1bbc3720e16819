import { compose } from '../../src/domain/notifications/compose';
import { consolePaths, runOf, runPath } from '../../src/domain/notifications/console-paths';
import { desktopArgs, maskUrl, slackBody, webhookBody } from '../../src/domain/notifications/payloads';
import { hasRoom, roomAt, type RateLimit } from '../../src/domain/notifications/rate-limit';
import type { Notification, NotificationEvent } from '../../src/schemas/notifications';

const decision = (decisionId: string): NotificationEvent => ({
  kind: 'decision',
  workflowId: 'baton/acme/web/sequential-handoff/login-1a2b3c',
  pattern: 'sequential-handoff',
  title: 'Login',
  decisionId,
  step: 'frontend',
  question: 'Approve?',
  askedBy: 'GreenCastle',
  deadline: '2026-01-01T12:00:00.000Z',
});

describe('notifications: what a human reads and where it links', () => {
  it('keys a decision by its id: the same decision once, the next one again', () => {
    expect(compose('acme/web', decision('d1')).key).toBe(compose('acme/web', decision('d1')).key);
    expect(compose('acme/web', decision('d1')).key).not.toBe(compose('acme/web', decision('d2')).key);
  });

  it("keys a lease warning by its expiry: a renewed lease is announced again, the same expiry once", () => {
    const lease = (expiresAt: string): NotificationEvent => ({ kind: 'lease-expiring', reservationId: 'r-1', pattern: 'src/a.ts', expiresAt });
    expect(compose('p', lease('2026-01-01T00:00:00Z')).key).not.toBe(compose('p', lease('2026-01-01T01:00:00Z')).key);
  });

  it('keys an alert by the time it was raised: the same condition later is news again', () => {
    const alert = (raisedAt: string): NotificationEvent => ({ kind: 'alert', alertId: 'silent-work:swifteagle', raisedAt, alertKind: 'silent-work', agent: 'SwiftEagle', summary: 's' });
    expect(compose('p', alert('2026-01-01T00:00:00Z')).key).not.toBe(compose('p', alert('2026-01-02T00:00:00Z')).key);
  });

  it('links a decision to its run page, and the page route reads it back (project keys with slashes included)', () => {
    const composed = compose('acme/web', decision('d1'));
    expect(composed.path).toBe('/p/acme%2Fweb/run/sequential-handoff/login-1a2b3c');
    expect(composed.title).toBe('Decision needed: Login');
    expect(composed.text).toContain('asked by GreenCastle');
    expect(runOf('baton/acme/web/sequential-handoff/login-1a2b3c')).toEqual({ project: 'acme/web', pattern: 'sequential-handoff', id: 'login-1a2b3c' });
    expect(runOf('baton/acme/project')).toBeUndefined();
    expect(runPath('acme', 'not-a-run')).toBe(consolePaths.project('acme'));
  });
});

describe('notifications: rate limit', () => {
  const limit: RateLimit = { max: 3, windowMs: 60_000 };
  it('has room until `max` sends in the window, then again when the oldest leaves it', () => {
    expect(hasRoom([0, 1000], 2000, limit)).toBe(true);
    expect(hasRoom([0, 1000, 2000], 3000, limit)).toBe(false);
    expect(roomAt([0, 1000, 2000], 3000, limit)).toBe(60_000);
    expect(hasRoom([0, 1000, 2000], 60_000, limit)).toBe(true);
    expect(roomAt([], 5, limit)).toBe(5);
  });
});

describe('notifications: payloads', () => {
  const n: Notification = { id: 'n-1', project: 'acme', kind: 'decision', to: 'alice', title: 'Decision <needed> & soon', text: 'a > b', path: '/p/acme', createdAt: '2026-01-01T00:00:00Z', key: 'k' };
  it("sends Baton's JSON to webhooks (with the id to deduplicate on)", () => {
    expect(webhookBody(n, 'http://x/p/acme')).toEqual({ id: 'n-1', project: 'acme', kind: 'decision', to: 'alice', title: n.title, text: n.text, link: 'http://x/p/acme', createdAt: n.createdAt });
  });

  it("sends Slack's incoming-webhook format, escaped as Slack asks", () => {
    const body = slackBody(n, 'http://x/p/acme');
    expect(body.text).toBe('Decision &lt;needed&gt; &amp; soon http://x/p/acme');
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Decision &lt;needed&gt; &amp; soon*\na &gt; b' } });
    expect(JSON.stringify(body.blocks[1])).toContain('<http://x/p/acme|open in the console>');
  });

  it('asks the desktop for a critical notification for a decision', () => {
    expect(desktopArgs(n, 'http://x')).toEqual(['--app-name=Baton', '--urgency=critical', n.title, 'a > b\nhttp://x']);
    expect(desktopArgs({ ...n, kind: 'alert' }, 'http://x')[1]).toBe('--urgency=normal');
  });

  it('shows only the start and the last characters of a sink URL', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/SECRET1234')).toBe('https://hooks.slack.com/…1234');
    expect(maskUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
  });
});
