import type { NotifyInput, SendResult } from '../../schemas/messages';
import type { MemberCredential } from '../../workflows/project/directory-api';
import type { CommandInput, CommandResult } from '../kit/activities-api';

export type { CommandInput, CommandResult };

/**
 * What pattern runs started before the kit ask the worker to do (src/activities/patterns.ts). Declared
 * here, next to the workflows, so workflow code imports no activity module (lint forbids it).
 */
export interface ReserveForStepInput {
  project: string;
  workflowId: string;
  agent: string;
  files: string[];
  exclusive: boolean;
  ttlSeconds: number;
  reason: string;
  /** Idempotency key: a retried activity gets the first answer back instead of a second lease. */
  requestId: string;
}

export interface HeldBy {
  pattern: string;
  holder: string;
  heldPattern: string;
  expiresAt: string;
  reservationId: string;
}

export type ReserveForStepResult = { status: 'granted'; ids: string[] } | { status: 'conflict'; conflicts: HeldBy[] };

export interface ReleaseForStepInput {
  project: string;
  workflowId: string;
  agent: string;
  ids: string[];
}

export type Importance = 'low' | 'normal' | 'high' | 'urgent';

/**
 * The messages engineer's `notifyMembers` activity (src/activities/messages.ts): a system notice to
 * members, sent by the workflow actor on someone's behalf; idempotent across activity retries.
 */
export type NotifyMembersInput = NotifyInput & { project: string };

export interface PatternActivities {
  reserveForStep(input: ReserveForStepInput): Promise<ReserveForStepResult>;
  releaseForStep(input: ReleaseForStepInput): Promise<{ released: number }>;
  notifyMembers(input: NotifyMembersInput): Promise<SendResult>;
  fetchCredentials(input: { project: string; names: string[] }): Promise<MemberCredential[]>;
  recordTaskSuccess(input: { project: string; workflowId: string; agent: string }): Promise<void>;
  runCommand(input: CommandInput): Promise<CommandResult>;
}
