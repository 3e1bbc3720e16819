import { utf8Length } from '../../../domain/messages/limits';

/**
 * Sizes as Temporal stores them: its default payload converter writes a value as `JSON.stringify`
 * encoded in UTF-8, so a value's cost in a payload is exactly these bytes. Pure (no Buffer or
 * TextEncoder), so the workflow sandbox and the tests measure the same way.
 */

/** UTF-8 bytes of `value` as JSON (undefined object fields are left out, as JSON.stringify does). */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? 'null');
}

/** UTF-8 bytes of a string as a JSON string, quotes and escapes included. */
export function stringBytes(text: string): number {
  return utf8Length(JSON.stringify(text));
}

/** Characters of an integer as JSON (sign included). */
export function intBytes(n: number): number {
  return String(n).length;
}

/** Bytes of a JSON array whose elements cost `sum` bytes in all: brackets plus a comma between each two. */
export function arrayBytes(count: number, sum: number): number {
  return 2 + sum + Math.max(0, count - 1);
}
