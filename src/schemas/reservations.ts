import { z } from 'zod';
import { Actor, MemberName } from './actor';
import { DEFAULT_TTL_SECONDS, MAX_PATTERN_LENGTH } from '../domain/reservations/policy';

/**
 * The reservation API's messages. Patterns are only checked for shape here; the hoarding guard and
 * glob syntax (src/domain/reservations/policy.ts) run in the validators and the client with the same
 * messages.
 */
export const MAX_PATTERNS_PER_CALL = 200;
export const MAX_REASON_LENGTH = 280;

export const Pattern = z.string().max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters; reserve just the files you are about to edit`);
export const ReservationId = z.string().trim().min(1, 'must not be empty').max(64, 'is not a reservation id');
const Reason = z
  .string()
  .trim()
  .min(1, 'is required: say what you are about to do (e.g. "fix login redirect")')
  .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);
const Ttl = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .positive('must be positive (it is clamped to 60 s .. 1 year)');
const Patterns = z
  .array(Pattern)
  .min(1, 'must name at least one file or glob')
  .max(MAX_PATTERNS_PER_CALL, `at most ${MAX_PATTERNS_PER_CALL} patterns per call; reserve fewer files or use a glob`);
const Ids = z.array(ReservationId).min(1, 'must name at least one reservation id').max(1000, 'at most 1,000 ids per call');

export const Reservation = z.object({
  id: z.string(),
  project: z.string(),
  holder: z.string(),
  pattern: z.string(),
  exclusive: z.boolean(),
  reason: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  requestId: z.string().optional(),
  /** The pattern workflow that reserved on the holder's behalf. */
  via: z.string().optional(),
});
export type Reservation = z.infer<typeof Reservation>;

export const ReserveInput = z.object({
  actor: Actor,
  patterns: Patterns,
  exclusive: z.boolean().default(true),
  /** Clamped to 60 s .. 1 year; the answer's `clampedTtl` says when it was. */
  ttlSeconds: Ttl.default(DEFAULT_TTL_SECONDS),
  reason: Reason,
  /** Idempotency key: a retried reserve with the same id gets the first answer back. */
  requestId: z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  /** A human's override of the hoarding guard. */
  allowBroad: z.boolean().default(false),
});
export type ReserveInput = z.input<typeof ReserveInput>;

/**
 * Where a lease's holder stands in the directory: `idle` (no sign of life for the project's
 * idleAfterSeconds) and `retired` holders will not answer a message, so a conflict report says a human
 * can force-release instead of only "ask them".
 */
export const HolderState = z.enum(['active', 'idle', 'retired']);
export type HolderState = z.infer<typeof HolderState>;

export const Conflict = z.object({
  /** The requested pattern (or checked path). */
  pattern: z.string(),
  holder: z.string(),
  heldPattern: z.string(),
  exclusive: z.boolean(),
  expiresAt: z.string(),
  reason: z.string(),
  reservationId: z.string(),
  /** A path both the requested pattern (or checked path) and the held pattern cover. */
  example: z.string(),
  /**
   * Why they overlap, in words, e.g. "codex/skills covers everything under it (a path without an
   * extension is a directory), including codex/skills/a.sh" or "src/*.ts matches src/a.ts".
   */
  rule: z.string(),
  /** Present when the holder is idle or retired (see HolderState): a human can force-release. */
  holderState: HolderState.exclude(['active']).optional(),
});
export type Conflict = z.infer<typeof Conflict>;

export const ClampedTtl = z.object({ requestedSeconds: z.number(), appliedSeconds: z.number() });
export type ClampedTtl = z.infer<typeof ClampedTtl>;

/** A conflict is an ordinary answer (nothing was reserved), not a failure. */
export const ReserveResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('granted'), reservations: z.array(Reservation), clampedTtl: ClampedTtl.optional() }),
  /** `omitted`: conflicts not listed (an answer lists at most 4 KiB of them, the first always). */
  z.object({ status: z.literal('conflict'), conflicts: z.array(Conflict), omitted: z.number().int().optional() }),
]);
export type ReserveResult = z.infer<typeof ReserveResult>;

const exactlyOne = (fields: string[]) => (v: Record<string, unknown>) => fields.filter((f) => v[f] !== undefined && v[f] !== false).length === 1;

/** What a member asks (the Baton server's request body); the workflow's input adds the verified actor. */
export const ReleaseRequest = z
  .object({ ids: Ids.optional(), patterns: Patterns.optional(), all: z.boolean().optional() })
  .refine(exactlyOne(['ids', 'patterns', 'all']), { message: 'say what to release: ids, patterns, or all (exactly one of them)' });
export const ReleaseInput = ReleaseRequest.safeExtend({ actor: Actor });
export type ReleaseInput = z.input<typeof ReleaseInput>;
export interface ReleaseResult {
  released: Reservation[];
  /** Released but not listed: an answer lists at most 256 KiB of reservations (the audit trail has them all). */
  omitted?: number;
}

export const RenewInput = z.object({
  actor: Actor,
  /** Omit to renew all of the actor's reservations. */
  ids: Ids.optional(),
  ttlSeconds: Ttl.default(DEFAULT_TTL_SECONDS),
});
export type RenewInput = z.input<typeof RenewInput>;
export interface RenewResult {
  renewed: Reservation[];
  /** Renewed but not listed (an answer lists at most 256 KiB of reservations). */
  omitted?: number;
  clampedTtl?: ClampedTtl;
}

/** What a member asks (the Baton server's request body); whose leases to leave out comes from the token. */
export const CheckRequest = z
  .object({
    paths: z.array(Pattern).max(1000, 'at most 1,000 paths per check').optional(),
    patterns: Patterns.optional(),
    /** Check for an exclusive reservation (default) or a shared one (shared leases then do not count). */
    exclusive: z.boolean().default(true),
  })
  .refine((v) => (v.paths?.length ?? 0) + (v.patterns?.length ?? 0) > 0, { message: 'give at least one path or pattern to check' });
export const CheckInput = CheckRequest.safeExtend({
  /** Ignore this member's own reservations (an agent never conflicts with itself). */
  asAgent: MemberName.optional(),
});
export type CheckInput = z.input<typeof CheckInput>;
export interface CheckResult {
  clear: boolean;
  /**
   * `yours`: ids of the caller's own active leases (asAgent) that cover a checked path itself; present
   * when there are some (the agent hooks' --auto-reserve skips a path the agent holds already).
   */
  results: { target: string; kind: 'path' | 'pattern'; conflicts: Conflict[]; yours?: string[] }[];
}

export const ForceReleaseRequest = z
  .object({
    ids: Ids.optional(),
    holder: MemberName.optional(),
    /** Releases every reservation (of anyone) whose pattern overlaps one of these. */
    patterns: Patterns.optional(),
    reason: Reason,
  })
  .refine(exactlyOne(['ids', 'holder', 'patterns']), { message: 'say what to force-release: ids, holder, or patterns (exactly one of them)' });
export const ForceReleaseInput = ForceReleaseRequest.safeExtend({ actor: Actor });
export type ForceReleaseInput = z.input<typeof ForceReleaseInput>;
export interface ForceReleaseResult {
  released: Reservation[];
  /** Released but not listed (an answer lists at most 256 KiB of reservations; the audit trail has them all). */
  omitted?: number;
  notified: string[];
}

/**
 * A list cursor: the `next` of the previous page, passed back as `after`. Opaque to callers (the
 * reservation list's is `<createdAt ms>.<id>`, the audit trail's the seq of the oldest entry shown).
 */
export const Cursor = z.string().trim().min(1, 'must not be empty').max(200, 'is not a cursor: pass the `next` of the previous page');

/** Active reservations, oldest first, a page at a time (at most `limit`, and at most ~1 MB: src/domain/page.ts). */
export const ListReservationsInput = z.object({
  holder: MemberName.optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
  /** Continue after this cursor (the previous page's `next`). */
  after: Cursor.optional(),
});
export type ListReservationsInput = z.input<typeof ListReservationsInput>;
export interface ReservationList {
  /** Active reservations matching the filter (all pages). */
  total: number;
  reservations: Reservation[];
  /** Cursor of the next page (pass as `after`); absent on the last page. */
  next?: string;
}

export const AuditAction = z.enum(['grant', 'extend', 'release', 'renew', 'expire', 'force-release']);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * The audit trail, most recent first a page at a time: a page is the newest `limit` entries older than
 * the cursor, listed oldest first; `next` continues further back.
 */
export const AuditInput = z.object({
  holder: MemberName.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  /** Continue with entries older than this cursor (the previous page's `next`). */
  after: Cursor.optional(),
});
export type AuditInput = z.input<typeof AuditInput>;

export interface AuditEntry {
  seq: number;
  at: string;
  action: AuditAction;
  /** Who did it (the holder, a human for force-release, `baton` for expiry). */
  by: string;
  holder: string;
  reservationIds: string[];
  /** The patterns concerned (the first 20; `count` says how many there were). */
  patterns: string[];
  count: number;
  reason?: string;
  /** The pattern workflow that acted on the holder's behalf. */
  via?: string;
}
export interface AuditTrail {
  /** Entries ever recorded; only the most recent ones are kept. */
  total: number;
  entries: AuditEntry[];
  /** Cursor of the next (older) page (pass as `after`); absent when no older entry is kept. */
  next?: string;
}
