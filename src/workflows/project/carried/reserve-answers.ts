import type { ClampedTtl, ReserveResult } from '../../../schemas/reservations';
import { CARRIED_BUDGET } from './budget';
import { ByteWindow } from './byte-window';
import { hexToBase64url, base64urlToHex, packLeaseId, unpackLeaseId } from './compact-text';
import { jsonBytes } from './json-size';

/**
 * What the book remembers of a granted reserve call, by request id: the lease ids it answered with (the
 * answer is rebuilt from those leases; see ReservationBook#reserve), its TTL clamp, and a fingerprint of
 * the request (128 bits of SHA-256, hex), so a request id reused for another request is refused.
 */
export interface ReserveAnswer {
  at: number;
  ids: string[];
  clampedTtl?: ClampedTtl;
  fingerprint?: string;
}

/** Carried since the budget: [holder (lower case), requestId, at, fingerprint (base64url) or 0, packed ids, clamped from, clamped to]. */
export type AnswerRow = (string | number | string[])[];

/** Carried by runs before the budget: [holder + "\u0000" + requestId, at, the whole answer, fingerprint (64 hex)]. */
export type AnswerTupleV1 = [string, number, ReserveResult, string?];

const SEPARATOR = '\u0000';

/** Limits of the window: count, bytes (CARRIED_BUDGET.reserveAnswers) and age. */
export const ANSWERS_KEPT = { count: 500, bytes: CARRIED_BUDGET.reserveAnswers, ageMs: 24 * 3600 * 1000 };

/** A request fingerprint as kept: the first 128 bits of the SHA-256 hex digest (plenty to tell two requests apart). */
export function shortFingerprint(hex: string): string {
  return hex.slice(0, 32);
}

function encodeRow(key: string, a: ReserveAnswer): AnswerRow {
  const at = key.indexOf(SEPARATOR);
  const row: AnswerRow = [key.slice(0, at), key.slice(at + 1), a.at, a.fingerprint === undefined ? 0 : (hexToBase64url(a.fingerprint) ?? `~${a.fingerprint}`), a.ids.map(packLeaseId)];
  if (a.clampedTtl) row.push(a.clampedTtl.requestedSeconds, a.clampedTtl.appliedSeconds);
  return row;
}

function decodeRow(row: AnswerRow): [string, ReserveAnswer] {
  const [holder, requestId, at, fingerprint, ids, from, to] = row as [string, string, number, string | 0, string[], number?, number?];
  const answer: ReserveAnswer = { at, ids: ids.map(unpackLeaseId) };
  if (fingerprint !== 0) answer.fingerprint = fingerprint.startsWith('~') ? fingerprint.slice(1) : base64urlToHex(fingerprint, 16);
  if (from !== undefined && to !== undefined) answer.clampedTtl = { requestedSeconds: from, appliedSeconds: to };
  return [`${holder}${SEPARATOR}${requestId}`, answer];
}

/**
 * Recent reserve answers by request id (`<holder lower case>\u0000<requestId>`), bounded by
 * ANSWERS_KEPT: a retry within the window gets the same leases back; past it (older than a day, or
 * pushed out by newer requests) a retry is decided again as a new request.
 */
export class ReserveAnswers {
  private readonly window = new ByteWindow<string, ReserveAnswer, AnswerRow>(ANSWERS_KEPT, encodeRow, jsonBytes);

  constructor(carried: (AnswerRow | AnswerTupleV1)[] = []) {
    for (const entry of carried) {
      if (typeof entry[2] === 'object' && !Array.isArray(entry[2])) {
        const [key, at, result, fingerprint] = entry as AnswerTupleV1;
        const answer: ReserveAnswer = { at, ids: result.status === 'granted' ? result.reservations.map((r) => r.id) : [] };
        if (result.status === 'granted' && result.clampedTtl) answer.clampedTtl = result.clampedTtl;
        if (fingerprint !== undefined) answer.fingerprint = shortFingerprint(fingerprint);
        this.window.set(key, answer);
      } else {
        const [key, answer] = decodeRow(entry as AnswerRow);
        this.window.set(key, answer);
      }
    }
  }

  get bytes(): number {
    return this.window.bytes;
  }

  get(key: string): ReserveAnswer | undefined {
    return this.window.get(key);
  }

  forget(key: string): void {
    this.window.delete(key);
  }

  /** Remembers an answer given at `answer.at`; answers older than a day are forgotten. */
  remember(key: string, answer: ReserveAnswer): void {
    this.window.set(key, answer);
    this.window.dropOldestWhile((_k, a) => a.at <= answer.at - ANSWERS_KEPT.ageMs);
  }

  encode(): AnswerRow[] {
    return this.window.encode();
  }
}
