import { randomBytes } from 'node:crypto';
import { hashToken } from '../domain/agents/token-hash';
import { parseInput } from '../domain/validation';
import { ListMembersInput, RegisterInput, RetireInput, type MemberView } from '../schemas/agents';
import { WhoamiInput } from '../schemas/agents';
import type { Actor } from '../schemas/actor';
import { membersQuery, memberQuery, registerUpdate, retireUpdate, whoamiQuery } from '../workflows/project/directory-api';
import { BatonError } from '../domain/errors';
import type { ProjectChannel } from './project';

export interface Registration {
  member: MemberView;
  /** Secret proving this identity in later calls. Shown once; Baton keeps only its hash. */
  token: string;
}

export type RegisterRequest = Omit<RegisterInput, 'tokenHash'>;

/** Registration, identity and the member list of one project. */
export class AgentsClient {
  constructor(private readonly channel: ProjectChannel) {}

  async register(request: RegisterRequest): Promise<Registration> {
    const token = `bt_${randomBytes(24).toString('base64url')}`;
    const input = parseInput(RegisterInput, { ...request, tokenHash: hashToken(token) }, 'registration');
    const member = await this.channel.update(registerUpdate, input);
    return { member, token };
  }

  /** Check a name + token pair and return the member (UNAUTHORIZED when the token is wrong). */
  whoami(name: string, token: string): Promise<MemberView> {
    return this.channel.checkedQuery(whoamiQuery, parseInput(WhoamiInput, { name, token }, 'identity'));
  }

  list(filter: ListMembersInput = {}): Promise<MemberView[]> {
    return this.channel.query(membersQuery, parseInput(ListMembersInput, filter, 'member filter'));
  }

  async get(name: string): Promise<MemberView> {
    const m = await this.channel.query(memberQuery, { name });
    if (!m) throw new BatonError('NOT_FOUND', `No member named "${name}" in project ${this.channel.project}; \`baton agents\` lists who is here.`);
    return m;
  }

  retire(actor: Actor, name: string): Promise<MemberView> {
    return this.channel.update(retireUpdate, parseInput(RetireInput, { actor, name }, 'retire request'));
  }
}
