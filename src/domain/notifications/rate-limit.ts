/**
 * Per-human rate limit of notifications: at most `max` in any `windowMs`. A notification over the
 * limit is not dropped: it waits, and everything that waited goes out as one digest when the window
 * has room again (a burst of alerts becomes one message, a decision still reaches its human).
 */
export interface RateLimit {
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { max: 6, windowMs: 60_000 };

/** Send times (ms) still inside the window at `now`, oldest first. */
export function inWindow(sentAt: readonly number[], now: number, limit: RateLimit): number[] {
  return sentAt.filter((t) => t > now - limit.windowMs);
}

/** True when one more notification may go out at `now`. */
export function hasRoom(sentAt: readonly number[], now: number, limit: RateLimit): boolean {
  return inWindow(sentAt, now, limit).length < limit.max;
}

/** When the window next has room (`now` when it has room already). */
export function roomAt(sentAt: readonly number[], now: number, limit: RateLimit): number {
  const recent = inWindow(sentAt, now, limit);
  if (recent.length < limit.max) return now;
  return recent[recent.length - limit.max]! + limit.windowMs;
}
