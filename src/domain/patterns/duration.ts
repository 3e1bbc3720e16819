/**
 * Durations in plans read like people write them ("90s", "30m", "2h", "1h30m", "1d"); a bare number is
 * seconds. Everything inside Baton is milliseconds.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseDuration(value: string | number): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return { ok: false, reason: `must be a positive number of seconds (got ${value})` };
    return { ok: true, ms: Math.round(value * 1000) };
  }
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    return { ok: false, reason: `"${value}" is not a duration; write e.g. 90s, 30m, 2h, 1h30m or 1d` };
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  if (ms <= 0) return { ok: false, reason: `"${value}" must be longer than zero` };
  return { ok: true, ms: Math.round(ms) };
}

/** "1h 30m", "45s", "250ms": durations for people (timelines, messages). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
