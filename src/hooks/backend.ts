/**
 * What the hook runner needs from Baton, as an interface the CLI fills in (with the Baton server's HTTP
 * client) and tests fill in with an in-memory fake. Three calls, each answered for the member the hook
 * acts as (the caller's own reservations never conflict):
 * - check(paths): who else holds these paths exclusively;
 * - reserve(paths, reason): take free paths (for --auto-reserve);
 * - attention(): what the agent has not been shown yet. The server keeps the "shown" marks: an item is
 *   returned once, so a hook that prints what it gets shows each item once.
 * A failure is thrown as a BatonError (UNAVAILABLE or TIMEOUT when the server cannot be reached,
 * NOT_FOUND for an unknown project, UNAUTHORIZED for a refused token); the runner turns it into "not
 * checked" (or a refusal under BATON_HOOKS_OFFLINE=block), never a stack trace.
 */
import { z } from 'zod';
import type { CheckResult, Conflict, ReserveResult } from '../schemas/reservations';
import type { Program } from './protocol';

export const HolderState = z.enum(['active', 'idle', 'retired']);

/** One lease that stands in the way of one touched path. */
export const HookConflict = z.object({
  /** The repo-relative path the agent is about to touch. */
  path: z.string(),
  holder: z.string(),
  /** The reserved pattern (a path, a directory or a glob). */
  pattern: z.string(),
  /** ISO time. */
  expiresAt: z.string(),
  reason: z.string(),
  /** Which rule made the pattern cover the path, when the server says (e.g. "pkg also covers pkg/**"). */
  rule: z.string().optional(),
  reservationId: z.string().optional(),
  /** A retired or idle holder will not answer a message: the report then says a human can force-release. */
  holderState: HolderState.optional(),
});
export type HookConflict = z.infer<typeof HookConflict>;

export const CheckAnswer = z.object({
  conflicts: z.array(HookConflict),
  /** Paths the caller holds already, when the server says; auto-reserve skips them. */
  held: z.array(z.string()).optional(),
});
export type CheckAnswer = z.infer<typeof CheckAnswer>;

export const ReserveAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('granted'), patterns: z.array(z.string()), expiresAt: z.string().optional() }),
  z.object({ status: z.literal('conflict'), conflicts: z.array(HookConflict) }),
]);
export type ReserveAnswer = z.infer<typeof ReserveAnswer>;

export const AttentionKind = z.enum(['mail', 'handoff', 'decision', 'lease-expiring', 'lease-expired']);

/** Something the agent should see once: urgent or ack-required mail, a handoff, an answered decision, a lease running out. */
export const AttentionItem = z.object({
  id: z.string(),
  kind: AttentionKind,
  /** One line: who and what, e.g. `AmberFalcon: "Auth API ready"`. */
  summary: z.string(),
  /** The command that deals with it, e.g. `baton read m-12` or `baton renew r-7 --ttl 1h`. */
  action: z.string().optional(),
  urgent: z.boolean().optional(),
});
export type AttentionItem = z.infer<typeof AttentionItem>;

export interface HookBackend {
  check(paths: string[]): Promise<CheckAnswer>;
  reserve(paths: string[], reason: string): Promise<ReserveAnswer>;
  attention(): Promise<AttentionItem[]>;
}

/** Where the hook runs: what a backend factory needs to find the project, the member and the server. */
export interface HookContext {
  program: Program;
  /** The repository root (or the session's cwd outside a repository). */
  dir: string;
  env: NodeJS.ProcessEnv;
}

export type HookBackendFactory = (context: HookContext) => HookBackend | Promise<HookBackend>;

/**
 * A backend built on its first call, so a hook that needs no backend (a tool that edits nothing) never
 * pays for it, and a factory that fails (no credentials, not wired) fails like any backend call would.
 */
export function lazyBackend(create: () => HookBackend | Promise<HookBackend>): HookBackend {
  let backend: Promise<HookBackend> | undefined;
  const get = () => (backend ??= Promise.resolve().then(create));
  return {
    check: async (paths) => (await get()).check(paths),
    reserve: async (paths, reason) => (await get()).reserve(paths, reason),
    attention: async () => (await get()).attention(),
  };
}

/** One server Conflict as the runner's: `path` is what was asked about, `pattern` the lease in the way. */
function hookConflict(path: string, c: Conflict): HookConflict {
  // rule and holderState are the lease-semantics work's additions to Conflict; taken when present.
  const extra = c as Conflict & { rule?: string; holderState?: z.infer<typeof HolderState> };
  return {
    path,
    holder: c.holder,
    pattern: c.heldPattern,
    expiresAt: c.expiresAt,
    reason: c.reason,
    reservationId: c.reservationId,
    ...(extra.rule ? { rule: extra.rule } : {}),
    ...(extra.holderState ? { holderState: extra.holderState } : {}),
  };
}

/**
 * The check endpoint's answer (`POST /v1/projects/:p/reservations/check` with `exclusive: true`) as the
 * runner's conflicts: exclusive leases only, one entry per touched path and lease.
 */
export function conflictsFromCheckResult(result: CheckResult): HookConflict[] {
  return result.results.flatMap((r) => r.conflicts.filter((c) => c.exclusive).map((c) => hookConflict(r.target, c)));
}

/** The reserve endpoint's answer (`POST /v1/projects/:p/reservations`) as the runner's: what was taken and until when. */
export function reserveAnswerFromResult(result: ReserveResult): ReserveAnswer {
  if (result.status === 'conflict') return { status: 'conflict', conflicts: result.conflicts.map((c) => hookConflict(c.pattern, c)) };
  const soonest = result.reservations.map((r) => r.expiresAt).sort()[0];
  return { status: 'granted', patterns: result.reservations.map((r) => r.pattern), ...(soonest ? { expiresAt: soonest } : {}) };
}
