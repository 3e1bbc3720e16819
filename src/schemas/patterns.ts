import { z } from 'zod';
import { parseDuration } from '../domain/patterns/duration';
import { MemberName } from './actor';

/**
 * What every coordination pattern shares: the parts every plan has (title, deadlines, lease TTL,
 * approvers, commands) and the messages every pattern run takes (reports, decisions, cancel) and
 * answers (status, result). Each pattern's own plan is in its folder (src/patterns/<name>/plan.ts).
 * One schema per message, shared by the workflows' validators, the client, the server and the CLI.
 * Durations are written like "30m" or "2h" (a bare number is seconds) and parsed to milliseconds.
 */
import type { PatternName } from '../patterns/names';

export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  }
  return parsed.ms;
});
export type DurationInput = z.input<typeof Duration>;

/** Every wait: a reminder to whoever is awaited, then an escalation to the humans. */
export const Deadlines = z
  .object({
    reminderAfter: Duration.prefault('30m'),
    escalateAfter: Duration.prefault('2h'),
  })
  .refine((d) => d.escalateAfter > d.reminderAfter, { message: 'escalateAfter must be longer than reminderAfter (the reminder comes first)' });
export type Deadlines = z.infer<typeof Deadlines>;

export const Text = (what: string, max = 2000) => z.string().trim().min(1, `must not be empty; ${what}`).max(max, `must be at most ${max} characters`);
export const Files = z.array(z.string().trim().min(1, 'must not be empty').max(1000)).max(200, 'at most 200 files or globs per step');
const PatternId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'must be lower-case letters, digits, ".", "_" or "-" (at most 80)');

/** Fields every plan has. */
export const PlanBase = {
  /** The workflow id's last part; default: the title as a slug plus a short random suffix. */
  id: PatternId.optional(),
  title: Text('say what this work is (e.g. "User sign-up")', 200),
  deadlines: Deadlines.prefault({}),
  /** Reservations taken for a step last this long (renewed by nobody: pick it generously). */
  leaseTtl: Duration.prefault('8h'),
  /** While a step's files are held by someone else, try again this often. */
  reservationRetry: Duration.prefault('30s'),
  /** Humans who may approve or reject; default: every human of the project. */
  approvers: z.array(MemberName).max(50).optional(),
  /**
   * The project's checkout on the worker's machine, where the plan's commands run (an absolute path;
   * required when the plan has a command, checked again by the worker: it must be a directory).
   */
  workdir: z.string().trim().min(1, 'must not be empty').max(1000).refine((p) => p.startsWith('/'), 'must be an absolute path (the project checkout on the worker\'s machine), e.g. /srv/checkouts/web').optional(),
  /** Variables the plan's commands get, on top of the worker's allow-listed ones (PATH, HOME, LANG, ...). */
  env: z
    .record(z.string(), z.string().max(4000))
    .superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a variable name (letters, digits, _)' });
        else if (/^(TEMPORAL|BATON)_/i.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: "must not be a TEMPORAL_* or BATON_* variable: those are the worker's own, never passed to a command" });
      }
    })
    .optional(),
};

export const OnFail = z.enum(['agent', 'human']);

/**
 * A plan that gives Baton's worker commands names the checkout they run in: refused without `workdir`,
 * naming the commands (the worker refuses again when it is not a directory there).
 */
export function workdirForCommands<P extends { workdir?: string }>(commands: (plan: P) => string[]) {
  return (plan: P, ctx: z.RefinementCtx): void => {
    const given = commands(plan);
    if (given.length && !plan.workdir) ctx.addIssue({ code: 'custom', path: ['workdir'], message: `is required because the plan runs commands (${given.map((c) => `\`${c}\``).join(', ')}): the project checkout they run in` });
  };
}

/** A shell command a plan gives Baton's worker to run (merge, integration tests, deploy, ...). */
export const CommandSpec = z.object({
  command: Text('give the shell command to run', 4000),
  /** A directory inside the plan's workdir to run in (relative). */
  cwd: z.string().max(1000).optional(),
  timeout: Duration.prefault('10m'),
});
export type CommandSpec = z.infer<typeof CommandSpec>;

/** What a pattern workflow is started with. */
export interface PatternWorkflowInput<Plan> {
  project: string;
  plan: Plan;
  /** Who started it (a member name), for the timeline and messages. */
  startedBy?: string;
  /** A run that continued as new: what the runs before it did (src/patterns/kit/runner.ts). */
  carried?: unknown;
}

// --- reports by the assigned agent (updates) ---------------------------------------------------------

/**
 * The reporting agent, as the Baton server verified it (or Baton's worker, for child workflows). No
 * token: the workflow trusts its callers (README, "Trust model") and checks only that this agent holds
 * the open step.
 */
export const Reporter = { agent: MemberName };
const Identity = Reporter;

export const ProgressInput = z.object({ ...Identity, note: Text('say what you did or what blocks you') });
export type ProgressInput = z.input<typeof ProgressInput>;

/**
 * What a step hands over to whoever comes next, quoted whole in their task (and across child
 * workflows): what was done, where, how to test it, and when there is one, the contract the next step
 * builds on (an API's endpoints, shapes and errors) and results (what ran, what passed).
 */
export const HandoffNote = z.object({
  whatWasDone: z.string().max(4000).default(''),
  where: z.array(z.string().max(1000)).max(200).default([]),
  howToTest: z.string().max(4000).default(''),
  contract: z.string().trim().max(8000).optional(),
  results: z.string().trim().max(8000).optional(),
});
export type HandoffNote = z.infer<typeof HandoffNote>;

export const DoneInput = z.object({ ...Identity, summary: Text('summarise the result'), handoff: HandoffNote.optional() });
export type DoneInput = z.input<typeof DoneInput>;

export const FailInput = z.object({ ...Identity, reason: Text('say why the step cannot be done') });
export type FailInput = z.input<typeof FailInput>;

export const ReviewInput = z
  .object({
    ...Identity,
    verdict: z.enum(['approve', 'request_changes']),
    required: z.array(Text('write the comment', 2000)).max(50).default([]),
    suggestions: z.array(Text('write the comment', 2000)).max(50).default([]),
    summary: z.string().trim().max(2000).optional(),
  })
  .refine((r) => r.verdict === 'approve' || r.required.length > 0, { message: 'a request for changes needs at least one required comment (--required "...")', path: ['required'] });
export type ReviewInput = z.input<typeof ReviewInput>;

// --- human decisions (signals) -------------------------------------------------------------------------

/**
 * A pending decision's id (`d-` and 8 hex digits), shown by `baton approvals`: an approval names the
 * question it answers, so it never lands on a newer question the human has not seen.
 */
export const DecisionId = z.string().trim().min(1).max(64, 'is not a decision id (`baton approvals` lists them)');

/**
 * Human decisions carry the verified human's name (the workflow checks that it is a human of the
 * project) and the id of the decision they answer; without an id they answer whatever is pending.
 */
/**
 * Which call an approval or rejection came from (a random id the client draws): the run records it with
 * the decision or the refusal, so the caller learns what became of its own signal, even when the same
 * human answers twice at once.
 */
export const DecisionRequestId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'is not a request id (8-64 letters, digits or dashes)');
export const ApproveInput = z.object({ approver: MemberName, decisionId: DecisionId.optional(), comment: z.string().trim().max(2000).optional(), requestId: DecisionRequestId.optional() });
export type ApproveInput = z.input<typeof ApproveInput>;
export const RejectInput = z.object({ approver: MemberName, decisionId: DecisionId.optional(), reason: Text('say why (it goes to the agents)'), requestId: DecisionRequestId.optional() });
export type RejectInput = z.input<typeof RejectInput>;
export const CancelInput = z.object({ by: MemberName, reason: Text('say why the work stops') });
export type CancelInput = z.input<typeof CancelInput>;

// --- what the workflows answer -------------------------------------------------------------------------

export type TimelineKind =
  | 'started'
  | 'step-started'
  | 'reserved'
  | 'waiting-for-files'
  | 'assigned'
  | 'progress'
  | 'done'
  | 'handoff-refused'
  | 'failed'
  | 'review'
  | 'reminder'
  | 'escalated'
  | 'decision-requested'
  | 'approved'
  | 'rejected'
  | 'refused'
  | 'released'
  | 'checkpoint'
  | 'command'
  | 'step-finished'
  | 'claimed'
  | 'reopened'
  | 'post-mortem'
  | 'lease-lost'
  | 'continued'
  | 'cancelled'
  | 'aborted'
  | 'completed';

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  step?: string;
  actor?: string;
  text: string;
}

export interface StepRecord {
  name: string;
  agent: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  attempts: number;
  outcome: 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';
  summary?: string;
  handoff?: HandoffNote;
}

export interface PendingDecision {
  id: string;
  step: string;
  question: string;
  /** Who may decide; null means any human of the project. */
  approvers: string[] | null;
  since: string;
  /** The member whose report led to the question (absent in runs from before it was recorded). */
  askedBy?: string;
  /** When every human is told that nobody decided (absent in runs from before it was recorded). */
  deadline?: string;
}

export interface RefusedAttempt {
  at: string;
  who: string;
  action: string;
  reason: string;
  /** The decision an approval or rejection named. */
  decisionId?: string;
  /** The call it came from (ApproveInput.requestId), when the caller sent one. */
  requestId?: string;
}

/** A human decision that was taken: what was asked, the answer, by whom. */
export interface DecidedView {
  id: string;
  step: string;
  question: string;
  approved: boolean;
  by: string;
  at: string;
  /** The approver's comment or the rejecter's reason. */
  text?: string;
  /** The call that took it (ApproveInput.requestId), when the caller sent one. */
  requestId?: string;
}

/** A wait that ran past its deadline and was escalated to the humans (cleared when the wait ends). */
export interface EscalationView {
  step: string;
  since: string;
  /** What the humans were told. */
  text: string;
}

/** A lease a step of the run holds (or held): kept alive while the step is open, released when it ends. */
export interface LeaseView {
  id: string;
  agent: string;
  step: string;
  pattern: string;
  expiresAt: string;
  state: 'held' | 'lost';
}

export type PatternState = 'running' | 'completed' | 'cancelled' | 'aborted';

export interface PatternStatus {
  workflowId: string;
  project: string;
  pattern: PatternName;
  title: string;
  state: PatternState;
  startedAt: string;
  startedBy?: string;
  step?: string;
  waitingFor: string[];
  /** Steps open for reports right now: only these agents may report. */
  assigned: { step: string; agent: string; since: string; accepts: string[] }[];
  needsHuman: boolean;
  escalated: boolean;
  /** Why it is escalated, per wait (absent for runs started before the kit). */
  escalations?: EscalationView[];
  decision?: PendingDecision;
  /** Decisions taken, most recent last (absent for runs started before the kit). */
  decisions?: DecidedView[];
  /** Leases its open steps hold, and those lost while open (absent for runs started before the kit). */
  leases?: LeaseView[];
  /** How many times the run continued as new (0 for the first run). */
  generation?: number;
  steps: StepRecord[];
  timeline: TimelineEntry[];
  /** Timeline entries dropped to keep the status bounded (the first and the most recent are kept). */
  timelineOmitted: number;
  refused: RefusedAttempt[];
  refusedHandoffs: Record<string, number>;
}

export interface PatternResult {
  workflowId: string;
  pattern: PatternName;
  title: string;
  outcome: 'completed' | 'cancelled' | 'aborted';
  reason?: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  steps: StepRecord[];
  /** Pattern-specific facts (review rounds, integration output, ...). */
  details: Record<string, unknown>;
}

export interface ReportAck {
  workflowId: string;
  step: string;
  accepted: true;
  message: string;
}

export interface ApprovalView {
  workflowId: string;
  pattern: string;
  title: string;
  step: string;
  /** The pending decision's id (absent for runs started before decision ids). */
  decisionId?: string;
  question: string;
  waitingFor: string[];
  startedAt: string;
}

/** Who may approve now: answered by the `whoMayApprove` query, checked by the CLI before signalling. */
export interface ApprovalCheck {
  state: PatternState;
  decision: PendingDecision | null;
}
