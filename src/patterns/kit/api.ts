import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApprovalCheck,
  ApproveInput,
  CancelInput,
  DoneInput,
  FailInput,
  PatternStatus,
  ProgressInput,
  RejectInput,
  ReportAck,
} from '../../schemas/patterns';

/**
 * The message API every pattern workflow has, declared once. Agents report through updates (validated:
 * only the agent of an open step); humans decide through signals (the design fixes this), which the
 * workflow re-checks and records when refused; anyone may read the status. A pattern's own messages
 * are in its folder (src/patterns/<name>/api.ts).
 */
export const progressUpdate = defineUpdate<ReportAck, [ProgressInput]>('progress');
export const doneUpdate = defineUpdate<ReportAck, [DoneInput]>('done');
export const failUpdate = defineUpdate<ReportAck, [FailInput]>('fail');

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
/**
 * From the project workflow: a lease this run's reserve was refused for has ended (released, expired,
 * force-released). The run tries its reserve again at once instead of at its next retry.
 */
export const filesFreedSignal = defineSignal('files-freed');
/** A human stops the workflow; every reservation it holds is released. */
export const cancelSignal = defineSignal<[CancelInput]>('cancel');

export const statusQuery = defineQuery<PatternStatus>('status');
/** What waits for a human decision right now, and who may give it: the CLI asks before signalling. */
export const whoMayApproveQuery = defineQuery<ApprovalCheck>('whoMayApprove');
