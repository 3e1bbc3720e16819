import type { BatonClient, BatonProjectClient } from '../client';
import { BatonError } from '../domain/errors';
import type { Actor } from '../schemas/actor';
import type { MemberView } from '../schemas/agents';

export interface SessionIdentity {
  name: string;
  token: string;
}

/**
 * Who one MCP connection acts as, in which project. The stdio server has one session (identity from
 * BATON_AGENT/BATON_TOKEN or `--as`); the HTTP server has one per MCP session, so several agents share
 * a server without sharing an identity. Tools never take a name or token as an argument except
 * `register` and `login`, which prove it (the token is checked against the directory), so a session
 * cannot act as another agent.
 */
export class McpSession {
  private projectKey?: string;
  private me?: SessionIdentity;

  constructor(
    readonly baton: BatonClient,
    options: { project?: string; identity?: SessionIdentity } = {},
  ) {
    this.projectKey = options.project;
    this.me = options.identity;
  }

  get projectName(): string | undefined {
    return this.projectKey;
  }

  get identity(): SessionIdentity | undefined {
    return this.me;
  }

  /** Switch project (register/login may name one); forgets the identity, which belongs to a project. */
  useProject(project: string | undefined): void {
    if (project === undefined || project === this.projectKey) return;
    this.baton.project(project); // validates the key before the session changes
    this.projectKey = project;
    this.me = undefined;
  }

  project(): BatonProjectClient {
    if (!this.projectKey) {
      throw new BatonError('INVALID_INPUT', 'project: this MCP session has no project; pass `project` to register or login, or start the server with BATON_PROJECT / --project.');
    }
    return this.baton.project(this.projectKey);
  }

  /** The member actor for calls that act: fails with a hint when nobody has registered or logged in. */
  actor(): Extract<Actor, { kind: 'member' }> {
    if (!this.me) {
      throw new BatonError(
        'UNAUTHORIZED',
        'Who are you? Call the `register` tool first (or `login` with the name and token from an earlier registration), or start the server with BATON_AGENT and BATON_TOKEN.',
      );
    }
    return { kind: 'member', name: this.me.name, token: this.me.token };
  }

  /** The session's name, if it has one (for reads that leave out one's own reservations). */
  get name(): string | undefined {
    return this.me?.name;
  }

  /** Prove an identity: the directory checks the token before the session adopts it. */
  async login(name: string, token: string): Promise<MemberView> {
    const member = await this.project().agents.whoami(name, token);
    this.me = { name: member.name, token };
    return member;
  }

  adopt(identity: SessionIdentity): void {
    this.me = identity;
  }
}
