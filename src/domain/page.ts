/**
 * Pagination of list answers. A workflow query's answer is one payload (Temporal refuses more than
 * 2 MiB), and an HTTP answer should stay readable: a page holds at most `limit` items and stops before
 * PAGE_BYTES of them; `next` then says where the following page starts (pass it back as `after`).
 */

/** Bytes of items (as JSON) a page stops before: half the payload limit, so envelopes never matter. */
export const PAGE_BYTES = 1_000_000;

export interface Page<T> {
  items: T[];
  /** Cursor of the following page; absent on the last page. */
  next?: string;
}

/**
 * The first `limit` items of `ordered` (already past the cursor) within PAGE_BYTES (`size` of each, in
 * bytes; at least one item is always taken), and the cursor after the last one taken when more remain.
 */
export function takePage<T>(ordered: T[], limit: number, size: (item: T) => number, cursorOf: (item: T) => string, maxBytes = PAGE_BYTES): Page<T> {
  const items: T[] = [];
  let bytes = 0;
  for (const item of ordered) {
    if (items.length >= limit) break;
    const b = size(item) + 1;
    if (items.length > 0 && bytes + b > maxBytes) break;
    items.push(item);
    bytes += b;
  }
  return items.length < ordered.length ? { items, next: cursorOf(items[items.length - 1]!) } : { items };
}
