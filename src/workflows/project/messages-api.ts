import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type { ContactInput, ContactRequest, ContactsView, MemberActor, NotifyInput, SendInput, SendResult } from '../../schemas/messages';

/**
 * The messages module's API on the project workflow: the project decides who may send what to whom
 * (authentication, contact policies, idempotency) and delivers to the members' mailbox workflows.
 */
export const sendUpdate = defineUpdate<SendResult, [SendInput]>('send');
/** System notices from "baton" (pattern workflows, other modules); needs the internal workflow actor. */
export const notifyUpdate = defineUpdate<SendResult, [NotifyInput]>('notify');
/** Make sure a member's mailbox workflow exists (members registered before mailboxes existed). */
export const openMailboxUpdate = defineUpdate<{ workflowId: string }, [{ actor: MemberActor }]>('openMailbox');
export const contactRequestUpdate = defineUpdate<ContactRequest, [ContactInput]>('contactRequest');
export const contactApproveUpdate = defineUpdate<ContactsView, [ContactInput]>('contactApprove');
export const contactsQuery = defineQuery<Checked<ContactsView>, [{ actor: MemberActor }]>('contacts');
