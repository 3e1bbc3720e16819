import { z } from 'zod';
import { Reporter, Text } from '../../schemas/patterns';

/**
 * Emergency Response's own messages, besides the reports and decisions every pattern takes: an agent
 * claims the alert (exactly one wins), the claimant files the post-mortem, anyone reads the incident.
 */
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
