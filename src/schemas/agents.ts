import { z } from 'zod';
import { Actor, MemberName } from './actor';

export const ContactPolicy = z.enum(['open', 'auto', 'contacts_only', 'block_all']);
export type ContactPolicy = z.infer<typeof ContactPolicy>;

export const MemberKind = z.enum(['agent', 'human']);
export type MemberKind = z.infer<typeof MemberKind>;

const shortText = (what: string, max: number) => z.string().trim().min(1, `must not be empty; say which ${what}`).max(max, `must be at most ${max} characters`);

export const RegisterInput = z.object({
  kind: MemberKind.default('agent'),
  /** Ask for a specific name; omit to get a generated adjective+noun name. */
  name: MemberName.optional(),
  program: shortText('program (e.g. claude-code, codex, cursor)', 64).optional(),
  model: shortText('model', 64).optional(),
  task: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  contactPolicy: ContactPolicy.default('auto'),
  /** SHA-256 (hex) of the token the client generated; the token itself never reaches the server. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
  /** A registered human who vouches for a new human (needed once the project has a human). */
  invitedBy: Actor.optional(),
});
export type RegisterInput = z.input<typeof RegisterInput>;

export const TrustLevel = z.enum(['new', 'trusted']);
export type TrustLevel = z.infer<typeof TrustLevel>;

export const MemberStatus = z.enum(['active', 'idle', 'retired']);
export type MemberStatus = z.infer<typeof MemberStatus>;

/** What anyone may see about a member (never the token hash). */
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
});
export type MemberView = z.infer<typeof MemberView>;

export const RetireInput = z.object({ actor: Actor, name: MemberName });
export type RetireInput = z.input<typeof RetireInput>;

export const WhoamiInput = z.object({ name: MemberName, token: z.string() });

export const ListMembersInput = z.object({
  kind: MemberKind.optional(),
  includeRetired: z.boolean().default(false),
});
export type ListMembersInput = z.input<typeof ListMembersInput>;
