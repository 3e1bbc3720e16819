import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ClaimInput, ClaimResult, IncidentView, PostMortemInput } from './messages';

/**
 * Emergency Response's own messages, besides the shared pattern API (progress/done/fail, approve/reject,
 * cancel, status): agents claim the alert (exactly one wins, decided in order inside the workflow) and
 * the claimant files the post-mortem that ends the incident.
 */
export const claimUpdate = defineUpdate<ClaimResult, [ClaimInput]>('claim');
export const postMortemUpdate = defineUpdate<{ workflowId: string; accepted: true; message: string }, [PostMortemInput]>('postMortem');
export const incidentQuery = defineQuery<IncidentView>('incident');
