import { createHmac, randomBytes } from 'node:crypto';
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
// The cookie plugin's request and reply methods (registered in ./plugin.ts).
import type {} from '@fastify/cookie';
import type { BatonClient } from '../../client';
import { SessionsClient } from '../../client/sessions';
import { BatonError } from '../../domain/errors';
import { ProjectKey } from '../../domain/ids';
import { trimMap } from '../../domain/messages/bounded';
import { parseInput } from '../../domain/validation';
import { member } from '../../schemas/actor';
import { LoginRequest, MAX_SESSION_PROJECTS, SessionClaims, type SessionMember, type SessionView } from '../../schemas/console';
import type { Authenticator, Caller } from '../auth';

export const SESSION_COOKIE = 'baton_session';
/** Before sign-in: the id the sign-in form's CSRF token is bound to (signed, http-only, short-lived). */
export const SIGNIN_COOKIE = 'baton_signin';

export interface SessionOptions {
  /** BATON_SESSION_SECRET's keys: the first signs, all verify. */
  keys: string[];
  /** How long a sign-in lasts (BATON_SESSION_HOURS, default 12). */
  hours: number;
  /** The public address (BATON_PUBLIC_URL), also accepted as Origin of state-changing requests. */
  publicUrl?: string;
  /** A running session is believed for this long before its workflow is asked again (ms). */
  activeCacheMs?: number;
  /** A signed-in member is believed for this long before the directory is asked again (ms). */
  memberCacheMs?: number;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Console sign-in for humans: a human's token once, then an http-only, SameSite=Strict session
 * cookie with an expiry, signed with the servers' shared keys (any Baton server verifies it with no
 * memory of its own). Revocation is durable and shared: each sign-in is a small workflow that runs
 * until it expires or its human signs out (src/workflows/session/session.ts), and every server checks
 * that it still runs (cached for `activeCacheMs`). The cookie names the member and the credential
 * epoch seen at sign-in, never the token: a rotated token or a retirement ends the session too.
 *
 * CSRF: every state-changing request made with the cookie needs `X-CSRF-Token`, a token bound to the
 * session id (@fastify/csrf: salted HMAC, compared in constant time) whose secret is derived from the
 * signing key and never leaves the server; sign-in itself uses one bound to a pre-session id. An
 * Origin header, when sent, must be this server's. Agents' tokens are refused at sign-in.
 */
export class ConsoleSessions {
  private readonly tokens = new Tokens({ userInfo: true, hmacKey: 'baton-console-csrf' });
  private readonly sessions: SessionsClient;
  private readonly active = new Map<string, number>();
  private readonly members = new Map<string, number>();

  constructor(
    private readonly baton: BatonClient,
    private readonly auth: Authenticator,
    private readonly options: SessionOptions,
  ) {
    this.sessions = new SessionsClient(baton.temporal, baton.config.taskQueue);
  }

  /** True when the request carries a session cookie (the server then authenticates with it). */
  has(request: FastifyRequest): boolean {
    return Boolean(request.cookies?.[SESSION_COOKIE]);
  }

  /** The verified claims of the request's session cookie (signature, shape, expiry), if any. */
  claims(request: FastifyRequest): SessionClaims | undefined {
    const raw = request.cookies?.[SESSION_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return undefined;
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = SessionClaims.safeParse(decoded);
    if (!parsed.success || parsed.data.exp <= Date.now()) return undefined;
    return parsed.data;
  }

  /**
   * The caller of an API request made with the session cookie, for `project`: the session must be
   * valid and running, signed in to that project, its member still a human at that epoch; a
   * state-changing request needs the CSRF token (and a matching Origin, when one is sent).
   */
  async callerFor(request: FastifyRequest, rawProject: string): Promise<Caller> {
    const project = parseInput(ProjectKey, rawProject, 'project');
    const claims = this.claims(request);
    if (!claims) throw new BatonError('UNAUTHORIZED', 'Your console session has expired or is not valid; sign in again at /login (or send `Authorization: Bearer <token>`).', { reason: 'session' });
    if (UNSAFE.has(request.method)) this.checkCsrf(request, claims.sid);
    const signedIn = claims.members.find((m) => m.project === project);
    if (!signedIn) throw new BatonError('FORBIDDEN', `Your console session is not signed in to project ${project}; sign in to it with a human token of that project.`, { reason: 'session-project' });
    await this.requireActive(claims.sid);
    await this.requireHuman(signedIn);
    return { project, name: signedIn.name, kind: 'human', epoch: signedIn.epoch, tokenHash: `session:${claims.sid}` };
  }

  /** For read-only console endpoints (the live stream): a running session, whatever the project. */
  async requireSession(request: FastifyRequest): Promise<SessionClaims> {
    const claims = this.claims(request);
    if (!claims) throw new BatonError('UNAUTHORIZED', 'Your console session has expired or is not valid; sign in again.', { reason: 'session' });
    await this.requireActive(claims.sid);
    return claims;
  }

  /** Checks the session's member of `project` again (rotation, retirement) within memberCacheMs. */
  async requireMember(claims: SessionClaims, project: string): Promise<SessionMember> {
    const signedIn = claims.members.find((m) => m.project === project);
    if (!signedIn) throw new BatonError('FORBIDDEN', `Your console session is not signed in to project ${project}.`, { reason: 'session-project' });
    await this.requireHuman(signedIn);
    return signedIn;
  }

  /** GET /console/session: who is signed in (if anyone) and a CSRF token for the next change. */
  async view(request: FastifyRequest, reply: FastifyReply, extra: Pick<SessionView, 'temporalUi'>): Promise<SessionView> {
    const claims = this.claims(request);
    if (claims && (await this.sessions.isActive(claims.sid))) {
      return { signedIn: true, members: claims.members, expiresAt: new Date(claims.exp).toISOString(), csrfToken: this.csrfToken(claims.sid), ...extra };
    }
    if (claims || request.cookies?.[SESSION_COOKIE]) this.clearSession(reply);
    return { signedIn: false, members: [], csrfToken: this.csrfToken(this.signinId(request, reply)), ...extra };
  }

  /**
   * Sign in to a project with a human's token (POST /console/session). A second project joins the
   * running session (one cookie, several projects); the same project again replaces its member.
   */
  async login(request: FastifyRequest, reply: FastifyReply, body: unknown, extra: Pick<SessionView, 'temporalUi'>): Promise<SessionView> {
    const existing = this.claims(request);
    const current = existing && (await this.sessions.isActive(existing.sid)) ? existing : undefined;
    this.checkCsrf(request, current?.sid ?? this.signinIdOf(request) ?? '');
    const { project, token } = parseInput(LoginRequest, body, 'sign-in');
    const caller = await this.auth.verify(project, `Bearer ${token}`);
    if (caller.kind !== 'human') {
      throw new BatonError('FORBIDDEN', `That is ${caller.name}'s token, an agent's: the console is for humans. Agents work through the CLI or MCP; a human signs in with the token \`baton init\` or \`baton invite\` printed.`, { reason: 'agent-token' });
    }
    const signedIn: SessionMember = { project, name: caller.name, epoch: caller.epoch };
    let claims: SessionClaims;
    if (current) {
      const members = [...current.members.filter((m) => m.project !== project), signedIn];
      if (members.length > MAX_SESSION_PROJECTS) throw new BatonError('INVALID_STATE', `A console session holds at most ${MAX_SESSION_PROJECTS} projects; sign out first.`);
      claims = { ...current, members };
    } else {
      const sid = randomBytes(24).toString('base64url');
      const exp = Date.now() + this.options.hours * 3_600_000;
      await this.sessions.start(sid, caller.name, new Date(exp));
      claims = { v: 1, sid, exp, members: [signedIn] };
    }
    this.members.set(memberKey(signedIn), Date.now());
    reply.setCookie(SESSION_COOKIE, Buffer.from(JSON.stringify(claims)).toString('base64url'), { ...this.cookieOptions(), maxAge: Math.max(1, Math.floor((claims.exp - Date.now()) / 1000)), signed: true });
    reply.clearCookie(SIGNIN_COOKIE, { path: '/' });
    return { signedIn: true, members: claims.members, expiresAt: new Date(claims.exp).toISOString(), csrfToken: this.csrfToken(claims.sid), ...extra };
  }

  /** Sign-out (DELETE /console/session): ends the session workflow, so every server refuses it. */
  async logout(request: FastifyRequest, reply: FastifyReply): Promise<{ signedOut: boolean }> {
    const claims = this.claims(request);
    if (!claims) {
      this.clearSession(reply);
      return { signedOut: false };
    }
    this.checkCsrf(request, claims.sid);
    const ended = await this.sessions.revoke(claims.sid, claims.members[0]!.name);
    this.active.delete(claims.sid);
    this.clearSession(reply);
    return { signedOut: ended !== undefined };
  }

  // --- checks --------------------------------------------------------------------------------------

  private checkCsrf(request: FastifyRequest, id: string): void {
    const origin = request.headers.origin;
    if (origin !== undefined && !this.sameOrigin(request, origin)) {
      throw new BatonError('FORBIDDEN', `Cross-site request refused: Origin ${origin} is not this Baton server.`, { reason: 'csrf' });
    }
    const header = request.headers['x-csrf-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token || !id || !this.options.keys.some((key) => this.tokens.verify(csrfSecret(key, id), token, id))) {
      throw new BatonError('FORBIDDEN', `${token ? 'Invalid' : 'Missing'} CSRF token: a change made with the console's session cookie needs the X-CSRF-Token header the console got from GET /console/session. Reload the page.`, { reason: 'csrf' });
    }
  }

  private sameOrigin(request: FastifyRequest, origin: string): boolean {
    if (origin === `${request.protocol}://${request.host}`) return true;
    if (!this.options.publicUrl) return false;
    try {
      return new URL(this.options.publicUrl).origin === origin;
    } catch {
      return false;
    }
  }

  private async requireActive(sid: string): Promise<void> {
    const at = this.active.get(sid);
    if (at !== undefined && Date.now() - at < (this.options.activeCacheMs ?? 2_000)) return;
    if (!(await this.sessions.isActive(sid))) {
      this.active.delete(sid);
      throw new BatonError('UNAUTHORIZED', 'This console session has ended (signed out or expired); sign in again.', { reason: 'session-ended' });
    }
    this.active.set(sid, Date.now());
    trimMap(this.active, 10_000);
  }

  /** The member is still a human of the project at the epoch of the sign-in (whoami refuses a stale one). */
  private async requireHuman(m: SessionMember): Promise<void> {
    const key = memberKey(m);
    const at = this.members.get(key);
    if (at !== undefined && Date.now() - at < (this.options.memberCacheMs ?? 30_000)) return;
    try {
      const view = await this.baton.project(m.project).agents.whoami(member(m.name, m.epoch));
      if (view.kind !== 'human') throw new BatonError('FORBIDDEN', `${m.name} is not a human of project ${m.project}.`);
    } catch (err) {
      this.members.delete(key);
      if (err instanceof BatonError && err.code === 'UNAUTHORIZED') {
        throw new BatonError('UNAUTHORIZED', `${m.name}'s token for project ${m.project} was replaced or retired since you signed in: sign in again with the current token.`, { reason: 'stale-credential' });
      }
      throw err;
    }
    this.members.set(key, Date.now());
    trimMap(this.members, 10_000);
  }

  // --- cookies and tokens ----------------------------------------------------------------------------

  private csrfToken(id: string): string {
    return this.tokens.create(csrfSecret(this.options.keys[0]!, id), id);
  }

  private signinIdOf(request: FastifyRequest): string | undefined {
    const raw = request.cookies?.[SIGNIN_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  }

  private signinId(request: FastifyRequest, reply: FastifyReply): string {
    const known = this.signinIdOf(request);
    if (known) return known;
    const id = randomBytes(18).toString('base64url');
    reply.setCookie(SIGNIN_COOKIE, id, { ...this.cookieOptions(), maxAge: 3600, signed: true });
    return id;
  }

  private cookieOptions() {
    return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: 'auto' as const };
  }

  private clearSession(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}

/** The CSRF secret of one session: derived from the signing key, so no server stores it. */
const csrfSecret = (key: string, id: string) => createHmac('sha256', key).update(`csrf\u0000${id}`).digest('base64url');

const memberKey = (m: SessionMember) => `${m.project}\u0000${m.name.toLowerCase()}\u0000${m.epoch}`;
