import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type { ListMembersInput, MemberView, RegisterInput, RetireInput } from '../../schemas/agents';

/** The agent directory's message API on the project workflow. */
export const registerUpdate = defineUpdate<MemberView, [RegisterInput]>('register');
export const retireUpdate = defineUpdate<MemberView, [RetireInput]>('retire');
/** Who am I: checks name + token without changing anything (queries never enter history). */
export const whoamiQuery = defineQuery<Checked<MemberView>, [{ name: string; token: string }]>('whoami');
export const membersQuery = defineQuery<MemberView[], [ListMembersInput?]>('members');
export const memberQuery = defineQuery<MemberView | null, [{ name: string }]>('member');
