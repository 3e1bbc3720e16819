import { defineUpdate } from '@temporalio/workflow';
import type { TransferInput, TransferResult } from '../../schemas/transfer';

/** Internal, `workflow` actor only: a pattern run's one write per handoff (src/workflows/project/transfer.ts). */
export const transferUpdate = defineUpdate<TransferResult, [TransferInput]>('transfer');
