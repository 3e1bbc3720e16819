import { parseInput } from '../domain/validation';
import { BatonError } from '../domain/errors';
import { MemberActor, member as memberActor } from '../schemas/actor';
import { AgentProfile, InviteHumanInput, ListMembersInput, RegisterInput, RetireInput, RotateTokenInput, TokenHash, type MemberPage, type MemberView, type Registration, type RetiredMember, type TokenOwner } from '../schemas/agents';
import { inviteHumanUpdate, memberPageQuery, memberQuery, registerUpdate, retireUpdate, rotateTokenUpdate, tokenOwnerQuery, whoamiQuery } from '../workflows/project/directory-api';
import { newToken } from './tokens';
import type { ProjectChannel } from './project';

export type { Registration };

/**
 * Registration, identity and the member list of one project. Tokens are made here (in the Baton
 * server, or an operator's process) and only their hashes go to the workflow.
 */
export class AgentsClient {
  constructor(private readonly channel: ProjectChannel) {}

  /** Register an agent: a memorable name (or the one asked for) and a token shown once. */
  async register(profile: AgentProfile): Promise<Registration> {
    const { token, tokenHash } = newToken('agent');
    const input = parseInput(RegisterInput, { ...parseInput(AgentProfile, profile, 'registration'), tokenHash }, 'registration');
    const member = await this.channel.update(registerUpdate, input);
    return { member, token };
  }

  /** A human invites another human; the new human's token is shown once (they `baton login` with it). */
  async inviteHuman(actor: MemberActor, name: string): Promise<Registration> {
    const { token, tokenHash } = newToken('human');
    const member = await this.channel.update(inviteHumanUpdate, parseInput(InviteHumanInput, { actor, name, tokenHash }, 'invitation'));
    return { member, token };
  }

  /** A new token for `name` (one's own, or anyone's by a human); the old one stops working at once. */
  async rotateToken(actor: MemberActor, name: string): Promise<Registration> {
    const target = await this.get(name);
    const { token, tokenHash } = newToken(target.kind);
    const member = await this.channel.update(rotateTokenUpdate, parseInput(RotateTokenInput, { actor, name, tokenHash }, 'token rotation'));
    return { member, token };
  }

  /** The member behind a verified actor (UNAUTHORIZED when retired or at a stale epoch). */
  whoami(actor: MemberActor | string): Promise<MemberView> {
    const me = typeof actor === 'string' ? memberActor(actor) : parseInput(MemberActor, actor, 'actor');
    return this.channel.checkedQuery(whoamiQuery, { actor: me });
  }

  /** For the Baton server: who a token hash belongs to (null when nobody's). */
  tokenOwner(tokenHash: string): Promise<TokenOwner | null> {
    return this.channel.query(tokenOwnerQuery, { tokenHash: parseInput(TokenHash, tokenHash, 'tokenHash') });
  }

  /** Members in registration order: every page (at most `limit` members in all). */
  async list(filter: ListMembersInput = {}): Promise<MemberView[]> {
    const wanted = parseInput(ListMembersInput, filter, 'member filter');
    const members: MemberView[] = [];
    let after = wanted.after;
    do {
      const page = await this.page({ ...wanted, limit: wanted.limit - members.length, ...(after === undefined ? {} : { after }) });
      members.push(...page.members);
      after = page.next;
    } while (after !== undefined && members.length < wanted.limit);
    return members;
  }

  /** One page of members (at most `limit`, and ~1 MB); `next` continues (pass it as `after`). */
  page(filter: ListMembersInput = {}): Promise<MemberPage> {
    return this.channel.checkedQuery(memberPageQuery, parseInput(ListMembersInput, filter, 'member filter'));
  }

  async get(name: string): Promise<MemberView> {
    const m = await this.channel.query(memberQuery, { name });
    if (!m) throw new BatonError('NOT_FOUND', `No member named "${name}" in project ${this.channel.project}; \`baton agents\` lists who is here.`);
    return m;
  }

  /** Retires a member; its leases are released and listed in the answer. */
  retire(actor: MemberActor, name: string): Promise<RetiredMember> {
    return this.channel.update(retireUpdate, parseInput(RetireInput, { actor, name }, 'retire request'));
  }
}
