import type { ProjectSettings } from '../../schemas/project';
import type { Actor } from '../../schemas/actor';
import type { LeaseFact } from '../../domain/alerts/rules';
import type { Importance, NoticeTag } from '../../schemas/messages';
import type { HolderState, Reservation } from '../../schemas/reservations';
import type { NotificationEvent } from '../../schemas/notifications';
import type { ProjectOperations } from './operations';
import type { CarriedSizes } from './carried/budget';

/**
 * The project workflow is one execution per project that owns several pieces of state (reservations,
 * the agent directory, ...). Each piece is a module with its own handlers and its own carried state;
 * the workflow body only schedules durable wake-ups and continues-as-new. Modules talk to each other
 * through the small ports below, never by reaching into each other's state.
 */
export interface ProjectModule {
  /** Key of this module's state in the continue-as-new input. */
  readonly name: string;
  /** Install this module's update/query/signal handlers. Called once per run, before any await. */
  register(): void;
  /** JSON-serialisable state to carry into the next run. */
  snapshot(): unknown;
  /** Workflow time (ms) at which this module next needs to act (e.g. the earliest lease expiry). */
  nextWakeAt?(): number | undefined;
  /** Called when workflow time reaches or passes nextWakeAt (also after the worker was down). */
  onWake?(now: number): void;
  /** Bytes of each carried section this module owns (carried/budget.ts), for `describe` and the check at continue-as-new. */
  carriedBytes?(): CarriedSizes;
  /** Readable summary for the `describe` query. */
  describe?(): unknown;
  /** Work to finish before the run continues-as-new (after new updates are refused). */
  beforeContinueAsNew?(): Promise<void>;
}

/** What the agent directory offers other modules. */
export interface DirectoryPort {
  /** True for registered, not retired humans. */
  isHuman(name: string): boolean;
  /**
   * Checks a verified Actor (src/schemas/actor.ts): members must be registered, not retired, and at
   * the epoch the Baton server saw; `workflow` actors (Baton's worker) act for an existing member.
   * Returns the canonical name of the member acted for; throws an ApplicationFailure otherwise.
   */
  authenticateActor(actor: Actor): string;
  /** A human in person (never a workflow actor): returns the name or throws FORBIDDEN naming `what`. */
  requireHuman(actor: Actor, what: string): string;
  /** True when a member of that name is registered (or a settings human). */
  exists(name: string): boolean;
  /** Send a system message (from Baton) to members; no contact policy applies. Retired members are skipped. */
  notify(to: string[], message: { subject: string; body: string; importance?: 'low' | 'normal' | 'high' | 'urgent'; notice?: NoticeTag }): void;
  /** Where a member stands (retired, idle by the project's idleAfterSeconds, or active); undefined for an unknown name. */
  memberState(name: string): HolderState | undefined;
  /** Record activity of a member (call from update handlers only, never validators). */
  touch(name: string): void;
  /** Record a successful task for trust (accepted handoff, approved review). */
  recordSuccess?(name: string): void;
}

/** What the reservation book offers other modules. */
export interface ReservationsPort {
  /** True when `a` and `b` hold reservations whose patterns overlap (used by the `auto` contact policy). */
  holdOverlapping(a: string, b: string): boolean;
  /** Unexpired leases (holder, pattern, since when): what the alerts module scans for silent work and hoarding. */
  activeLeases(now: number): LeaseFact[];
  leaseCount(): number;
  /**
   * Releases every lease of a member who is being retired (by `by`: the member or a human), recorded in
   * the audit trail as releases with the reason; returns them. Nobody else is told: a retired member
   * reads no mail, and whoever waits for the files finds them free.
   */
  releaseForRetirement(holder: string, by: string): Reservation[];
  /**
   * Which of `patterns` the holder's own active leases already cover whole (exact glob coverage,
   * src/domain/reservations/coverage.ts: a held `src/api/**` covers `src/api/users.ts`), and the held
   * patterns that do: what a pattern step's agent already has, so the step reserves only the rest.
   * For an `exclusive` request only the holder's exclusive leases count. `overlapping`: the patterns of
   * all the holder's leases that share a path with one of `patterns` (what it still holds over them).
   */
  ownCoverage(holder: string, patterns: string[], exclusive: boolean, now: number): { covered: string[]; by: string[]; overlapping: string[] };
}

/** What the notifications module offers other modules (src/workflows/project/notifications.ts). */
export interface NotificationsPort {
  /** A message was recorded for `recipients`: urgent ones, and notices carrying an event, may notify humans. */
  onMessage(message: { id: string; from: string; subject: string; importance: Importance }, recipients: string[], event?: NotificationEvent): void;
  /** Something the named humans should hear about (an alert). */
  raise(event: NotificationEvent, to: string[]): void;
}

export interface ProjectContext {
  readonly project: string;
  /** Current settings (humans may change them; read them at use, never keep a copy). */
  readonly settings: ProjectSettings;
  /** Ask the main loop to recompute the next wake-up (e.g. after a grant with an earlier expiry). */
  wake(): void;
  /** Where modules declare their updates (each also reachable inside a batch: group commit). */
  readonly operations: ProjectOperations;
  directory: DirectoryPort;
  reservations: ReservationsPort;
  notifications: NotificationsPort;
}
