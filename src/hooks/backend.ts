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
import type { AttentionItem as ServerAttentionItem } from '../schemas/attention';
import type { CheckResult, Conflict, HolderState, ReserveResult } from '../schemas/reservations';
import type { Program } from './protocol';

/** Something the agent should see once (src/schemas/attention.ts), as much of it as the digest prints. */
export type AttentionItem = Pick<ServerAttentionItem, 'id' | 'kind' | 'summary'> & Partial<Pick<ServerAttentionItem, 'action' | 'urgent'>>;

/** What attention() answers: the items to show now, and how many more there were (left out of the digest). */
export interface AttentionAnswer {
  items: AttentionItem[];
  more?: number;
}

/**
 * One lease that stands in the way of one touched path. (Plain types, not zod: nothing here is read from
 * outside; the server's answers are typed by src/schemas, and the hook path stays free of zod.)
 */
export interface HookConflict {
  /** The repo-relative path the agent is about to touch. */
  path: string;
  holder: string;
  /** The reserved pattern (a path, a directory or a glob). */
  pattern: string;
  /** ISO time. */
  expiresAt: string;
  reason: string;
  /** Which rule made the pattern cover the path, when the server says (e.g. "pkg covers everything under it ..."). */
  rule?: string;
  reservationId?: string;
  /** A retired or idle holder will not answer a message: the report then says a human can force-release. */
  holderState?: HolderState;
}

export interface CheckAnswer {
  conflicts: HookConflict[];
  /** Paths the caller holds already, when the server says; auto-reserve skips them. */
  held?: string[];
}

export type ReserveAnswer = { status: 'granted'; patterns: string[]; expiresAt?: string } | { status: 'conflict'; conflicts: HookConflict[] };

export interface HookBackend {
  check(paths: string[]): Promise<CheckAnswer>;
  reserve(paths: string[], reason: string): Promise<ReserveAnswer>;
  attention(): Promise<AttentionAnswer>;
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
  return {
    path,
    holder: c.holder,
    pattern: c.heldPattern,
    expiresAt: c.expiresAt,
    reason: c.reason,
    reservationId: c.reservationId,
    ...(c.rule ? { rule: c.rule } : {}),
    ...(c.holderState ? { holderState: c.holderState } : {}),
  };
}

/**
 * The check endpoint's answer (`POST /v1/projects/:p/reservations/check` with `exclusive: true`) as the
 * runner's: exclusive leases only, one entry per touched path and lease, and the paths the caller holds.
 * A touched path is a file, so only a lease that covers the file itself counts (as in the git guard,
 * src/guard/check.ts): the book checks `Makefile` as a directory by its form, and a lease on all Markdown files
 * would otherwise stand in the way through `Makefile/a.md`. The example path of a conflict is the
 * touched path exactly when the lease covers it.
 */
export function checkAnswerFromResult(result: CheckResult): CheckAnswer {
  const conflicts = result.results.flatMap((r) => r.conflicts.filter((c) => c.exclusive && c.example === r.target).map((c) => hookConflict(r.target, c)));
  return { conflicts, held: result.results.filter((r) => r.yours?.length).map((r) => r.target) };
}

/** The reserve endpoint's answer (`POST /v1/projects/:p/reservations`) as the runner's: what was taken and until when. */
export function reserveAnswerFromResult(result: ReserveResult): ReserveAnswer {
  if (result.status === 'conflict') return { status: 'conflict', conflicts: result.conflicts.map((c) => hookConflict(c.pattern, c)) };
  const soonest = result.reservations.map((r) => r.expiresAt).sort()[0];
  return { status: 'granted', patterns: result.reservations.map((r) => r.pattern), ...(soonest ? { expiresAt: soonest } : {}) };
}
