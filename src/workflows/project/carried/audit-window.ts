import { AuditAction, type AuditEntry } from '../../../schemas/reservations';
import { CARRIED_BUDGET } from './budget';
import { ByteWindow } from './byte-window';
import { packLeaseId, unpackLeaseId } from './compact-text';
import { jsonBytes } from './json-size';

/** An audit entry as the book keeps it (time in workflow ms). */
export interface AuditRecord extends Omit<AuditEntry, 'at'> {
  at: number;
}

/** [seq, at ms, action index (AuditAction), by, holder, packed ids, patterns, count, reason or 0, via]; trailing parts left out when absent. */
export type AuditRow = (number | string | string[])[];

/** At most this many entries are kept (and at most CARRIED_BUDGET.audit bytes of them). */
export const AUDIT_KEPT = 1000;

const ACTIONS = AuditAction.options;

function encodeRow(e: AuditRecord): AuditRow {
  const row: AuditRow = [e.seq, e.at, ACTIONS.indexOf(e.action), e.by, e.holder, e.reservationIds.map(packLeaseId), e.patterns, e.count];
  if (e.reason !== undefined || e.via !== undefined) row.push(e.reason ?? 0);
  if (e.via !== undefined) row.push(e.via);
  return row;
}

function decodeRow(row: AuditRow): AuditRecord {
  const [seq, at, action, by, holder, ids, patterns, count, reason, via] = row as [number, number, number, string, string, string[], string[], number, string | 0 | undefined, string | undefined];
  const e: AuditRecord = { seq, at, action: ACTIONS[action]!, by, holder, reservationIds: ids.map(unpackLeaseId), patterns, count };
  if (typeof reason === 'string') e.reason = reason;
  if (via !== undefined) e.via = via;
  return e;
}

/**
 * The reservation audit trail's carried window: the most recent entries, at most AUDIT_KEPT of them
 * and CARRIED_BUDGET.audit bytes (an entry names up to 20 patterns of up to 1,000 characters, so a few
 * large entries may fill it; `total` still counts every entry ever recorded).
 */
export class AuditWindow {
  private readonly window = new ByteWindow<number, AuditRecord, AuditRow>({ count: AUDIT_KEPT, bytes: CARRIED_BUDGET.audit }, (_seq, e) => encodeRow(e), jsonBytes);

  /** Entries carried by runs before the budget (objects) or since (rows). */
  constructor(carried: (AuditRecord | AuditRow)[] = []) {
    for (const e of carried) this.push(Array.isArray(e) ? decodeRow(e) : e);
  }

  get bytes(): number {
    return this.window.bytes;
  }

  push(entry: AuditRecord): void {
    this.window.set(entry.seq, entry);
  }

  entries(): AuditRecord[] {
    return [...this.window.values()];
  }

  encode(): AuditRow[] {
    return this.window.encode();
  }
}
