import type { CarriedReport } from '../../../schemas/project';

/**
 * The project workflow's carried-state budget: what each module may carry across continue-as-new.
 *
 * The whole continue-as-new input is one payload, and Temporal refuses a payload above 2 MiB (its
 * default blob size limit; the command fails and the project could never move to a new run). So every
 * part of the carried state has a byte budget (UTF-8 bytes of its JSON, as the payload converter writes
 * it), admission rules keep each part within its budget, and the budgets add up to ~90% of the limit:
 * the rest (≥ 10%) is for the input's envelope (project key, settings, JSON keys), for what may exceed a
 * budget a little after admission (renewals and warnings regroup leases; contact lists grow; see each
 * section) and for state carried by runs from before these budgets.
 *
 * | section        | budget   | kept within it by                                                       |
 * |----------------|----------|-------------------------------------------------------------------------|
 * | leases         | 1000 KiB | reserve refused past it (INVALID_STATE, clears as leases expire)        |
 * | audit          | 56 KiB   | oldest entries dropped (byte window)                                    |
 * | reserveAnswers | 32 KiB   | oldest request ids forgotten (a retry past the window is a new request) |
 * | directory      | 360 KiB  | register/invite refused past it; oldest retired members forgotten first |
 * | messages       | 96 KiB   | oldest idempotency keys, recent messages, threads, requests forgotten   |
 * | delivery       | 160 KiB  | sends refused (retryably) while the queue is full                       |
 * | alerts         | 40 KiB   | new alerts not raised while full; oldest resolved ones forgotten         |
 * | notifications  | 96 KiB   | sinks refused past theirs; oldest jobs (dead letters), held, keys dropped |
 *
 * Why these figures (measured by test/project/carried-limits.test.ts, which fills every section to what
 * admission allows and prints the sizes): a lease costs ~40 bytes plus its file name when granted in
 * groups (a 200-pattern reserve shares one header; directories are stored once), so 20,000 leases of
 * realistic deep paths fit in the lease budget (943 KiB); a member row costs ~130 bytes plus its task
 * text, so the directory holds ~1,900 members of a usual profile (a line of task), ~450 with
 * 500-character tasks; a 64 KiB broadcast to 200
 * members is ~80 KB in the delivery queue (two fit at once).
 */

/** Temporal's default limit for one payload (BlobSizeLimitError), bytes. */
export const PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

const KiB = 1024;

export const CARRIED_BUDGET = {
  leases: 1000 * KiB,
  audit: 56 * KiB,
  reserveAnswers: 32 * KiB,
  directory: 360 * KiB,
  messages: 96 * KiB,
  delivery: 160 * KiB,
  alerts: 40 * KiB,
  notifications: 96 * KiB,
} as const;

export type CarriedSection = keyof typeof CARRIED_BUDGET;

/** Sum of the section budgets: what a project carries at most when every section is full. */
export const CARRIED_BUDGET_TOTAL = Object.values(CARRIED_BUDGET).reduce((a, b) => a + b, 0);

/** Bytes per section, as `describe` reports them. */
export type CarriedSizes = Partial<Record<CarriedSection, number>>;

/** "1.3 MB" style: KB and MB of 1,000 bytes would understate against a 2 MiB limit, so binary units. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** The describe query's view of the carried state: per section, bytes and budget; totals against the limit. */
export function carriedReport(sizes: CarriedSizes): CarriedReport {
  const sections: CarriedReport['sections'] = {};
  let bytes = 0;
  for (const [name, budget] of Object.entries(CARRIED_BUDGET)) {
    const used = sizes[name as CarriedSection] ?? 0;
    sections[name] = { bytes: used, budget };
    bytes += used;
  }
  return { sections, bytes, budget: CARRIED_BUDGET_TOTAL, limit: PAYLOAD_LIMIT_BYTES, summary: `carried state ${formatBytes(bytes)} of ${formatBytes(PAYLOAD_LIMIT_BYTES)} (budget ${formatBytes(CARRIED_BUDGET_TOTAL)})` };
}
