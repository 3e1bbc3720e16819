/**
 * Who may message whom: the contact policy of each recipient decides. Pure logic so the rules are
 * tested directly and read in one place; the project workflow gathers the facts and calls this.
 *
 *  - humans may always send (they lead the agents);
 *  - anyone may answer a message they received, to its author, unless the author blocks everything;
 *  - `open`: anyone in the project;
 *  - `auto`: contacts, trusted members, members who share a thread with the recipient, and members
 *    holding reservations that overlap the recipient's;
 *  - `contacts_only`: contacts only;
 *  - `block_all`: humans only.
 */
export type ContactPolicy = 'open' | 'auto' | 'contacts_only' | 'block_all';

export interface ContactFacts {
  sender: { name: string; isHuman: boolean; trusted: boolean };
  recipient: { name: string; policy: ContactPolicy; contacts: readonly string[] };
  /** The message answers one the recipient sent to the sender. */
  answersRecipient: boolean;
  /** Sender and recipient both took part in some recent thread (wrote, or were addressed directly). */
  shareThread: boolean;
  /** Sender and recipient hold reservations whose patterns overlap. */
  holdOverlapping: boolean;
}

export type ContactDecision = { allowed: true; because: string } | { allowed: false; reason: string };

const lower = (s: string) => s.toLowerCase();

export function decideContact(f: ContactFacts): ContactDecision {
  const { sender, recipient } = f;
  if (lower(sender.name) === lower(recipient.name)) return { allowed: true, because: 'self' };
  if (sender.isHuman) return { allowed: true, because: 'human' };
  if (recipient.policy === 'block_all') {
    return { allowed: false, reason: `${recipient.name} accepts messages from humans only (contact policy block_all)` };
  }
  if (f.answersRecipient) return { allowed: true, because: 'reply' };
  const isContact = recipient.contacts.some((c) => lower(c) === lower(sender.name));
  if (isContact) return { allowed: true, because: 'contact' };
  switch (recipient.policy) {
    case 'open':
      return { allowed: true, because: 'open' };
    case 'contacts_only':
      return { allowed: false, reason: `${recipient.name} accepts messages from contacts only (contact policy contacts_only)` };
    case 'auto':
      if (sender.trusted) return { allowed: true, because: 'trusted' };
      if (f.shareThread) return { allowed: true, because: 'shared thread' };
      if (f.holdOverlapping) return { allowed: true, because: 'overlapping reservations' };
      return {
        allowed: false,
        reason: `${recipient.name} accepts messages from contacts, trusted members, members sharing a thread with it, or holding overlapping reservations (contact policy auto)`,
      };
  }
}

/** The sentence a blocked sender reads: why, and what to do about it. */
export function blockedMessage(sender: string, decision: { reason: string }, recipient: string, policy: ContactPolicy): string {
  const how =
    policy === 'block_all'
      ? 'ask a human to pass the message on.'
      : `ask for contact with \`baton contact request ${recipient}\` (they approve with \`baton contact approve ${sender}\`).`;
  return `${sender} may not message ${recipient}: ${decision.reason}; ${how}`;
}
