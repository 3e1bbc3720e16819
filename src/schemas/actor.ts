import { z } from 'zod';

/**
 * A member's name as others address it: an agent's CamelCase adjective+noun name (BoldMountain) or a
 * human's name. Compared ignoring case.
 */
export const MemberName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must start with a letter and contain only letters, digits, ".", "_" or "-"');
export type MemberName = z.infer<typeof MemberName>;

/**
 * A bearer token as members present it to the Baton server: `bt_` for agents, `bh_` for humans (the
 * prefix only helps people tell them apart; the server decides by the member's kind). Tokens never
 * reach a workflow: the server hashes them and looks the hash up in the project's directory.
 */
export const Token = z
  .string()
  .trim()
  .regex(/^b[th]_[A-Za-z0-9_-]{16,200}$/, 'is not a Baton token (bt_... for agents, bh_... for humans); use the one `baton register`, `baton init` or `baton invite` printed');

/**
 * A member whose bearer token the Baton server verified. `epoch` is the member's credential epoch the
 * server saw when it verified the token: the directory raises it on every token rotation and on
 * retirement and refuses a stale one, so a token cached by any server stops working at the next call
 * (see src/api/auth.ts). Orchestrators with namespace access (the typed client) may leave it out: they
 * are operators (README, "Trust model").
 */
export const MemberActor = z.object({ kind: z.literal('member'), name: MemberName, epoch: z.number().int().min(0).optional() });
export type MemberActor = z.infer<typeof MemberActor>;

/**
 * Baton's own worker acting for a pattern workflow (reserving a step's files, sending its notices).
 * Only the worker constructs it; the Baton server never builds it from a request. It may do what an
 * agent may do for itself, never a human-only action.
 */
export const WorkflowActor = z.object({ kind: z.literal('workflow'), workflowId: z.string().min(1).max(500), onBehalfOf: MemberName });
export type WorkflowActor = z.infer<typeof WorkflowActor>;

/** Who is calling a workflow's update or query: a verified member, or a pattern workflow's worker. */
export const Actor = z.discriminatedUnion('kind', [MemberActor, WorkflowActor]);
export type Actor = z.infer<typeof Actor>;

/** The member an actor acts as. */
export const actingAs = (actor: Actor): string => (actor.kind === 'member' ? actor.name : actor.onBehalfOf);

/** A verified member, as the typed client's callers name one (the server adds the epoch it saw). */
export const member = (name: string, epoch?: number): MemberActor => (epoch === undefined ? { kind: 'member', name } : { kind: 'member', name, epoch });
