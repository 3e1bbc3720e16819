import { BatonError } from '../errors';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "3600", "90s", "30m", "2h", "1d", "1h30m" as whole seconds; for `--ttl`. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new BatonError('INVALID_INPUT', `ttl: "${text}" is not a duration; use seconds (3600) or e.g. 90s, 30m, 2h, 1d, 1h30m.`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS: [number, string][] = [
  [DAY, 'd'],
  [HOUR, 'h'],
  [MINUTE, 'm'],
  [SECOND, 's'],
];

/**
 * A time relative to `now` for people: "in 2h", "in 1h 59m", "in 45s", "3d 4h ago". Rounded to the
 * nearest second under a minute, to the nearest minute under a day and to the nearest hour beyond, then
 * written in the largest unit with the next one added when it is not zero: a lease of 2 h reads "in 2h"
 * a moment after it was granted (not "in 1h" as flooring said), one with 119 minutes left "in 1h 59m".
 * Rounding happens before choosing units, so 59m 40s reads "in 1h", not "in 60m". Used by the CLI's
 * tables and the git guard's report alike.
 */
export function relativeTime(at: string | number, now = Date.now()): string {
  const diff = (typeof at === 'number' ? at : Date.parse(at)) - now;
  const abs = Math.abs(diff);
  const precision = abs < MINUTE ? SECOND : abs < DAY ? MINUTE : HOUR;
  const rounded = Math.round(abs / precision) * precision;
  const text = spell(rounded);
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** `ms` (a whole number of the precision chosen above) as one unit, or two adjacent ones. */
function spell(ms: number): string {
  const lead = STEPS.findIndex(([size]) => ms >= size);
  if (lead === -1) return '0s';
  const [size, unit] = STEPS[lead]!;
  const major = Math.floor(ms / size);
  const rest = ms - major * size;
  const next = STEPS[lead + 1];
  return rest > 0 && next ? `${major}${unit} ${Math.round(rest / next[0])}${next[1]}` : `${major}${unit}`;
}
