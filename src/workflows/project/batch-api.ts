import { defineUpdate } from '@temporalio/workflow';
import type { BatchInput, BatchResult } from '../../schemas/batch';

/** Many of the project's updates in one (group commit, see src/workflows/project/operations.ts). */
export const batchUpdate = defineUpdate<BatchResult, [BatchInput]>('batch');
