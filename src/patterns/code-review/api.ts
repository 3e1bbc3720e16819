import { defineUpdate } from '@temporalio/workflow';
import type { ReportAck, ReviewInput } from '../../schemas/patterns';

/** Code Review's own message: the reviewer approves, or requests changes (required vs suggestions). */
export const reviewUpdate = defineUpdate<ReportAck, [ReviewInput]>('review');
