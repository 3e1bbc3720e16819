import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type { ListMembersInput, MemberKind, MemberView, RegisterInput, RetireInput } from '../../schemas/agents';
import type { Actor } from '../../schemas/actor';

/** The agent directory's message API on the project workflow. */
export const registerUpdate = defineUpdate<MemberView, [RegisterInput]>('register');
export const retireUpdate = defineUpdate<MemberView, [RetireInput]>('retire');
/** Who am I: checks name + token without changing anything (queries never enter history). */
export const whoamiQuery = defineQuery<Checked<MemberView>, [{ name: string; token: string }]>('whoami');
export const membersQuery = defineQuery<MemberView[], [ListMembersInput?]>('members');
export const memberQuery = defineQuery<MemberView | null, [{ name: string }]>('member');

/**
 * Internal, for pattern workflows (through a worker activity): the token hashes of the named members
 * and of every human, so a pattern workflow can check who reports or approves synchronously in its own
 * update validators. Only hashes leave the directory, never tokens.
 */
export interface MemberCredential {
  name: string;
  kind: MemberKind;
  trusted: boolean;
  retired: boolean;
  tokenHash: string;
}
export const memberCredentialsQuery = defineQuery<MemberCredential[], [{ names: string[] }]>('memberCredentials');
/** Internal, `workflow` actor only: a pattern accepted a done step or approved a review (trust, issue 7). */
export const recordSuccessUpdate = defineUpdate<MemberView, [{ actor: Actor }]>('recordSuccess');
