import type { ContactRequest, SendResult } from '../../../schemas/messages';
import { ByteWindow } from './byte-window';
import { base64urlToHex, hexToBase64url } from './compact-text';
import { jsonBytes } from './json-size';

/** What the project remembers about a recent message, to apply the contact rules (no body). */
export interface RecentMessage {
  id: string;
  from: string;
  /** Lower-case names it reached; empty for a broadcast. */
  to: string[];
  broadcast: boolean;
  thread: string;
}

/** An answered send, by idempotency key: the answer and (for members' sends) the request's fingerprint (128-bit hex). */
export interface SendMemory {
  result: SendResult;
  fingerprint?: string;
}

/**
 * Byte limits of the messages module's caches (together CARRIED_BUDGET.messages, 96 KiB, less the
 * section's envelope), and their count limits (those of the runs before the budget).
 */
export const MESSAGE_CACHE_LIMITS = {
  sends: { count: 500, bytes: 38 * 1024 },
  recent: { count: 500, bytes: 16 * 1024 },
  threads: { count: 500, bytes: 24 * 1024 },
  requests: { count: 200, bytes: 16 * 1024 },
  participantsPerThread: 60,
};

/**
 * A send's answer bigger than this is remembered without its recipient lists (a broadcast to thousands
 * of members would otherwise push every other key out): its retry still gets the same message id,
 * thread and time, with empty `deliveredTo` and `skipped`.
 */
export const SEND_LISTS_KEPT_BYTES = 4 * 1024;

/** [key, messageId, thread, sentAt ms, deliveredTo, skipped as [name, reason] pairs, fingerprint (base64url) or 0]. */
type SendRow = [string, string, string, number, string[], [string, string][], string | 0];
/** [id, from, to, broadcast 0/1, thread]. */
type RecentRow = [string, string, string[], number, string];
/** [thread, participants]. */
type ThreadRow = [string, string[]];
/** [from, to, at ms, note]. */
type RequestRow = [string, string, number, string?];

export interface MessageCachesV2 {
  v: 2;
  sends: SendRow[];
  recent: RecentRow[];
  threads: ThreadRow[];
  requests: RequestRow[];
}

/** As carried by runs before the budget. */
export interface MessageCachesV1 {
  sends: [string, SendResult][];
  recent: RecentMessage[];
  threads: [string, string[]][];
  requests: ContactRequest[];
  fingerprints?: [string, string][];
}

const iso = (ms: number) => new Date(ms).toISOString();

function packFingerprint(hex: string | undefined): string | 0 {
  if (hex === undefined) return 0;
  return hexToBase64url(hex) ?? `~${hex}`;
}

function unpackFingerprint(packed: string | 0): string | undefined {
  if (packed === 0) return undefined;
  return packed.startsWith('~') ? packed.slice(1) : base64urlToHex(packed, 16);
}

function sendRow(key: string, m: SendMemory): SendRow {
  const r = m.result;
  return [key, r.messageId, r.thread, Date.parse(r.sentAt), r.deliveredTo, r.skipped.map((s) => [s.name, s.reason]), packFingerprint(m.fingerprint)];
}

/** The key of a contact request: who asks whom (lower case). */
export function requestKey(from: string, to: string): string {
  return `${from.toLowerCase()}\n${to.toLowerCase()}`;
}

/**
 * The messages module's carried caches, each a byte window (oldest forgotten first): idempotency keys
 * of sends with their answers and fingerprints, recent messages (for replies and the contact rules),
 * thread participants, and pending contact requests. Forgetting costs little: a send retried past its
 * window is a new message, a reply to a forgotten message starts its own thread, a forgotten thread
 * or request no longer counts for `auto` contact.
 */
export class MessageCaches {
  readonly sends = new ByteWindow<string, SendMemory, SendRow>(MESSAGE_CACHE_LIMITS.sends, sendRow, jsonBytes);
  readonly recent = new ByteWindow<string, RecentMessage, RecentRow>(MESSAGE_CACHE_LIMITS.recent, (_id, m) => [m.id, m.from, m.to, m.broadcast ? 1 : 0, m.thread], jsonBytes);
  readonly threads = new ByteWindow<string, string[], ThreadRow>(MESSAGE_CACHE_LIMITS.threads, (thread, participants) => [thread, participants], jsonBytes);
  readonly requests = new ByteWindow<string, ContactRequest, RequestRow>(MESSAGE_CACHE_LIMITS.requests, (_k, r) => (r.note === undefined ? [r.from, r.to, Date.parse(r.at)] : [r.from, r.to, Date.parse(r.at), r.note]), jsonBytes);

  constructor(carried?: MessageCachesV1 | MessageCachesV2) {
    if (!carried) return;
    if ('v' in carried) {
      for (const [key, messageId, thread, sentAt, deliveredTo, skipped, fp] of carried.sends) {
        const memory: SendMemory = { result: { messageId, thread, sentAt: iso(sentAt), deliveredTo, skipped: skipped.map(([name, reason]) => ({ name, reason })), duplicate: false } };
        const fingerprint = unpackFingerprint(fp);
        if (fingerprint !== undefined) memory.fingerprint = fingerprint;
        this.sends.set(key, memory);
      }
      for (const [id, from, to, broadcast, thread] of carried.recent) this.recent.set(id, { id, from, to, broadcast: broadcast === 1, thread });
      for (const [thread, participants] of carried.threads) this.threads.set(thread, participants);
      for (const [from, to, at, note] of carried.requests) this.requests.set(requestKey(from, to), note === undefined ? { from, to, at: iso(at) } : { from, to, at: iso(at), note });
      return;
    }
    const fingerprints = new Map(carried.fingerprints ?? []);
    for (const [key, result] of carried.sends) {
      const fp = fingerprints.get(key);
      this.rememberSend(key, result, fp === undefined ? undefined : fp.slice(0, 32));
    }
    for (const m of carried.recent) this.recent.set(m.id, m);
    for (const [thread, participants] of carried.threads) this.threads.set(thread, participants);
    for (const r of carried.requests) this.requests.set(requestKey(r.from, r.to), r);
  }

  /** Exact bytes of `encode()` as JSON, per cache. */
  get bytes(): number {
    return this.sends.bytes + this.recent.bytes + this.threads.bytes + this.requests.bytes;
  }

  /** Remembers a send's answer (without its lists when they are large: SEND_LISTS_KEPT_BYTES). */
  rememberSend(key: string, result: SendResult, fingerprint?: string): void {
    const memory: SendMemory = fingerprint === undefined ? { result } : { result, fingerprint };
    if (jsonBytes(sendRow(key, memory)) > SEND_LISTS_KEPT_BYTES) memory.result = { ...result, deliveredTo: [], skipped: [] };
    this.sends.set(key, memory);
  }

  encode(): MessageCachesV2 {
    return { v: 2, sends: this.sends.encode(), recent: this.recent.encode(), threads: this.threads.encode(), requests: this.requests.encode() };
  }
}
