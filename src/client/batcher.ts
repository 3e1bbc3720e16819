import { BatonError, type ErrorCode } from '../domain/errors';
import type { BatchRefusal, BatchResult } from '../schemas/batch';
import { MAX_BATCH_OPERATIONS } from '../schemas/batch';

/**
 * The project workflow's updates that may travel inside a batch (src/workflows/project/operations.ts).
 * Not `shutdown` (rare, and it ends the run). `ping` is, so the benchmarks' floor takes the same path.
 */
export const BATCHABLE_UPDATES: ReadonlySet<string> = new Set([
  'ping',
  'register',
  'inviteHuman',
  'rotateToken',
  'retire',
  'recordSuccess',
  'reserve',
  'release',
  'renew',
  'forceRelease',
  'send',
  'notify',
  'openMailbox',
  'contactRequest',
  'contactApprove',
  'reportPatternSignal',
  'transfer',
  'updateSettings',
]);

export interface BatchOptions {
  /**
   * Batches of one project in flight at once from this process. Temporal admits at most 10 in-flight
   * updates per workflow by default (history.maxInFlightUpdates): 4 leaves room for two Baton servers
   * plus the worker's own calls.
   */
  maxInFlight: number;
  /** Operations per batch. */
  maxOperations: number;
  /** Estimated bytes of a batch's inputs (JSON); keeps every update well under Temporal's 2 MB payload limit. */
  maxBytes: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchOptions = { maxInFlight: 4, maxOperations: 200, maxBytes: 512 * 1024 };

/** How a batcher reaches the workflow: one operation as its own update, or several as one `batch`. */
export interface BatchTransport {
  single(name: string, input: unknown): Promise<unknown>;
  batch(operations: { name: string; input: unknown }[]): Promise<BatchResult>;
}

interface Pending {
  name: string;
  input: unknown;
  bytes: number;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** What a batcher did, for benchmarks and the doctor. */
export interface BatcherStats {
  batches: number;
  operations: number;
  largest: number;
  refusedBatches: number;
  /** Operations a batch deferred because their answers would not have fitted in it (sent again). */
  deferred: number;
}

/**
 * Group commit for one project: concurrent requests are gathered into one `batch` update while the
 * allowed number of batches is in flight, so many agents cost the workflow a few updates at a time
 * instead of one each, and stay under Temporal's cap on in-flight updates per workflow. No request
 * waits for a batch to fill: when a slot is free, whatever is queued goes at once (alone, as its own
 * update, when it is alone); under load the queue grows while slots are busy and the next batch takes
 * it all. Each caller gets its own operation's result or failure; a batch refused by its validator
 * (some operations would be refused) answers those operations and sends the rest again.
 */
export class ProjectBatcher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  readonly stats: BatcherStats = { batches: 0, operations: 0, largest: 0, refusedBatches: 0, deferred: 0 };

  constructor(
    private readonly transport: BatchTransport,
    private readonly options: BatchOptions = DEFAULT_BATCH_OPTIONS,
  ) {}

  submit(name: string, input: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ name, input, bytes: estimateBytes(input), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    const max = Math.min(this.options.maxOperations, MAX_BATCH_OPERATIONS);
    while (this.queue.length > 0 && batch.length < max) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.options.maxBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    this.stats.batches++;
    this.stats.operations += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    if (batch.length === 1) {
      const only = batch[0]!;
      // Alone, an operation goes as its own update: the same latency as without batching, and the Web
      // UI shows it by name.
      await this.transport.single(only.name, only.input).then(only.resolve, only.reject);
      return;
    }
    let result: BatchResult;
    try {
      result = await this.transport.batch(batch.map(({ name, input }) => ({ name, input })));
    } catch (err) {
      const refused = refusal(err);
      if (!refused) {
        for (const p of batch) p.reject(err);
        return;
      }
      this.stats.refusedBatches++;
      const answered = new Set<number>();
      for (const r of refused.refused) {
        batch[r.index]?.reject(new BatonError(r.code as ErrorCode, r.message, r.details));
        answered.add(r.index);
      }
      // The others were not applied: they go first in the next batch. Deferred ones (their answers
      // would not have fitted) wait behind the ones that fit, which go again now, as they are.
      const deferred = new Set(refused.deferred ?? []);
      if (deferred.size > 0) {
        this.stats.deferred += deferred.size;
        this.queue.unshift(...batch.filter((_, i) => deferred.has(i) && !answered.has(i)));
        const fits = batch.filter((_, i) => !deferred.has(i) && !answered.has(i));
        if (fits.length > 0) await this.send(fits);
        return;
      }
      this.queue.unshift(...batch.filter((_, i) => !answered.has(i)));
      return;
    }
    result.results.forEach((r, i) => {
      const p = batch[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(new BatonError(r.code, r.message, r.details));
    });
  }
}

function refusal(err: unknown): BatchRefusal | undefined {
  const details = (err as BatonError | undefined)?.details as Partial<BatchRefusal> | undefined;
  return err instanceof BatonError && Array.isArray(details?.refused) ? (details as BatchRefusal) : undefined;
}

function estimateBytes(input: unknown): number {
  try {
    return JSON.stringify(input)?.length ?? 16;
  } catch {
    return 1024;
  }
}
