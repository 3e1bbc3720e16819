import { arrayBytes } from './json-size';

/**
 * A carried table whose entries keep their position (slot) while something refers to them, so a
 * reference written elsewhere in the carried state stays valid and its cost (the digits of its slot)
 * stays fixed: that is what lets the byte count of a section be kept exactly as it changes, instead of
 * re-encoding it. Slots are 1-based (0 means "none" in a reference); a freed slot is written as a hole
 * (`holeCost` bytes) and reused first (last freed, first reused), so holes never outnumber the peak.
 *
 * `bytes` is the exact size of the encoded JSON array: entries and holes, commas and brackets.
 */
export class SlotTable<V> {
  private readonly values: (V | undefined)[] = [];
  private readonly keys: (string | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly costs: number[] = [];
  private readonly bySlotKey = new Map<string, number>();
  private readonly free: number[] = [];
  private sum = 0;

  constructor(private readonly holeCost: number) {}

  /** Bytes of the encoded array. */
  get bytes(): number {
    return arrayBytes(this.values.length, this.sum);
  }

  /** Slots in use or free (the encoded array's length). */
  get length(): number {
    return this.values.length;
  }

  find(key: string): number | undefined {
    return this.bySlotKey.get(key);
  }

  value(slot: number): V {
    const v = this.values[slot - 1];
    if (v === undefined) throw new Error(`slot ${slot} is free`);
    return v;
  }

  /**
   * One more reference to the entry under `key`; a new entry takes the next slot and is made by
   * `make(slot)`, which returns its value and the bytes it costs in the encoded array.
   */
  acquire(key: string, make: (slot: number) => { value: V; cost: number }): number {
    const known = this.bySlotKey.get(key);
    if (known !== undefined) {
      this.refs[known - 1]! += 1;
      return known;
    }
    const slot = this.free.pop() ?? this.values.length + 1;
    const { value, cost } = make(slot);
    if (slot > this.values.length) this.sum += cost;
    else this.sum += cost - this.holeCost;
    this.values[slot - 1] = value;
    this.keys[slot - 1] = key;
    this.refs[slot - 1] = 1;
    this.costs[slot - 1] = cost;
    this.bySlotKey.set(key, slot);
    return slot;
  }

  /** One more reference to the entry in `slot`. */
  hold(slot: number): void {
    if (this.values[slot - 1] === undefined) throw new Error(`slot ${slot} is free`);
    this.refs[slot - 1]! += 1;
  }

  /** One reference fewer; the entry's value when that was the last one (its slot is then free). */
  release(slot: number): V | undefined {
    const left = (this.refs[slot - 1]! -= 1);
    if (left > 0) return undefined;
    const value = this.values[slot - 1];
    this.bySlotKey.delete(this.keys[slot - 1]!);
    this.sum += this.holeCost - this.costs[slot - 1]!;
    this.values[slot - 1] = undefined;
    this.keys[slot - 1] = undefined;
    this.costs[slot - 1] = this.holeCost;
    this.free.push(slot);
    return value;
  }

  /** The highest slot `more` new entries could take (for upper bounds of a reference's digits). */
  highestSlotWith(more: number): number {
    return this.values.length + Math.max(0, more - this.free.length);
  }

  /** Entries in slot order, holes as `hole(slot)`. */
  map<T>(entry: (value: V, slot: number) => T, hole: () => T): T[] {
    return this.values.map((v, i) => (v === undefined ? hole() : entry(v, i + 1)));
  }
}
