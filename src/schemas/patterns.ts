import { z } from 'zod';
import { parseDuration } from '../domain/patterns/duration';
import { MemberName } from './actor';

/**
 * Plans and messages of the coordination patterns. One schema per message, shared by the workflows'
 * validators, the client and the CLI. Durations are written like "30m" or "2h" (a bare number is
 * seconds) and parsed to milliseconds.
 */
export { PATTERN_NAMES, PATTERN_NAMES_II, ALL_PATTERN_NAMES, PATTERN_ALIASES, resolvePatternName, type PatternName, type AnyPatternName } from '../domain/patterns/names';
import type { AnyPatternName, PatternName } from '../domain/patterns/names';

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
};

export const OnFail = z.enum(['agent', 'human']);

export const HandoffStepPlan = z.object({
  name: Text('name the step (e.g. "database")', 64),
  agent: MemberName,
  task: Text('say what the agent should do'),
  files: Files.min(1, 'must name at least one file or glob the step edits'),
  exclusive: z.boolean().default(true),
  deadlines: Deadlines.optional(),
  /** A failed step goes back to its agent (up to maxAttempts) or straight to a human. */
  onFail: OnFail.default('human'),
  maxAttempts: z.number().int().min(1).max(10).default(3),
});
export type HandoffStepPlan = z.infer<typeof HandoffStepPlan>;

export const SequentialHandoffPlan = z
  .object({ ...PlanBase, steps: z.array(HandoffStepPlan).min(1, 'must have at least one step').max(20, 'at most 20 steps') })
  .refine((p) => new Set(p.steps.map((s) => s.name.toLowerCase())).size === p.steps.length, { message: 'step names must be distinct', path: ['steps'] });
export type SequentialHandoffPlan = z.infer<typeof SequentialHandoffPlan>;
export type SequentialHandoffPlanInput = z.input<typeof SequentialHandoffPlan>;

export const CommandSpec = z.object({
  command: Text('give the shell command to run', 4000),
  cwd: z.string().max(1000).optional(),
  timeout: Duration.prefault('10m'),
});
export type CommandSpec = z.infer<typeof CommandSpec>;

export const CodeReviewPlan = z.object({
  ...PlanBase,
  author: MemberName,
  /** A trusted agent or a human; never the author. */
  reviewer: MemberName,
  task: Text('say what the author implements'),
  files: Files.min(1, 'must name at least one file or glob under review'),
  maxRevisions: z.number().int().min(0).max(10).default(3),
  /** Runs after approval; without it the author merges and confirms with `baton done`. */
  merge: CommandSpec.optional(),
});
export type CodeReviewPlan = z.infer<typeof CodeReviewPlan>;
export type CodeReviewPlanInput = z.input<typeof CodeReviewPlan>;

export const ParallelWorker = z.object({
  agent: MemberName,
  task: Text('say what this agent builds'),
  files: Files.min(1, 'must name the files this agent owns'),
});
export type ParallelWorker = z.infer<typeof ParallelWorker>;

export const IntegrationStep = z.union([
  CommandSpec.strict(),
  z.object({ agent: MemberName, task: Text('say what the integration tester does'), files: Files.default([]) }).strict(),
]);
export type IntegrationStep = z.infer<typeof IntegrationStep>;

export const ParallelDevelopmentPlan = z.object({
  ...PlanBase,
  workers: z.array(ParallelWorker).min(2, 'parallel development needs at least two agents').max(20, 'at most 20 agents'),
  /** Agents check in (a progress report) at least this often. */
  checkpointEvery: Duration.prefault('2h'),
  /** After the nudge at a missed checkpoint, the humans are told this much later. */
  checkpointGrace: Duration.prefault('15m'),
  integration: IntegrationStep,
});
export type ParallelDevelopmentPlan = z.infer<typeof ParallelDevelopmentPlan>;
export type ParallelDevelopmentPlanInput = z.input<typeof ParallelDevelopmentPlan>;

export const PLAN_SCHEMAS = {
  'sequential-handoff': SequentialHandoffPlan,
  'code-review': CodeReviewPlan,
  'parallel-development': ParallelDevelopmentPlan,
} as const;
export type PlanInputOf<P extends PatternName> = z.input<(typeof PLAN_SCHEMAS)[P]>;

/** What a pattern workflow is started with. */
export interface PatternWorkflowInput<Plan> {
  project: string;
  plan: Plan;
  /** Who started it (a member name), for the timeline and messages. */
  startedBy?: string;
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

export const HandoffNote = z.object({
  whatWasDone: z.string().max(4000).default(''),
  where: z.array(z.string().max(1000)).max(200).default([]),
  howToTest: z.string().max(4000).default(''),
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

/** Human decisions carry the verified human's name; the workflow checks that it is a human of the project. */
export const ApproveInput = z.object({ approver: MemberName, comment: z.string().trim().max(2000).optional() });
export type ApproveInput = z.input<typeof ApproveInput>;
export const RejectInput = z.object({ approver: MemberName, reason: Text('say why (it goes to the agents)') });
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
}

export type PatternState = 'running' | 'completed' | 'cancelled' | 'aborted';

export interface PatternStatus {
  workflowId: string;
  project: string;
  pattern: AnyPatternName;
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
  decision?: PendingDecision;
  steps: StepRecord[];
  timeline: TimelineEntry[];
  /** Timeline entries dropped to keep the status bounded (the first and the most recent are kept). */
  timelineOmitted: number;
  refused: RefusedAttempt[];
  refusedHandoffs: Record<string, number>;
}

export interface PatternResult {
  workflowId: string;
  pattern: AnyPatternName;
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
  question: string;
  waitingFor: string[];
  startedAt: string;
}

/** Who may approve now: answered by the `whoMayApprove` query, checked by the CLI before signalling. */
export interface ApprovalCheck {
  state: PatternState;
  decision: PendingDecision | null;
}
