import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type { MemberActor } from '../../schemas/actor';
import type { AttentionView, TakeAttentionInput } from '../../schemas/attention';
import type { Ack, InboxFilter, MailboxOwner, InboxItem, InboxPage, MailboxDescription, Message, MessageOp, OutboxItem, ThreadView, WaitInput, WaitResult } from '../../schemas/messages';

/**
 * A member's mailbox workflow (`baton/<project>/mailbox/<member>`): its inbox and outbox. The project
 * workflow delivers with signals (deduplicated by message id, so a retried delivery lands once); the
 * member (verified by the Baton server) reads with queries and updates that check the actor.
 */
/** Delivered by the project workflow: a message for this member. */
export const deliverSignal = defineSignal<[Message]>('deliver');
/** Recorded by the project workflow: a message this member sent, and who got it. */
export const sentSignal = defineSignal<[{ message: Message; deliveredTo: string[] }]>('sent');
/** From a recipient's mailbox: they acknowledged a message this member sent. */
export const ackedSignal = defineSignal<[{ messageId: string; ack: Ack }]>('acked');
/**
 * From the project workflow only: who owns the mailbox now (a new epoch after a token rotation, a
 * retirement, or another registration of the name, which starts with an empty mailbox).
 */
export const claimSignal = defineSignal<[MailboxOwner]>('claim');

/** Readable state for the Web UI (no token needed: anyone with namespace access can read history). */
export const describeQuery = defineQuery<MailboxDescription>('describe');
export const inboxQuery = defineQuery<Checked<InboxPage>, [{ actor: MemberActor; filter?: InboxFilter }]>('inbox');
export const outboxQuery = defineQuery<Checked<OutboxItem[]>, [{ actor: MemberActor; limit?: number }]>('outbox');
export const threadQuery = defineQuery<Checked<ThreadView>, [{ actor: MemberActor; thread: string }]>('thread');
/** One message from the inbox or outbox, without marking it read (used to reply). */
export const messageQuery = defineQuery<Checked<InboxItem | OutboxItem>, [MessageOp]>('message');

/** Show one message and mark it read. */
export const readUpdate = defineUpdate<InboxItem, [MessageOp]>('read');
/** Acknowledge a message (and mark it read); the sender sees the ack in its outbox. */
export const ackUpdate = defineUpdate<InboxItem, [MessageOp]>('ack');
/** Push: blocks until matching mail is there (or the timeout), so agents need not poll. */
export const waitUpdate = defineUpdate<WaitResult, [WaitInput]>('wait');
/**
 * From the Baton server only: the caller of the wait named `waitId` went away (a CLI interrupted or
 * killed, an HTTP client disconnected, an MCP call cancelled); the wait ends at once, answered
 * `cancelled`, so dead callers do not keep the member's places.
 */
export const cancelWaitSignal = defineSignal<[{ waitId: string }]>('cancelWait');

/** What the member's hooks have not shown yet (read-only; see src/schemas/attention.ts). */
export const attentionQuery = defineQuery<Checked<AttentionView>, [{ actor: MemberActor }]>('attention');
/** Marks everything up to `upToSeq` shown and answers the items that were not shown before. */
export const takeAttentionUpdate = defineUpdate<AttentionView, [TakeAttentionInput]>('takeAttention');
