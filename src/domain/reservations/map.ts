import { parseGlob, type ParsedGlob } from './glob';
import { overlapWitness } from './overlap';

/** A lease as the console's reservation map needs it. */
export interface MapLease {
  id: string;
  holder: string;
  pattern: string;
}

export interface LeaseOverlap {
  id: string;
  holder: string;
  /** A path both leases cover. */
  example?: string;
}

/** Above this many leases the map skips the pairwise overlap test (it grows with the square). */
export const MAX_LEASES_COMPARED = 500;

/**
 * For each lease, the leases of other holders it overlaps (shared leases may; exclusive ones never
 * do), with a path both cover: what the console highlights as a conflict on the map. Exact, with the
 * reservation book's own overlap test.
 */
export function overlapsBetweenHolders(leases: MapLease[]): Map<string, LeaseOverlap[]> {
  const out = new Map<string, LeaseOverlap[]>();
  if (leases.length > MAX_LEASES_COMPARED) return out;
  const parsed = new Map<string, ParsedGlob>();
  for (const l of leases) {
    try {
      parsed.set(l.id, parseGlob(l.pattern));
    } catch {
      // Granted patterns always parse; one that no longer does is simply not compared.
    }
  }
  for (let i = 0; i < leases.length; i++) {
    for (let j = i + 1; j < leases.length; j++) {
      const a = leases[i]!;
      const b = leases[j]!;
      if (a.holder.toLowerCase() === b.holder.toLowerCase()) continue;
      const pa = parsed.get(a.id);
      const pb = parsed.get(b.id);
      if (!pa || !pb) continue;
      const example = overlapWitness(pa, pb);
      if (example === undefined) continue;
      out.set(a.id, [...(out.get(a.id) ?? []), { id: b.id, holder: b.holder, example }]);
      out.set(b.id, [...(out.get(b.id) ?? []), { id: a.id, holder: a.holder, example }]);
    }
  }
  return out;
}
