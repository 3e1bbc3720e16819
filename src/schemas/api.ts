import { z } from 'zod';
import { ProjectKey } from '../domain/ids';
import { MemberName } from './actor';
import { AgentProfile, ListMembersInput } from './agents';
import { AlertsFilter } from './alerts';
import { ContactInput, InboxFilter, MessageId, SendRequest, ThreadId, WaitInput } from './messages';
import { ClaimInput, PostMortemInput } from '../patterns/emergency-response/messages';
import { IntroduceInput } from '../patterns/onboarding/messages';
import { ApproveInput, CancelInput, DoneInput, FailInput, ProgressInput, RejectInput, ReviewInput } from './patterns';
import { ProjectSettings, SettingsPatch } from './project';
import { AuditInput, Cursor, CheckRequest as CheckRequestBody, ForceReleaseRequest, ListReservationsInput, ReleaseRequest, RenewInput, ReserveInput } from './reservations';

/**
 * The Baton server's HTTP API: request bodies and query strings, derived from the same schemas the
 * workflows validate, so an error reads the same through the server, the CLI and MCP. Identity never
 * travels in a body: it comes from the bearer token (`Authorization: Bearer bt_...`), and a body that
 * names an actor, a token or a reporting member is refused (src/api/route.ts).
 */

/** Body fields that would name who acts; the server refuses them with its own error. */
export const IDENTITY_FIELDS = ['actor', 'token', 'tokenHash', 'agent', 'approver', 'by', 'asAgent', 'as'] as const;

/** `?flag=true` in a query string. */
const QueryBool = z.stringbool({ truthy: ['true', '1', 'yes'], falsy: ['false', '0', 'no'] });
const QueryInt = (schema: z.ZodNumber) => z.coerce.number().pipe(schema);

// --- projects ------------------------------------------------------------------------------------

export const ProjectParams = z.object({ project: ProjectKey });

/** `baton init`: create a project with its first human (a key that ended needs `replace` and a human of it). */
export const InitProjectRequest = z.object({
  project: ProjectKey,
  human: MemberName,
  settings: ProjectSettings.partial().optional(),
  /** Re-create a key whose project ended; the bearer token must be a human's of the ended project. */
  replace: z.boolean().default(false),
});
export type InitProjectRequest = z.input<typeof InitProjectRequest>;

/** Shutdown is confirmed by repeating the project key, so a slip of the keyboard ends nothing. */
export const ShutdownRequest = z.object({
  reason: z.string().trim().min(1, 'must not be empty; say why the project ends').max(500),
  confirm: z.string({ error: 'is required: repeat the project key to confirm' }),
});
export const SettingsRequest = SettingsPatch;

// --- members -------------------------------------------------------------------------------------

export const RegisterRequest = AgentProfile;
export const InviteRequest = z.object({ name: MemberName });
export const MemberParams = ProjectParams.extend({ name: MemberName });
/** A page of members: the answer is the array; `X-Baton-Next` (and a `Link: rel="next"`) carries the next page's cursor. */
export const MembersQuery = z.object({
  kind: z.enum(['agent', 'human']).optional(),
  all: QueryBool.optional(),
  limit: QueryInt(ListMembersInput.shape.limit.unwrap() as z.ZodNumber).optional(),
  after: Cursor.optional(),
});

// --- reservations --------------------------------------------------------------------------------

export const ReserveRequest = ReserveInput.omit({ actor: true });
export type ReserveRequest = z.input<typeof ReserveRequest>;
export { ReleaseRequest, ForceReleaseRequest };
export type ReleaseRequestInput = z.input<typeof ReleaseRequest>;
export type ForceReleaseRequestInput = z.input<typeof ForceReleaseRequest>;
export const RenewRequest = RenewInput.omit({ actor: true });
export type RenewRequest = z.input<typeof RenewRequest>;
/** The caller's own leases never conflict: the server fills `asAgent` from the token (a body naming it is refused). */
export const CheckRequest = CheckRequestBody;
export type CheckRequest = z.input<typeof CheckRequest>;
export const ReservationsQuery = z.object({ holder: MemberName.optional(), limit: QueryInt(ListReservationsInput.shape.limit.unwrap() as z.ZodNumber).optional(), after: Cursor.optional() });
export const AuditQuery = z.object({ holder: MemberName.optional(), limit: QueryInt(AuditInput.shape.limit.unwrap() as z.ZodNumber).optional(), after: Cursor.optional() });

// --- messages ------------------------------------------------------------------------------------

export { SendRequest };
export const ReplyRequest = z.object({
  body: SendRequest.shape.body,
  subject: SendRequest.shape.subject.optional(),
  all: z.boolean().default(false),
  importance: SendRequest.shape.importance,
  ackRequired: SendRequest.shape.ackRequired,
  idempotencyKey: SendRequest.shape.idempotencyKey,
});
export type ReplyRequest = z.input<typeof ReplyRequest>;
export const MessageParams = ProjectParams.extend({ messageId: MessageId });
export const ThreadParams = ProjectParams.extend({ thread: ThreadId });
/** The inbox filter as a query string, plus the push: `wait` seconds for new mail after `afterSeq`. */
export const InboxQuery = z.object({
  unread: QueryBool.optional(),
  urgent: QueryBool.optional(),
  thread: ThreadId.optional(),
  since: z.string().optional(),
  limit: QueryInt(InboxFilter.shape.limit.unwrap() as z.ZodNumber).optional(),
  wait: QueryInt(WaitInput.shape.timeoutSeconds).optional(),
  afterSeq: QueryInt(z.number().int().min(0)).optional(),
});
export const OutboxQuery = z.object({ limit: QueryInt(z.number().int().min(1).max(500)).optional() });
export const ContactRequestBody = ContactInput.omit({ actor: true });
export const ContactApproveBody = ContactInput.omit({ actor: true, note: true });

// --- patterns ------------------------------------------------------------------------------------

/** A pattern run: `/patterns/<pattern>/<id>` (the last two parts of its workflow id). */
export const RunParams = ProjectParams.extend({
  pattern: z.string().regex(/^[a-z-]{1,40}$/, 'is not a pattern name'),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,119}$/, 'is not a pattern run id'),
});
export const StartRequest = z.object({
  pattern: z.string().min(1, 'name the pattern (`baton patterns --help` lists them)'),
  plan: z.record(z.string(), z.unknown()),
});
export type StartRequest = z.input<typeof StartRequest>;
export const PatternsQuery = z.object({ running: QueryBool.optional(), limit: QueryInt(z.number().int().min(1).max(500)).optional() });
export const ProgressRequest = ProgressInput.omit({ agent: true });
export const DoneRequest = DoneInput.omit({ agent: true });
export const FailRequest = FailInput.omit({ agent: true });
export const ReviewRequest = z.object({
  verdict: z.enum(['approve', 'request_changes']),
  required: z.array(z.string()).default([]),
  suggestions: z.array(z.string()).default([]),
  summary: z.string().optional(),
});
/** Checked whole (with the reviewer) by ReviewInput, so the rule on required comments reads the same. */
export const reviewInput = (agent: string, body: z.output<typeof ReviewRequest>) => ReviewInput.parse({ agent, ...body });
/**
 * `decisionId`: the decision the human saw (the status gives it); when another one is pending by the
 * time the answer arrives, the answer is refused with CONFLICT and the current question.
 */
const DecisionRef = { decisionId: z.string().trim().min(1).max(64).optional() };
export const ApproveRequest = ApproveInput.omit({ approver: true }).extend(DecisionRef);
export const RejectRequest = RejectInput.omit({ approver: true }).extend(DecisionRef);
export const CancelRequest = CancelInput.omit({ by: true });
export const ClaimRequest = ClaimInput.omit({ agent: true });
export const PostMortemRequest = PostMortemInput.omit({ agent: true });
export const IntroduceRequest = IntroduceInput.omit({ by: true });
export const AlertsQuery = z.object({ all: QueryBool.optional(), kind: AlertsFilter.shape.kind.optional(), agent: MemberName.optional() });

/** GET /healthz, what `baton doctor` shows: the Temporal server, its search attributes, whether a worker polls. */
export interface Health {
  ok: true;
  temporal: { address: string; namespace: string; version: string };
  taskQueue: string;
  /** Workers polling Baton's task queue for workflow tasks right now (0: nothing runs the workflows). */
  workers: number;
  missingSearchAttributes: string[];
}
