import type { MailboxOwner, Message } from '../../schemas/messages';

/** A member's mailbox as a delivery addresses it: the name, and whose it is (to start it if needed). */
export interface MailboxRef {
  name: string;
  owner: MailboxOwner;
}

export interface DeliverInput {
  project: string;
  message: Message;
  /** Recipients' mailboxes: each gets the message once (mailboxes drop a message id seen before). */
  to: MailboxRef[];
  /** The sender's mailbox records the message in its outbox with who it went to. */
  outbox?: { sender: MailboxRef; deliveredTo: string[] };
  /** For a mailbox that has to be started on the way (maxHistoryEvents of the project). */
  maxHistoryEvents: number;
}

/**
 * Implemented in src/activities/messages.ts; declared next to the workflow so workflow code imports
 * no activity module. One call delivers one message to all its recipients: the message travels once
 * in the project's history, whatever the number of recipients.
 */
export interface DeliveryActivities {
  deliverMessage(input: DeliverInput): Promise<{ delivered: number }>;
}
