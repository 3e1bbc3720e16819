import { hashToken } from '../domain/agents/token-hash';
import { BatonError } from '../domain/errors';
import { ProjectKey } from '../domain/ids';
import { parseInput } from '../domain/validation';
import { Token, member, type MemberActor } from '../schemas/actor';
import type { MemberKind, TokenOwner } from '../schemas/agents';
import type { BatonClient } from '../client';

/** A member whose bearer token the server verified, for one request. */
export interface Caller {
  project: string;
  name: string;
  kind: MemberKind;
  epoch: number;
  tokenHash: string;
}

export const actorOf = (caller: Caller): MemberActor => member(caller.name, caller.epoch);

interface Entry {
  owner: TokenOwner | null;
  at: number;
}

/**
 * Maps bearer tokens to members: SHA-256 of the token, looked up in the project's directory
 * (`tokenOwner` query, which sees only hashes). Answers are cached per server (positive and negative,
 * `ttlMs`), and stay correct across a fleet of servers without any shared cache: every call carries
 * the epoch the server saw, and the directory refuses a stale one (a rotated token or a retired
 * member), which evicts the entry here (`evictStale`). A server also evicts at once on rotations and
 * retirements it handles itself.
 */
export class Authenticator {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly baton: BatonClient,
    private readonly options: { ttlMs: number; maxEntries: number } = { ttlMs: 60_000, maxEntries: 20_000 },
  ) {}

  /** The member behind `Authorization: Bearer <token>` in `project`; UNAUTHORIZED otherwise. */
  async verify(rawProject: unknown, authorization: string | undefined, claimedName?: string): Promise<Caller> {
    const project = parseInput(ProjectKey, rawProject, 'project');
    const token = bearer(authorization);
    const tokenHash = hashToken(token);
    const owner = await this.owner(project, tokenHash);
    if (!owner) {
      throw new BatonError('UNAUTHORIZED', `This token belongs to no member of project ${project}: it was replaced (\`baton rotate-token\`), belongs to another project, or was mistyped. \`baton whoami\` shows who a saved identity is.`);
    }
    if (owner.retired) throw new BatonError('UNAUTHORIZED', `${owner.name} is retired in project ${project}; register again to get a new identity.`);
    if (claimedName !== undefined && claimedName.toLowerCase() !== owner.name.toLowerCase()) {
      // X-Baton-Member names who the client believes it is: a token saved under the wrong name must
      // not silently act as someone else.
      throw new BatonError('UNAUTHORIZED', `This token is ${owner.name}'s, not ${claimedName}'s; pick the identity with --as (or BATON_AGENT/BATON_TOKEN) consistently.`);
    }
    return { project, name: owner.name, kind: owner.kind, epoch: owner.epoch, tokenHash };
  }

  /** A call was refused for a stale epoch or a retirement: forget what this server believed. */
  evictStale(caller: Caller): void {
    this.cache.delete(key(caller.project, caller.tokenHash));
  }

  /** After a rotation or retirement this server carried out: forget every entry of that member. */
  evictMember(project: string, name: string): void {
    const lower = name.toLowerCase();
    for (const [k, entry] of this.cache) if (k.startsWith(`${project}\u0000`) && entry.owner?.name.toLowerCase() === lower) this.cache.delete(k);
  }

  /** After a project ended or was replaced: its members' tokens answer from the workflow again. */
  evictProject(project: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${project}\u0000`)) this.cache.delete(k);
  }

  private async owner(project: string, tokenHash: string): Promise<TokenOwner | null> {
    const k = key(project, tokenHash);
    const hit = this.cache.get(k);
    if (hit && Date.now() - hit.at < this.options.ttlMs) return hit.owner;
    const client = this.baton.project(project);
    const owner = await client.agents.tokenOwner(tokenHash);
    if (owner) {
      // An ended project's workflow still answers queries from its final state, so its tokens still
      // resolve: such a project says who ended it instead (reads and the guard's checks included).
      // Checked when a token is looked up, so a project ended elsewhere says so within `ttlMs`.
      const state = await client.state();
      if (state.status !== 'running') throw client.channel.absent(state);
    }
    this.cache.delete(k);
    this.cache.set(k, { owner, at: Date.now() });
    // Map keeps insertion order: the first entries are the oldest.
    while (this.cache.size > this.options.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return owner;
  }
}

const key = (project: string, tokenHash: string) => `${project}\u0000${tokenHash}`;

function bearer(authorization: string | undefined): string {
  if (!authorization) {
    throw new BatonError('UNAUTHORIZED', 'Who are you? Send `Authorization: Bearer <token>` (the token `baton register`, `baton init` or `baton invite` printed; the CLI sends the one --as/BATON_AGENT/BATON_TOKEN picks).');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new BatonError('UNAUTHORIZED', 'The Authorization header must be `Bearer <token>`.');
  const parsed = Token.safeParse(match[1]);
  if (!parsed.success) throw new BatonError('UNAUTHORIZED', `The bearer token ${parsed.error.issues[0]?.message ?? 'is malformed'}.`);
  return parsed.data;
}
