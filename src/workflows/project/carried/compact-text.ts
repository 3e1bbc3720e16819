/**
 * Lossless shorter spellings for carried state. Hex digests and random hex ids are the bulk of some
 * sections: base64url (RFC 4648 §5, no padding) writes the same bits in 2/3 of the characters. Written
 * by hand because the workflow sandbox has no Buffer, and these are a few lines.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Lower-case hex of an even length to base64url; undefined when `hex` is not such hex. */
export function hexToBase64url(hex: string): string | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return undefined;
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; i < hex.length; i += 2) {
    value = (value << 8) | parseInt(hex.slice(i, i + 2), 16);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 63];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 63];
  return out;
}

/** The inverse of hexToBase64url for `bytes` bytes; throws on a character outside base64url. */
export function base64urlToHex(text: string, bytes: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const v = INDEX.get(c);
    if (v === undefined) throw new Error(`"${text}" is not base64url`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += ((value >> bits) & 255).toString(16).padStart(2, '0');
      value &= (1 << bits) - 1;
    }
  }
  return out.slice(0, bytes * 2);
}

const LEASE_ID = /^r-([0-9a-f]{16})$/;

/**
 * A lease id (`r-` + 16 hex, reservations.ts#newId) as 11 base64url characters; any other spelling
 * (none is made today) is kept whole behind `~`, which base64url never uses.
 */
export function packLeaseId(id: string): string {
  const m = LEASE_ID.exec(id);
  return m ? hexToBase64url(m[1]!)! : `~${id}`;
}

export function unpackLeaseId(packed: string): string {
  return packed.startsWith('~') ? packed.slice(1) : `r-${base64urlToHex(packed, 8)}`;
}

/** A SHA-256 hex digest (64 hex) as 43 base64url characters; other text kept whole behind `~`. */
export function packDigest(hex: string): string {
  return hex.length === 64 ? (hexToBase64url(hex) ?? `~${hex}`) : `~${hex}`;
}

export function unpackDigest(packed: string): string {
  return packed.startsWith('~') ? packed.slice(1) : base64urlToHex(packed, 32);
}

/** A UUID (8-4-4-4-12 lower-case hex) as 22 base64url characters; other text kept whole behind `~`. */
export function packUuid(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? hexToBase64url(id.replace(/-/g, ''))! : `~${id}`;
}

export function unpackUuid(packed: string): string {
  if (packed.startsWith('~')) return packed.slice(1);
  const h = base64urlToHex(packed, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
