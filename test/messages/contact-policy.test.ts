import { blockedMessage, decideContact, type ContactFacts, type ContactPolicy } from '../../src/domain/messages/contact-policy';
import { utf8Length } from '../../src/domain/messages/limits';
import { parseSince } from '../../src/cli/commands/messages';

const facts = (policy: ContactPolicy, over: Partial<Omit<ContactFacts, 'sender' | 'recipient'>> & { sender?: Partial<ContactFacts['sender']>; contacts?: string[] } = {}): ContactFacts => ({
  sender: { name: 'SwiftEagle', isHuman: false, trusted: false, ...over.sender },
  recipient: { name: 'BoldMountain', policy, contacts: over.contacts ?? [] },
  answersRecipient: over.answersRecipient ?? false,
  shareThread: over.shareThread ?? false,
  holdOverlapping: over.holdOverlapping ?? false,
});

describe('contact policy (pure)', () => {
  it('open admits anyone; block_all admits humans only', () => {
    expect(decideContact(facts('open'))).toEqual({ allowed: true, because: 'open' });
    expect(decideContact(facts('block_all')).allowed).toBe(false);
    expect(decideContact(facts('block_all', { answersRecipient: true, shareThread: true, contacts: ['swifteagle'], sender: { trusted: true } })).allowed).toBe(false);
    expect(decideContact(facts('block_all', { sender: { isHuman: true } }))).toEqual({ allowed: true, because: 'human' });
  });

  it('contacts_only admits contacts (ignoring case) and answers, nothing else', () => {
    expect(decideContact(facts('contacts_only')).allowed).toBe(false);
    expect(decideContact(facts('contacts_only', { shareThread: true, holdOverlapping: true, sender: { trusted: true } })).allowed).toBe(false);
    expect(decideContact(facts('contacts_only', { contacts: ['swifteagle'] }))).toEqual({ allowed: true, because: 'contact' });
    expect(decideContact(facts('contacts_only', { answersRecipient: true }))).toEqual({ allowed: true, because: 'reply' });
  });

  it('auto admits contacts, trusted members, a shared thread and overlapping reservations', () => {
    expect(decideContact(facts('auto')).allowed).toBe(false);
    expect(decideContact(facts('auto', { sender: { trusted: true } }))).toEqual({ allowed: true, because: 'trusted' });
    expect(decideContact(facts('auto', { shareThread: true }))).toEqual({ allowed: true, because: 'shared thread' });
    expect(decideContact(facts('auto', { holdOverlapping: true }))).toEqual({ allowed: true, because: 'overlapping reservations' });
    expect(decideContact(facts('auto', { contacts: ['SwiftEagle'] }))).toEqual({ allowed: true, because: 'contact' });
  });

  it('always admits writing to oneself and humans whatever the policy', () => {
    for (const policy of ['open', 'auto', 'contacts_only', 'block_all'] as const) {
      expect(decideContact({ ...facts(policy), recipient: { name: 'swifteagle', policy, contacts: [] } }).allowed).toBe(true);
      expect(decideContact(facts(policy, { sender: { isHuman: true } })).allowed).toBe(true);
    }
  });

  it('says how to get through', () => {
    const refused = decideContact(facts('contacts_only'));
    if (refused.allowed) throw new Error('expected a refusal');
    expect(blockedMessage('SwiftEagle', refused, 'BoldMountain', 'contacts_only')).toContain('baton contact request BoldMountain');
    const walled = decideContact(facts('block_all'));
    if (walled.allowed) throw new Error('expected a refusal');
    expect(blockedMessage('SwiftEagle', walled, 'BoldMountain', 'block_all')).toContain('human');
  });
});

describe('message limits and CLI parsing (pure)', () => {
  it('counts UTF-8 bytes like Buffer does', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é€\n', '\ud800x', 'x'.repeat(1000)]) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('reads --since as an age or an ISO time', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('2h', now)).toBe(now - 2 * 3_600_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('2026-01-30T00:00:00Z', now)).toBe(Date.parse('2026-01-30T00:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow(/since/);
  });
});
