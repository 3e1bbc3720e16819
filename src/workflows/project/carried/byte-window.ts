import { arrayBytes } from './json-size';

/**
 * The most recent entries of a carried cache, bounded by count and by bytes: an entry's size is
 * measured once, when it is set, by the same encoding the snapshot writes, so `bytes` is always the
 * exact size of `encode()` as JSON. Oldest entries are dropped first (insertion order; setting a key
 * again makes it the newest). An entry that alone would not fit is not kept (the caller treats it as
 * already forgotten).
 */
export class ByteWindow<K, V, E = unknown> {
  private readonly items = new Map<K, { value: V; bytes: number }>();
  private sum = 0;

  constructor(
    readonly limits: { count: number; bytes: number },
    /** The entry as carried (one element of the encoded array). */
    private readonly encodeEntry: (key: K, value: V) => E,
    /** Its size in bytes (jsonBytes of encodeEntry's result). */
    private readonly measure: (entry: E) => number,
  ) {}

  /** Exact bytes of `encode()` as JSON. */
  get bytes(): number {
    return arrayBytes(this.items.size, this.sum);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: K): V | undefined {
    return this.items.get(key)?.value;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /** Keeps `value` as the newest entry, then drops the oldest past the limits; false when it alone does not fit. */
  set(key: K, value: V): boolean {
    this.delete(key);
    const bytes = this.measure(this.encodeEntry(key, value));
    if (arrayBytes(1, bytes) > this.limits.bytes) return false;
    this.items.set(key, { value, bytes });
    this.sum += bytes;
    this.trim();
    return true;
  }

  delete(key: K): boolean {
    const item = this.items.get(key);
    if (!item) return false;
    this.items.delete(key);
    this.sum -= item.bytes;
    return true;
  }

  /** Drops the oldest entries while `expired(key, value)` holds for them (e.g. older than a day). */
  dropOldestWhile(expired: (key: K, value: V) => boolean): void {
    for (const [key, { value }] of this.items) {
      if (!expired(key, value)) return;
      this.delete(key);
    }
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [key, { value }] of this.items) yield [key, value];
  }

  *values(): IterableIterator<V> {
    for (const { value } of this.items.values()) yield value;
  }

  encode(): E[] {
    return [...this.items].map(([key, { value }]) => this.encodeEntry(key, value));
  }

  private trim(): void {
    for (const key of this.items.keys()) {
      if (this.items.size <= this.limits.count && this.bytes <= this.limits.bytes) return;
      this.delete(key);
    }
  }
}
