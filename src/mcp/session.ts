import type { BatonClient, BatonProjectClient } from '../client';
import { BatonError } from '../domain/errors';
import { member, type MemberActor } from '../schemas/actor';
import type { MemberKind } from '../schemas/agents';

/** Who an MCP session acts as: a member the Baton server verified (by bearer token, or by `register`). */
export interface SessionMember {
  name: string;
  kind: MemberKind;
  epoch: number;
}

/**
 * One MCP session on the Baton server: a project and, once known, the member it acts as. The
 * identity is fixed by the bearer token the session was opened with (verified by the server like
 * every request) or by the `register` tool of an anonymous session; tools never take a name or a
 * token as an argument, so a session cannot act as anyone else.
 */
export class McpSession {
  private me?: SessionMember;

  constructor(
    readonly baton: BatonClient,
    readonly projectKey: string,
    identity?: SessionMember,
  ) {
    this.me = identity;
  }

  get projectName(): string {
    return this.projectKey;
  }

  get identity(): SessionMember | undefined {
    return this.me;
  }

  project(): BatonProjectClient {
    return this.baton.project(this.projectKey);
  }

  /** The verified member for calls that act: fails with a hint when nobody is identified. */
  actor(): MemberActor {
    if (!this.me) {
      throw new BatonError(
        'UNAUTHORIZED',
        'Who are you? Call the `register` tool first, or open the session with your token (`Authorization: Bearer <token>`; `baton mcp` sends the identity BATON_AGENT/BATON_TOKEN or --as picks).',
      );
    }
    return member(this.me.name, this.me.epoch);
  }

  /** The session's name, if it has one. */
  get name(): string | undefined {
    return this.me?.name;
  }

  /** After `register`: the session acts as the new agent (only an anonymous session may register). */
  adopt(identity: SessionMember): void {
    if (this.me) throw new BatonError('INVALID_STATE', `This session already acts as ${this.me.name}; open a new session to register another agent.`);
    this.me = identity;
  }
}
