import { z } from 'zod';
import { MemberName } from './actor';
import { CommandSpec, Deadlines, Duration, Files, PlanBase, Reporter, Text } from './patterns';

/**
 * Emergency Response (production broke; minutes count). The plan names the affected files and, when
 * the team has them, commands for the staging test, the deploy, the rollback and the health check;
 * without a command, the claimant does that step and reports it.
 */
export const HealthCheckSpec = CommandSpec.extend({
  /** Run the check this often during the monitoring window. */
  every: Duration.prefault('30s'),
});
export type HealthCheckSpec = z.infer<typeof HealthCheckSpec>;

export const EmergencyPlan = z.object({
  ...PlanBase,
  // An emergency waits minutes, not hours: tighter defaults than other patterns.
  deadlines: Deadlines.prefault({ reminderAfter: '5m', escalateAfter: '15m' }),
  description: Text('describe the symptoms (what is broken, since when, the error)', 4000),
  files: Files.min(1, 'must name the affected files (the claimant reserves them with priority)'),
  /** Who may claim; default: every agent of the project. */
  responders: z.array(MemberName).min(1).max(100).optional(),
  /** An unclaimed alert goes to the humans after this long. */
  claimWithin: Duration.prefault('5m'),
  staging: CommandSpec.optional(),
  deploy: CommandSpec.optional(),
  rollback: CommandSpec.optional(),
  healthCheck: HealthCheckSpec.optional(),
  /** How long the deploy is watched (the health check's window, or how long the claimant watches). */
  monitorWindow: Duration.prefault('10m'),
  /** A failed monitoring window reopens the incident, at most this many times before a human decides. */
  maxReopens: z.number().int().min(0).max(10).default(3),
});
export type EmergencyPlan = z.infer<typeof EmergencyPlan>;
export type EmergencyPlanInput = z.input<typeof EmergencyPlan>;

const Identity = Reporter;

export const ClaimInput = z.object({ ...Identity, note: z.string().trim().max(500).optional() });
export type ClaimInput = z.input<typeof ClaimInput>;

export interface ClaimResult {
  workflowId: string;
  claimedBy: string;
  claimedAt: string;
  message: string;
}

export const PostMortemInput = z.object({
  ...Identity,
  summary: Text('summarise what happened and its impact', 4000),
  rootCause: Text('say what caused it', 4000),
  learnings: z.array(Text('write the learning', 1000)).min(1, 'must list at least one learning (--learning "...")').max(30),
  followUps: z.array(Text('write the follow-up', 1000)).max(30).default([]),
});
export type PostMortemInput = z.input<typeof PostMortemInput>;
export type PostMortem = z.output<typeof PostMortemInput>;

export type IncidentPhase = 'alerting' | 'claimed' | 'reserving' | 'fixing' | 'staging' | 'approval' | 'deploying' | 'monitoring' | 'post-mortem' | 'closed';

export interface IncidentTimes {
  alertedAt: string;
  claimedAt?: string;
  fixedAt?: string;
  approvedAt?: string;
  deployedAt?: string;
  resolvedAt?: string;
  postMortemAt?: string;
  /** Milliseconds from the alert. */
  timeToClaimMs?: number;
  timeToFixMs?: number;
  timeToApproveMs?: number;
  timeToDeployMs?: number;
}

export interface IncidentView {
  workflowId: string;
  title: string;
  phase: IncidentPhase;
  claimant: string | null;
  reopens: number;
  times: IncidentTimes;
  /** Refused claims (already claimed, not an agent, wrong token). */
  refusedClaims: { at: string; who: string; reason: string }[];
  postMortem: Omit<PostMortem, 'agent'> | null;
}
