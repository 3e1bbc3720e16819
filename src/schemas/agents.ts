import { z } from 'zod';
import { Actor, MemberActor, MemberName } from './actor';
import { Reservation } from './reservations';

export const ContactPolicy = z.enum(['open', 'auto', 'contacts_only', 'block_all']);
export type ContactPolicy = z.infer<typeof ContactPolicy>;

export const MemberKind = z.enum(['agent', 'human']);
export type MemberKind = z.infer<typeof MemberKind>;

const shortText = (what: string, max: number) => z.string().trim().min(1, `must not be empty; say which ${what}`).max(max, `must be at most ${max} characters`);

/** SHA-256 (hex) of a token the Baton server generated; the token itself never reaches a workflow. */
export const TokenHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/** What an agent says about itself when it registers (the Baton server's request body). */
export const AgentProfile = z.object({
  /** Ask for a specific name; omit to get a generated adjective+noun name. */
  name: MemberName.optional(),
  program: shortText('program (e.g. claude-code, codex, cursor)', 64).optional(),
  model: shortText('model', 64).optional(),
  task: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  contactPolicy: ContactPolicy.default('auto'),
});
export type AgentProfile = z.input<typeof AgentProfile>;

/**
 * The directory's `register` update: agents only. Humans are created with the project
 * (`baton init`) or invited by a human (InviteHumanInput); nobody becomes a human by asking first.
 */
export const RegisterInput = AgentProfile.extend({ tokenHash: TokenHash });
export type RegisterInput = z.input<typeof RegisterInput>;

/**
 * A human adds another human (who then logs in with the printed token). `actor` accepts a pattern
 * workflow's actor too, so the directory refuses it as FORBIDDEN ("only a human"), as every other
 * human-only action does, rather than as malformed input.
 */
export const InviteHumanInput = z.object({ actor: Actor, name: MemberName, tokenHash: TokenHash });
export type InviteHumanInput = z.input<typeof InviteHumanInput>;

/** A new token for a member (its own, or any member's by a human); the old one stops working at once. */
export const RotateTokenInput = z.object({ actor: MemberActor, name: MemberName, tokenHash: TokenHash });
export type RotateTokenInput = z.input<typeof RotateTokenInput>;

export const TrustLevel = z.enum(['new', 'trusted']);
export type TrustLevel = z.infer<typeof TrustLevel>;

export const MemberStatus = z.enum(['active', 'idle', 'retired']);
export type MemberStatus = z.infer<typeof MemberStatus>;

/** What anyone in the project may see about a member (never the token hash). */
export const MemberView = z.object({
  name: z.string(),
  kind: MemberKind,
  program: z.string().optional(),
  model: z.string().optional(),
  task: z.string().optional(),
  contactPolicy: ContactPolicy,
  contacts: z.array(z.string()),
  status: MemberStatus,
  registeredAt: z.string(),
  lastActiveAt: z.string(),
  successfulTasks: z.number().int(),
  trust: TrustLevel,
  /** Who invited this human (humans only; the project's founder has none). */
  invitedBy: z.string().optional(),
});
export type MemberView = z.infer<typeof MemberView>;

/** A registration's answer: the member and its token, shown once (Baton keeps only its hash). */
export const Registration = z.object({ member: MemberView, token: z.string() });
export type Registration = z.infer<typeof Registration>;

/**
 * The answer to a retirement: the member, and the leases that went with it (released, in the audit
 * trail as releases "retired by ..."). Empty in projects whose run predates that rule.
 */
export const RetiredMember = MemberView.extend({ released: z.array(Reservation) });
export type RetiredMember = z.infer<typeof RetiredMember>;

/** Agents retire themselves; a human may retire anyone. Pattern workflows never retire anyone. */
export const RetireInput = z.object({ actor: MemberActor, name: MemberName });
export type RetireInput = z.input<typeof RetireInput>;

/**
 * Members in registration order, a page at a time: at most `limit`, and at most ~1 MB of answer
 * (src/domain/page.ts); `next` of a page, passed back as `after`, continues.
 */
export const ListMembersInput = z.object({
  kind: MemberKind.optional(),
  includeRetired: z.boolean().default(false),
  limit: z.number().int().min(1).max(10_000).default(10_000),
  /** The `next` of the previous page. */
  after: z.string().trim().min(1, 'must not be empty').max(200, 'is not a cursor: pass the `next` of the previous page').optional(),
});
export type ListMembersInput = z.input<typeof ListMembersInput>;

export interface MemberPage {
  /** Members matching the filter (all pages). */
  total: number;
  members: MemberView[];
  /** Cursor of the next page (pass as `after`); absent on the last page. */
  next?: string;
}

/**
 * What the Baton server learns from a token hash: who it belongs to and the credential epoch to pass
 * along (MemberActor.epoch). Retired members still resolve, so the server can say "retired".
 */
export const TokenOwner = z.object({ name: z.string(), kind: MemberKind, epoch: z.number().int(), retired: z.boolean() });
export type TokenOwner = z.infer<typeof TokenOwner>;
