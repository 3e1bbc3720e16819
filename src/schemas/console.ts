import { z } from 'zod';
import { ProjectKey } from '../domain/ids';
import { MemberName, Token } from './actor';
import type { MemberView } from './agents';
import type { Alert } from './alerts';
import type { InboxItem } from './messages';
import type { NotificationsView } from './notifications';
import type { PatternStatus, TimelineEntry } from './patterns';
import type { Reservation } from './reservations';


/**
 * The humans' console (the dashboard the Baton server serves at `/`): sign-in, the session it
 * creates, and what the live stream sends. Shared by the server and the page (the page imports the
 * types only).
 */

/** Sign in to one project with a human's token (bh_...); agents' tokens are refused. */
export const LoginRequest = z.object({ project: ProjectKey, token: Token });
export type LoginRequest = z.input<typeof LoginRequest>;

/** At most this many projects in one console session (one sign-in each). */
export const MAX_SESSION_PROJECTS = 20;

/** One project the session is signed in to, as the human the token belonged to at that epoch. */
export const SessionMember = z.object({ project: ProjectKey, name: MemberName, epoch: z.number().int().min(0) });
export type SessionMember = z.infer<typeof SessionMember>;

/**
 * What the session cookie carries, signed with BATON_SESSION_SECRET (HMAC-SHA256): any Baton server
 * with the same secret verifies it without memory of its own. `exp` is epoch ms.
 */
export const SessionClaims = z.object({
  v: z.literal(1),
  sid: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
  exp: z.number().int(),
  members: z.array(SessionMember).min(1).max(MAX_SESSION_PROJECTS),
});
export type SessionClaims = z.infer<typeof SessionClaims>;

/** What the session workflow keeps: only who and until when (never a token or a cookie). */
export interface SessionRecord {
  sid: string;
  startedBy: string;
  expiresAt: string;
}

export interface SessionEnded {
  sid: string;
  how: 'signed-out' | 'expired';
  at: string;
  by?: string;
}

/** GET /console/session: who is signed in, the CSRF token for state-changing requests, where links go. */
export interface SessionView {
  signedIn: boolean;
  members: SessionMember[];
  expiresAt?: string;
  /** Send as `X-CSRF-Token` with every POST/PATCH/DELETE (sign-in included). */
  csrfToken: string;
  /** The Temporal Web UI (operators), for links from pattern pages; absent when unknown. */
  temporalUi?: { url: string; namespace: string };
}

/** One section of the live stream: the page keeps the latest value of each key. */
export interface LiveSection {
  key: string;
  value: unknown;
}

// --- what the live stream sends (types only: the page renders them) -----------------------------------

/** A lease on the map: with the other holders' leases it overlaps (shared leases may), and an example path. */
export interface ReservationView extends Reservation {
  overlaps: { id: string; holder: string; example?: string }[];
}

/** `project:<key>`: members, the reservation map, active alerts. */
export interface ProjectSection {
  members: MemberView[];
  reservations: ReservationView[];
  /** Active leases in all (the map shows at most the first 2,000). */
  totalReservations: number;
  alerts: Alert[];
  /** The server's clock when this was read (countdowns are computed against it). */
  at: string;
}

/** A pending human decision, for "Needs you". */
export interface DecisionItem {
  project: string;
  workflowId: string;
  pattern: string;
  title: string;
  step: string;
  question: string;
  decisionId: string;
  since: string;
  deadline?: string;
  askedBy?: string;
  /** Who may decide; null: any human of the project. */
  approvers: string[] | null;
  escalated: boolean;
}

/** A pattern run on the project page: where it is, who it waits for, its last timeline entries. */
export interface RunSummary {
  workflowId: string;
  pattern: string;
  title: string;
  status: string;
  step: string;
  waitingFor: string[];
  needsHuman: boolean;
  startedAt: string;
  escalated: boolean;
  timeline: TimelineEntry[];
}

/** `runs:<key>`: recent pattern runs of the project and the decisions they wait for. */
export interface RunsSection {
  runs: RunSummary[];
  decisions: DecisionItem[];
}

/** `run:<workflow id>`: one run in full, with the steps its plan names (for the pipeline). */
export interface RunSection {
  status: PatternStatus;
  /** Step names the plan lays out, in order (empty when the plan does not list them). */
  planned: string[];
}

/** `inbox:<key>`: the signed-in human's recent mail in the project (read-only in the console). */
export interface InboxSection {
  items: InboxItem[];
  unread: number;
}

export type NotificationsSection = NotificationsView;

/** A section that could not be read (the project ended, the run is gone): the page says why. */
export interface SectionError {
  error: { code: string; message: string };
}
