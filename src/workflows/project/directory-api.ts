import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type { InviteHumanInput, ListMembersInput, MemberKind, MemberPage, MemberView, RegisterInput, RetireInput, RetiredMember, RotateTokenInput, TokenOwner } from '../../schemas/agents';
import type { Actor, MemberActor } from '../../schemas/actor';

/**
 * The agent directory's message API on the project workflow. Its callers are the Baton server (which
 * verified the member's bearer token) and Baton's worker; no token reaches the workflow, only the
 * SHA-256 hashes of new tokens (README, "Trust model").
 */
export const registerUpdate = defineUpdate<MemberView, [RegisterInput]>('register');
export const inviteHumanUpdate = defineUpdate<MemberView, [InviteHumanInput]>('inviteHuman');
export const rotateTokenUpdate = defineUpdate<MemberView, [RotateTokenInput]>('rotateToken');
export const retireUpdate = defineUpdate<RetiredMember, [RetireInput]>('retire');
/** Who am I: the member behind a verified actor (refuses a stale epoch, like every update). */
export const whoamiQuery = defineQuery<Checked<MemberView>, [{ actor: MemberActor }]>('whoami');
/** The first page of members (callers from before pages); memberPage answers with the cursor. */
export const membersQuery = defineQuery<MemberView[], [ListMembersInput?]>('members');
export const memberPageQuery = defineQuery<Checked<MemberPage>, [ListMembersInput?]>('memberPage');
export const memberQuery = defineQuery<MemberView | null, [{ name: string }]>('member');
/** For the Baton server's authentication: the member a token hash belongs to (hashes only, never tokens). */
export const tokenOwnerQuery = defineQuery<TokenOwner | null, [{ tokenHash: string }]>('tokenOwner');

/**
 * Internal, for pattern workflows (through a worker activity): kind, trust and status of the named
 * members and of every human, so a pattern can check who may report or decide in its own handlers.
 * (The name stays `memberCredentials` so recorded histories keep replaying; it carries no hashes.)
 */
export interface MemberCredential {
  name: string;
  kind: MemberKind;
  trusted: boolean;
  retired: boolean;
}
export const memberCredentialsQuery = defineQuery<MemberCredential[], [{ names: string[] }]>('memberCredentials');
/** Internal, `workflow` actor only: a pattern accepted a done step or approved a review (trust). */
export const recordSuccessUpdate = defineUpdate<MemberView, [{ actor: Actor }]>('recordSuccess');
