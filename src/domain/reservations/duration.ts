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
