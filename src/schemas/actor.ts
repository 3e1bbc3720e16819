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

export const Token = z.string().min(16, 'is not a Baton token; use the one `baton register` printed (or BATON_TOKEN)').max(200, 'is too long to be a Baton token');

/**
 * Who is calling. Members (agents and humans) prove who they are with the token from registration.
 * Worker activities acting for a pattern workflow use the internal `workflow` actor; the CLI and the
 * MCP server never construct it (see the threat model in the README).
 */
export const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('member'), name: MemberName, token: Token }),
  z.object({ kind: z.literal('workflow'), workflowId: z.string().min(1).max(500), onBehalfOf: MemberName }),
]);
export type Actor = z.infer<typeof Actor>;

/** The member an actor acts as. */
export const actingAs = (actor: Actor): string => (actor.kind === 'member' ? actor.name : actor.onBehalfOf);
