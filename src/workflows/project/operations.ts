import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { isErrorCode } from '../../domain/errors';
import { BatchInput, type BatchRefusal, type BatchResult, type OperationResult } from '../../schemas/batch';
import { batonFailure, parseOrFail, toFailure } from '../failure';
import { BATCH_ANSWER_BYTES } from './answer-size';
import { batchUpdate } from './batch-api';

/** An operation of the project workflow: a read-only check (the validator) and the change (the handler). */
export interface Operation<R, I = unknown> {
  /** Throws the failure the caller gets; must not change state (validators are not replayed). */
  validate(input: I): void;
  /** Re-checks what may have changed since validation and applies the operation. */
  handle(input: I): R | Promise<R>;
  /**
   * An upper bound of its answer's bytes, for operations whose answer grows with the input or the state
   * (called after `validate` succeeded; DEFAULT_ANSWER_BYTES when absent). See answer-size.ts.
   */
  answerBytes?(input: I): number;
}

/** What an operation without its own estimate may answer: a member, a message receipt, a lease or two. */
const DEFAULT_ANSWER_BYTES = 4 * 1024;

/**
 * The project workflow's operations, each reachable two ways with the same code: as its own update
 * (the typed client, older callers, replayed histories) and inside a `batch` update, where the Baton
 * server groups concurrent requests for one project (group commit). A batch:
 * - is validated operation by operation against the current state; if any would be refused, the whole
 *   batch is refused with the list of those (BatchRefusal), so a refused operation leaves no trace in
 *   history, exactly like a refused update; the server answers them and sends the rest again;
 * - is applied in arrival order: each handler runs up to its first await before the next starts, so
 *   every decision is made in order, while their asynchronous tails (a mailbox to start, a delivery to
 *   make) proceed side by side;
 * - answers each operation with its own result or failure; a failure of one never fails another;
 * - admits operations while the estimate of their answers stays within BATCH_ANSWER_BYTES; the rest
 *   are deferred (refused with the batch, named in `deferred`: not applied, sent again by the server).
 *   An answer is one payload, which Temporal refuses above 2 MiB (answer-size.ts).
 * While the workflow drains before continue-as-new, new updates (batches included) are refused with a
 * retryable UNAVAILABLE, so steady traffic cannot keep the drain from finishing; the caller retries on
 * the next run.
 */
export class ProjectOperations {
  private readonly operations = new Map<string, Operation<unknown>>();
  private draining = false;

  define<R, A extends [unknown] | [unknown?]>(update: UpdateDefinition<R, A>, operation: Operation<R, A[0]>): void {
    this.operations.set(update.name, operation as unknown as Operation<unknown>);
    wf.setHandler(update, ((input: A[0]) => operation.handle(input)) as never, {
      validator: ((input: A[0]) => {
        this.refuseWhileDraining();
        operation.validate(input);
      }) as never,
    });
  }

  /** Install the batch update (after every module defined its operations). */
  register(): void {
    wf.setHandler(batchUpdate, (raw) => this.run(parseOrFail(BatchInput, raw, 'batch')), {
      validator: (raw) => {
        this.refuseWhileDraining();
        this.validate(parseOrFail(BatchInput, raw, 'batch'));
      },
    });
  }

  /**
   * Another operation, from inside an operation (the pattern runs' `transfer`, src/workflows/project/
   * transfer.ts): checked and applied exactly as if it had been called alone.
   */
  async apply<R, I>(update: UpdateDefinition<R, [I]>, input: I): Promise<R> {
    const op = this.get(update.name);
    op.validate(input);
    return (await op.handle(input)) as R;
  }

  /** Would this operation be accepted? Throws its refusal; changes nothing. */
  check<R, I>(update: UpdateDefinition<R, [I]>, input: I): void {
    this.get(update.name).validate(input);
  }

  /** From now on, refuse new updates: the workflow is about to continue-as-new. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  private refuseWhileDraining(): void {
    if (this.draining) {
      throw batonFailure('UNAVAILABLE', 'The project workflow is moving to a new run (continue-as-new); send the request again.', { retry: 'continue-as-new' });
    }
  }

  private validate(batch: BatchInput): void {
    const refused: BatchRefusal['refused'] = [];
    const deferred: number[] = [];
    let answers = 0;
    batch.operations.forEach((op, index) => {
      try {
        const operation = this.get(op.name);
        operation.validate(op.input);
        const bytes = operation.answerBytes?.(op.input) ?? DEFAULT_ANSWER_BYTES;
        if (answers > 0 && answers + bytes > BATCH_ANSWER_BYTES) deferred.push(index);
        else answers += bytes;
      } catch (err) {
        const failure = toFailure(err);
        refused.push({ index, code: isErrorCode(failure.type) ? failure.type : 'INTERNAL', message: failure.message, ...(failure.details?.[0] !== undefined ? { details: failure.details[0] } : {}) });
      }
    });
    if (refused.length || deferred.length) {
      const words = [refused.length ? `${refused.length} refused` : '', deferred.length ? `${deferred.length} deferred (their answers would not fit in one payload)` : ''].filter(Boolean).join(', ');
      throw batonFailure('INVALID_INPUT', `${words} of ${batch.operations.length} operations of the batch; none was applied.`, { refused, ...(deferred.length ? { deferred } : {}) } satisfies BatchRefusal);
    }
  }

  private async run(batch: BatchInput): Promise<BatchResult> {
    // map() calls every handler in order; each runs synchronously to its first await.
    const pending = batch.operations.map((op) => settle(() => this.get(op.name).handle(op.input)));
    return { results: await Promise.all(pending) };
  }

  private get(name: string): Operation<unknown> {
    const op = this.operations.get(name);
    if (!op) throw batonFailure('INVALID_INPUT', `operation: "${name}" is not an operation of the project workflow (${[...this.operations.keys()].join(', ')}).`);
    return op;
  }
}

async function settle(fn: () => unknown): Promise<OperationResult> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    // Cancellation of the workflow must propagate; any other failure is this operation's answer.
    if (wf.isCancellation(err)) throw err;
    const failure = toFailure(err);
    const details = failure.details?.[0];
    return { ok: false, code: isErrorCode(failure.type) ? failure.type : 'INTERNAL', message: failure.message, ...(details === undefined ? {} : { details }) };
  }
}
