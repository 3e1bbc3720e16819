/**
 * Bounded collections for carried workflow state: state crosses continue-as-new as one payload, so
 * every list that grows with traffic keeps only its most recent entries.
 */

/** Keep the last `max` entries of an insertion-ordered map (oldest dropped first). */
export function trimMap<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

/** Keep the last `max` items of an array, in place. */
export function trimArray<T>(items: T[], max: number): void {
  if (items.length > max) items.splice(0, items.length - max);
}
