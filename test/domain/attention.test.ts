import { attentionItem, attentionKind, isStaleLeaseWarning } from '../../src/domain/messages/attention';
import type { InboxItem } from '../../src/schemas/messages';

/**
 * What the agent hooks show after a tool call (src/domain/messages/attention.ts): unread urgent or
 * ack-required mail, tasks and handoffs, answers to decisions, lease warnings; nothing read, nothing
 * ordinary. The pattern notices below use the words src/workflows/patterns/common writes.
 */
const item = (over: Partial<InboxItem>): InboxItem => ({
  id: 'm-000000000001',
  seq: 1,
  thread: 't-000000000001',
  from: 'AmberFalcon',
  to: ['BlueOtter'],
  cc: [],
  broadcast: false,
  subject: 'hello',
  body: 'hi',
  importance: 'normal',
  ackRequired: false,
  sentAt: '2030-01-01T00:00:00.000Z',
  system: false,
  ...over,
});
const notice = (over: Partial<InboxItem>) => item({ from: 'baton', system: true, ...over });
const pattern = (over: Partial<InboxItem>) => notice({ via: 'baton/p/sequential-handoff/sign-up-1a2b3c', importance: 'high', ...over });

describe('attention: which unread items an agent is shown', () => {
  it.each<[string, Partial<InboxItem>, ReturnType<typeof attentionKind>]>([
    ['urgent mail', { importance: 'urgent' }, 'mail'],
    ['mail asking for an ack', { ackRequired: true }, 'mail'],
    ['mail already acknowledged', { ackRequired: true, ackedAt: '2030-01-01T00:01:00.000Z' }, undefined],
    ['ordinary mail', { importance: 'high' }, undefined],
    ['urgent mail already read', { importance: 'urgent', readAt: '2030-01-01T00:01:00.000Z' }, undefined],
  ])('%s', (_what, over, kind) => expect(attentionKind(item(over))).toBe(kind));

  it.each<[string, Partial<InboxItem>, ReturnType<typeof attentionKind>]>([
    ['a step assigned by a pattern', { subject: '[sequential-handoff] Sign-up: step "api" is yours' }, 'handoff'],
    ['a step sent back by a human', { subject: '[sequential-handoff] Sign-up: step "api" is yours', body: 'Attempt 2: the last attempt failed with "x"; alice sends it back to you: go on' }, 'decision'],
    ['a pipeline stopped by a human', { subject: '[sequential-handoff] Sign-up failed', body: 'step "api" failed ("x") and alice stopped the workflow: no' }, 'decision'],
    ['a deploy rejected', { subject: '[emergency] deploy rejected by alice', importance: 'urgent' }, 'decision'],
    ['a reminder', { subject: 'Reminder: step "api" of Sign-up waits for you' }, undefined],
    ['an urgent alert', { subject: '[emergency] Payments 500s', importance: 'urgent' }, 'mail'],
  ])('a pattern notice: %s', (_what, over, kind) => expect(attentionKind(pattern(over))).toBe(kind));

  it('reads a notice by its topic first, whatever its words', () => {
    expect(attentionKind(notice({ subject: 'anything', notice: { topic: 'lease-expiring', reservationIds: ['r-1'] } }))).toBe('lease-expiring');
    expect(attentionKind(notice({ notice: { topic: 'lease-expired' } }))).toBe('lease-expired');
    expect(attentionKind(notice({ notice: { topic: 'task' } }))).toBe('handoff');
    expect(attentionKind(notice({ notice: { topic: 'decision' } }))).toBe('decision');
    // A notice that is not from a pattern and has no topic is ordinary mail.
    expect(attentionKind(notice({ subject: 'Contact request from X', body: 'alice sends it back to you' }))).toBeUndefined();
  });

  it('says what to run for each', () => {
    expect(attentionItem(item({ importance: 'urgent', subject: 'Build broken' }))).toEqual({ id: 'm-000000000001', seq: 1, kind: 'mail', summary: 'AmberFalcon: "Build broken"', action: 'baton read m-000000000001', urgent: true });
    expect(attentionItem(item({ ackRequired: true }))?.action).toBe('baton read m-000000000001, then baton ack m-000000000001');
    const lease = attentionItem(notice({ subject: 'Your reservation of src/a.ts expires in 10m', notice: { topic: 'lease-expiring', reservationIds: ['r-1', 'r-2'], expiresAt: '2030-01-01T01:00:00.000Z' } }));
    expect(lease).toMatchObject({ kind: 'lease-expiring', summary: 'Your reservation of src/a.ts expires in 10m', reservationIds: ['r-1', 'r-2'], expiresAt: '2030-01-01T01:00:00.000Z' });
    expect(lease?.action).toBe('baton renew r-1 r-2 --ttl 1h (or baton release r-1 r-2 when done); baton read m-000000000001 for details');
    expect(attentionItem(item({}))).toBeUndefined();
  });

  it('drops a lease warning once none of its leases still expires by the time it warned of', () => {
    const warning = attentionItem(notice({ notice: { topic: 'lease-expiring', reservationIds: ['r-1', 'r-2'], expiresAt: '2030-01-01T01:00:00.000Z' } }))!;
    const at = (iso: string) => Date.parse(iso);
    expect(isStaleLeaseWarning(warning, new Map([['r-1', at('2030-01-01T01:00:00.000Z')]]))).toBe(false);
    expect(isStaleLeaseWarning(warning, new Map([['r-1', at('2030-01-01T02:00:00.000Z')], ['r-2', at('2030-01-01T00:50:00.000Z')]]))).toBe(false);
    expect(isStaleLeaseWarning(warning, new Map([['r-1', at('2030-01-01T02:00:00.000Z')]]))).toBe(true); // renewed; r-2 released
    expect(isStaleLeaseWarning(warning, new Map())).toBe(true);
    expect(isStaleLeaseWarning(attentionItem(item({ importance: 'urgent' }))!, new Map())).toBe(false);
  });
});
