import type { MemberView, Registration, AgentProfile, RetiredMember } from '../schemas/agents';

/** A page of members as the HTTP API gives it (the array, and the next page's cursor from the headers). */
export interface MemberPage {
  members: MemberView[];
  next?: string;
}
import type { AlertsView } from '../schemas/alerts';
import type { AttentionView } from '../schemas/attention';
import type { CheckRequest, Health, ForceReleaseRequestInput, InitProjectRequest, ReleaseRequestInput, RenewRequest, ReplyRequest, ReserveRequest } from '../schemas/api';
import type { ClaimResult, IncidentView } from '../patterns/emergency-response/messages';
import type { ContactRequest, ContactsView, InboxFilter, InboxItem, InboxPage, OutboxItem, SendRequest, SendResult, ThreadView, WaitResult } from '../schemas/messages';
import type { OnboardingView } from '../patterns/onboarding/messages';
import type { NotificationsView, SinkRequest, SinkView } from '../schemas/notifications';
import type { ApprovalView, HandoffNote, PatternStatus, ReportAck } from '../schemas/patterns';
import type { ProjectDescription, ProjectEnded, ProjectSettings, SettingsPatch } from '../schemas/project';
import type { AuditTrail, CheckResult, ForceReleaseResult, ReleaseResult, RenewResult, ReservationList, ReserveResult } from '../schemas/reservations';
import { BatonError } from '../domain/errors';
import { Transport, type TransportOptions } from './transport';

export { Transport, type TransportOptions } from './transport';

/** A pattern run as the visibility store lists it (GET /patterns). */
export interface PatternListing {
  workflowId: string;
  pattern: string;
  title: string;
  status: string;
  step: string;
  waitingFor: string[];
  needsHuman: boolean;
  startedAt: string;
}

/** What an approval or a rejection answers: which decision it was, and whether the run took it yet. */
export interface DecisionAnswer {
  workflowId: string;
  decided: boolean;
  decision: { id: string; step: string; question: string };
  state: string;
  step?: string;
}

export interface StartedRun {
  workflowId: string;
  runId: string;
  pattern: string;
  title: string;
}

/**
 * Baton's HTTP client: everything an agent, a human, the CLI, the git guard and the agent hooks do,
 * through the Baton server (the only door; README, "Trust model"). The caller's identity is the
 * transport's bearer token. Every failure is a BatonError with the server's code and message.
 *
 *   const api = new BatonApi({ baseUrl: 'http://127.0.0.1:7300', token: process.env.BATON_TOKEN });
 *   await api.project('acme/web').reservations.reserve({ patterns: ['src/a.ts'], reason: 'fix' });
 */
export class BatonApi {
  readonly transport: Transport;

  constructor(options: TransportOptions | Transport) {
    this.transport = options instanceof Transport ? options : new Transport(options);
  }

  /** Create a project with its first human; the answer holds that human's token (shown once). */
  initProject(request: InitProjectRequest): Promise<Registration & { project: string; replaced: boolean }> {
    return this.transport.request('POST', '/v1/projects', { body: request });
  }

  project(key: string): ProjectApi {
    return new ProjectApi(this.transport, key);
  }

  health(): Promise<Health> {
    return this.transport.request('GET', '/healthz', { timeoutMs: 5000 });
  }
}

type Query = Record<string, string | number | boolean | undefined>;

class Scope {
  constructor(
    protected readonly http: Transport,
    readonly key: string,
  ) {}

  protected path(rest = ''): string {
    return `/v1/projects/${encodeURIComponent(this.key)}${rest}`;
  }

  protected get<T>(rest: string, query?: Query, timeoutMs?: number, signal?: AbortSignal): Promise<T> {
    return this.http.request('GET', this.path(rest), { query, timeoutMs, signal });
  }

  protected post<T>(rest: string, body: unknown = {}): Promise<T> {
    return this.http.request('POST', this.path(rest), { body });
  }
}

/** One project through the Baton server. */
export class ProjectApi extends Scope {
  readonly agents = new AgentsApi(this.http, this.key);
  readonly reservations = new ReservationsApi(this.http, this.key);
  readonly messages = new MessagesApi(this.http, this.key);
  readonly patterns = new PatternsApi(this.http, this.key);
  readonly notifications = new NotificationsApi(this.http, this.key);

  describe(): Promise<ProjectDescription> {
    return this.get('');
  }

  /** A no-op update through the project workflow: the round trip every other call costs at least. */
  ping(): Promise<{ pong: true; at: number }> {
    return this.post('/ping');
  }

  updateSettings(patch: SettingsPatch): Promise<ProjectSettings> {
    return this.http.request('PATCH', this.path('/settings'), { body: patch });
  }

  /** Humans only; `confirm` must repeat the project key. */
  shutdown(reason: string, confirm: string): Promise<ProjectEnded> {
    return this.post('/shutdown', { reason, confirm });
  }

  alerts(filter: { all?: boolean; kind?: string; agent?: string } = {}): Promise<AlertsView> {
    return this.get('/alerts', filter);
  }
}

export class AgentsApi extends Scope {
  register(profile: AgentProfile): Promise<Registration> {
    return this.post('/agents', profile);
  }

  inviteHuman(name: string): Promise<Registration> {
    return this.post('/humans', { name });
  }

  whoami(): Promise<MemberView> {
    return this.get('/members/me');
  }

  /** One page of members (the server's default page: at most ~1 MB); `page()` also gives the next page's cursor. */
  list(filter: { kind?: 'agent' | 'human'; all?: boolean; limit?: number; after?: string } = {}): Promise<MemberView[]> {
    return this.get('/members', filter);
  }

  /** A page of members and the cursor of the next (`after`), from the answer's X-Baton-Next header. */
  async page(filter: { kind?: 'agent' | 'human'; all?: boolean; limit?: number; after?: string } = {}): Promise<MemberPage> {
    let next: string | undefined;
    const members = await this.http.request<MemberView[]>('GET', this.path('/members'), {
      query: filter,
      onHeaders: (headers) => {
        const value = headers['x-baton-next'];
        if (typeof value === 'string' && value) next = value;
      },
    });
    return next === undefined ? { members } : { members, next };
  }

  rotateToken(name: string): Promise<Registration> {
    return this.post(`/members/${encodeURIComponent(name)}/token`);
  }

  /** Retires a member (yourself; a human may retire anyone); its leases are released and listed. */
  retire(name: string): Promise<RetiredMember> {
    return this.post(`/members/${encodeURIComponent(name)}/retire`);
  }
}

export class ReservationsApi extends Scope {
  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.post('/reservations', request);
  }

  release(request: ReleaseRequestInput): Promise<ReleaseResult> {
    return this.post('/reservations/release', request);
  }

  renew(request: RenewRequest): Promise<RenewResult> {
    return this.post('/reservations/renew', request);
  }

  check(request: CheckRequest): Promise<CheckResult> {
    return this.post('/reservations/check', request);
  }

  forceRelease(request: ForceReleaseRequestInput): Promise<ForceReleaseResult> {
    return this.post('/reservations/force-release', request);
  }

  /** A page of active reservations, oldest first; `next` → `after` continues. */
  list(filter: { holder?: string; limit?: number; after?: string } = {}): Promise<ReservationList> {
    return this.get('/reservations', filter);
  }

  /** A page of the audit trail (newest page first, each oldest first); `next` → `after` goes further back. */
  audit(filter: { holder?: string; limit?: number; after?: string } = {}): Promise<AuditTrail> {
    return this.get('/reservations/audit', filter);
  }
}

export class MessagesApi extends Scope {
  send(request: SendRequest): Promise<SendResult> {
    return this.post('/messages', request);
  }

  broadcast(request: Omit<SendRequest, 'to' | 'cc' | 'broadcast'>): Promise<SendResult> {
    return this.post('/messages', { ...request, broadcast: true });
  }

  reply(messageId: string, request: ReplyRequest): Promise<SendResult> {
    return this.post(`/messages/${encodeURIComponent(messageId)}/reply`, request);
  }

  inbox(filter: InboxFilter = {}): Promise<InboxPage> {
    return this.get('/inbox', filterQuery(filter));
  }

  /**
   * Push: answers as soon as matching mail arrives, or with timedOut after `timeoutSeconds`. Aborting
   * `signal` closes the connection, and the server ends the wait in the mailbox (it keeps no place).
   */
  wait(request: { filter?: InboxFilter; afterSeq?: number; timeoutSeconds: number; signal?: AbortSignal }): Promise<WaitResult> {
    return this.get('/inbox', { ...filterQuery(request.filter ?? {}), wait: request.timeoutSeconds, afterSeq: request.afterSeq }, (request.timeoutSeconds + 30) * 1000, request.signal);
  }

  /** What you have not been shown yet, each item once (GET /attention; what the agent hooks print). */
  attention(options: { timeoutMs?: number } = {}): Promise<AttentionView> {
    return this.get('/attention', undefined, options.timeoutMs);
  }

  message(messageId: string): Promise<InboxItem | OutboxItem> {
    return this.get(`/messages/${encodeURIComponent(messageId)}`);
  }

  read(messageId: string): Promise<InboxItem> {
    return this.post(`/messages/${encodeURIComponent(messageId)}/read`);
  }

  ack(messageId: string): Promise<InboxItem> {
    return this.post(`/messages/${encodeURIComponent(messageId)}/ack`);
  }

  outbox(options: { limit?: number } = {}): Promise<OutboxItem[]> {
    return this.get('/outbox', options);
  }

  thread(thread: string): Promise<ThreadView> {
    return this.get(`/threads/${encodeURIComponent(thread)}`);
  }

  contacts(): Promise<ContactsView> {
    return this.get('/contacts');
  }

  requestContact(name: string, note?: string): Promise<ContactRequest> {
    return this.post('/contacts/requests', { name, note });
  }

  approveContact(name: string): Promise<ContactsView> {
    return this.post('/contacts/approvals', { name });
  }
}

const filterQuery = (f: InboxFilter): Query => ({ unread: f.unread, urgent: f.urgent, thread: f.thread, since: f.since === undefined ? undefined : String(f.since), limit: f.limit });

/**
 * A pattern run as a URL path, from a full workflow id (`baton/<project>/<pattern>/<id>`, of this
 * project: another project's run is refused, not looked up here), the short form `<pattern>/<id>`, or
 * a bare id of the `fallback` pattern (`baton claim payments-1a2b3c`). A pattern's alias
 * (`handoff/docs-1a2b`) goes to the server as written: the server's PatternsClient.workflowId turns it
 * into the pattern's name (the registry is not loaded here, so the hooks' bundle stays without zod).
 */
function runPath(project: string, ref: string, fallback?: string): string {
  const trimmed = ref.trim();
  if (trimmed.startsWith('baton/') && !trimmed.startsWith(`baton/${project}/`)) {
    throw new BatonError('INVALID_INPUT', `workflow: ${trimmed} is not a pattern run of project ${project}; a member acts only in its own project (with the CLI, --project names the project).`);
  }
  const parts = trimmed.split('/').filter(Boolean);
  const [pattern, id] = parts.length === 1 && fallback ? [fallback, parts[0]] : parts.slice(-2);
  return `/patterns/${encodeURIComponent(pattern ?? '')}/${encodeURIComponent(id ?? '')}`;
}

export class PatternsApi extends Scope {
  start(pattern: string, plan: Record<string, unknown>): Promise<StartedRun> {
    return this.post('/patterns', { pattern, plan });
  }

  list(options: { running?: boolean; limit?: number } = {}): Promise<PatternListing[]> {
    return this.get('/patterns', options);
  }

  approvals(): Promise<ApprovalView[]> {
    return this.get('/approvals');
  }

  status(ref: string): Promise<PatternStatus> {
    return this.get(runPath(this.key, ref));
  }

  progress(ref: string, note: string): Promise<ReportAck> {
    return this.post(`${runPath(this.key, ref)}/progress`, { note });
  }

  done(ref: string, report: { summary: string; handoff?: Partial<HandoffNote> }): Promise<ReportAck> {
    return this.post(`${runPath(this.key, ref)}/done`, report);
  }

  fail(ref: string, reason: string): Promise<ReportAck> {
    return this.post(`${runPath(this.key, ref)}/fail`, { reason });
  }

  review(ref: string, review: { verdict: 'approve' | 'request_changes'; required?: string[]; suggestions?: string[]; summary?: string }): Promise<ReportAck> {
    return this.post(`${runPath(this.key, ref)}/review`, review);
  }

  /** `decisionId`: the decision the human saw (`approvals`); without it, the one pending now. */
  approve(ref: string, comment?: string, decisionId?: string): Promise<DecisionAnswer> {
    return this.post(`${runPath(this.key, ref)}/approve`, { comment, decisionId });
  }

  reject(ref: string, reason: string, decisionId?: string): Promise<DecisionAnswer> {
    return this.post(`${runPath(this.key, ref)}/reject`, { reason, decisionId });
  }

  cancel(ref: string, reason: string): Promise<{ status: PatternStatus; ended: boolean }> {
    return this.post(`${runPath(this.key, ref)}/cancel`, { reason });
  }

  claim(ref: string, note?: string): Promise<ClaimResult> {
    return this.post(`${runPath(this.key, ref, 'emergency-response')}/claim`, { note });
  }

  postMortem(ref: string, pm: { summary: string; rootCause: string; learnings: string[]; followUps?: string[] }): Promise<{ workflowId: string; accepted: true; message: string }> {
    return this.post(`${runPath(this.key, ref, 'emergency-response')}/post-mortem`, pm);
  }

  incident(ref: string): Promise<IncidentView> {
    return this.get(`${runPath(this.key, ref, 'emergency-response')}/incident`);
  }

  introduce(ref: string, text: string): Promise<{ workflowId: string; accepted: true; message: string }> {
    return this.post(`${runPath(this.key, ref, 'onboarding')}/introduce`, { text });
  }

  onboarding(ref: string): Promise<OnboardingView> {
    return this.get(`${runPath(this.key, ref, 'onboarding')}/onboarding`);
  }
}

/** A human's notification sinks (webhook, Slack, desktop) in one project. */
export class NotificationsApi extends Scope {
  view(): Promise<NotificationsView> {
    return this.get('/notifications');
  }

  add(sink: SinkRequest): Promise<SinkView> {
    return this.post('/notifications/sinks', sink);
  }

  remove(id: string): Promise<SinkView> {
    return this.http.request('DELETE', this.path(`/notifications/sinks/${encodeURIComponent(id)}`));
  }

  test(id?: string): Promise<{ queued: number }> {
    return this.post('/notifications/test', id ? { id } : {});
  }
}
