import { CARRIED_BUDGET } from './budget';
import { base64urlToHex, hexToBase64url, packLeaseId, unpackLeaseId } from './compact-text';
import { arrayBytes, intBytes, jsonBytes, stringBytes } from './json-size';
import { SlotTable } from './slot-table';

/** A lease as the reservation book keeps it (times in workflow ms). */
export interface LeaseRecord {
  id: string;
  holder: string;
  pattern: string;
  exclusive: boolean;
  reason: string;
  createdAt: number;
  expiresAt: number;
  requestId?: string;
  via?: string;
  /** When to warn the holder that the lease runs out (workflow ms); unset once warned, or when no warning is due. */
  warnAt?: number;
}

/**
 * Leases as carried by runs before the carried-state budget (version 1):
 * [id, holder#, pattern, exclusive 0/1, reason#, createdAt, expiresAt, requestId#|-1, via#|-1, warnAt|-1],
 * `#` an index into `strings`; warnAt absent in state carried from before expiry warnings.
 */
export type LeaseTupleV1 = [string, number, string, number, number, number, number, number, number, number?];

/**
 * Leases as carried since the budget (version 2). Everything several leases share is written once:
 * - `s`: strings (holders, reasons, request ids, pattern workflows acting for a holder); a reference is
 *   the 1-based slot, 0 for none; a free slot is `0`.
 * - `d`: directories of patterns, flat pairs `parent, segment` (node k at 2k-2, 2k-1; parent 0 is the
 *   repository root); a free slot is `0, 0`. `src/api/users.ts` is node "src" → node "api" + leaf.
 * - `p`: profiles `[holder, reason, requestId, via, exclusive 0/1, expiresAt - createdAt, expiresAt - warnAt]`
 *   (the last left out when no warning is due); a free slot is `0`.
 * - `g`: groups of leases with one profile and one creation time (a 200-pattern reserve is one group):
 *   `[profile, createdAt - b, id prefix, id, directory, leaf, id, directory, leaf, ...]`. The leases of
 *   one reserve share the first 12 hex digits of their ids (reservations.ts#newIds): the group writes
 *   them once (8 base64url characters, or 0), and a lease whose id has them writes only its last 4
 *   hex digits as a number; any other id is written packed (compact-text.ts#packLeaseId).
 * - `nw`: 1 when the run that wrote it did not warn holders yet (runs from before expiry warnings):
 *   the next run schedules warnings for leases without one.
 */
export interface LeaseSectionV2 {
  v: 2;
  /** Base time (ms) of the groups' creation times. */
  b: number;
  s: (string | 0)[];
  d: (number | string)[];
  p: (number[] | 0)[];
  g: (number | string)[][];
  nw?: 1;
}

/** A lease as decoded, with whether its warning time is known (version 1 state may predate warnings). */
export interface DecodedLease {
  lease: LeaseRecord;
  warnAtUnknown: boolean;
}

/** What a reserve is about to add, for the admission check (ids are made later; they take 11 characters). */
export interface LeasePlan {
  holder: string;
  reason: string;
  requestId?: string;
  via?: string;
  /** Patterns of new leases. */
  patterns: string[];
  /** Creation times of the holder's own leases the reserve extends (each moves to a new group). */
  extendedCreatedAt: number[];
}

interface Group {
  profile: number;
  created: number;
  /** The first 12 hex digits of its leases' ids (from its first lease), or undefined. */
  prefix: string | undefined;
  /** Member cost by lease id (leading comma included). */
  members: Map<string, number>;
  sum: number;
}

interface Placed {
  group: string;
  node: number;
  leaf: string;
}

/** An id as a new lease may write it: packed whole (13 bytes) when it does not share its group's prefix. */
const NEW_ID_BYTES = stringBytes(packLeaseId('r-0000000000000000'));
/** A group's id prefix as written: 12 hex digits as 8 base64url characters, quoted. */
const PREFIX_BYTES = 10;
const LEASE_ID = /^r-([0-9a-f]{12})([0-9a-f]{4})$/;

/**
 * The reservation book's leases in their carried form, kept up to date lease by lease so that `bytes`
 * is always the exact size of `encode()` as JSON (no re-encoding to know it): the admission check
 * compares it with the budget (budget.ts) before a reserve is granted. Pure (no Temporal), so the
 * workflow and the tests run the same code.
 *
 * Cost of a lease: its packed id (13 bytes), its directory reference and its leaf (the file name) with
 * separators, ~20 bytes plus the leaf; a group adds its header (~20 bytes) once, directories and
 * profiles are paid once however many leases share them.
 */
export class LeaseTable {
  private readonly strings = new SlotTable<string>(1);
  private readonly nodes = new SlotTable<[number, string]>(3);
  private readonly profiles = new SlotTable<number[]>(1);
  private readonly groups = new Map<string, Group>();
  private readonly placed = new Map<string, Placed>();
  private groupSum = 0;
  private readonly envelope: number;

  /** `base`: the run's own time base for creation times (e.g. when the run started), fixed for its life. */
  constructor(readonly base: number) {
    this.envelope = jsonBytes({ v: 2, b: base, s: 0, d: 0, p: 0, g: 0 }) - 4;
  }

  get size(): number {
    return this.placed.size;
  }

  /** Exact bytes of `encode()` as JSON (`nw`, 7 bytes more, is written only by runs from before warnings). */
  get bytes(): number {
    return this.envelope + this.strings.bytes + this.nodes.bytes + this.profiles.bytes + arrayBytes(this.groups.size, this.groupSum);
  }

  add(lease: LeaseRecord): void {
    if (this.placed.has(lease.id)) throw new Error(`lease ${lease.id} is already in the table`);
    const profile = this.profiles.acquire(profileKeyOf(lease), () => {
      const row = [this.ref(lease.holder), this.ref(lease.reason), this.ref(lease.requestId), this.ref(lease.via), lease.exclusive ? 1 : 0, lease.expiresAt - lease.createdAt];
      if (lease.warnAt !== undefined) row.push(lease.expiresAt - lease.warnAt);
      return { value: row, cost: jsonBytes(row) };
    });
    const groupKey = `${profile}:${lease.createdAt}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { profile, created: lease.createdAt - this.base, prefix: LEASE_ID.exec(lease.id)?.[1], members: new Map(), sum: 0 };
      this.groups.set(groupKey, group);
      this.groupSum += groupHeaderBytes(group);
    } else {
      // A profile is held once per group, whatever the number of its leases.
      this.profiles.release(profile);
    }
    const { dirs, leaf } = splitPattern(lease.pattern);
    const node = this.holdPath(dirs);
    const cost = memberBytes(idIn(group, lease.id), node, leaf);
    group.members.set(lease.id, cost);
    group.sum += cost;
    this.groupSum += cost;
    this.placed.set(lease.id, { group: groupKey, node, leaf });
  }

  remove(id: string): void {
    const placed = this.placed.get(id);
    if (!placed) return;
    this.placed.delete(id);
    const group = this.groups.get(placed.group)!;
    const cost = group.members.get(id)!;
    group.members.delete(id);
    group.sum -= cost;
    this.groupSum -= cost;
    if (group.members.size === 0) {
      this.groupSum -= groupHeaderBytes(group);
      this.groups.delete(placed.group);
      const row = this.profiles.release(group.profile);
      if (row) for (const ref of row.slice(0, 4)) if (ref > 0) this.strings.release(ref);
    }
    this.releasePath(placed.node);
  }

  /** A lease changed (expiry, warning, mode, reason): it moves to the group of its new profile. */
  update(lease: LeaseRecord): void {
    this.remove(lease.id);
    this.add(lease);
  }

  /**
   * An upper bound of the bytes a reserve adds (never less than it will): its new strings, a profile
   * and a group header for the new leases and for each creation time of the leases it extends (they
   * move; their own cost stays the same), each new lease, each directory not yet in the table.
   * References are counted at the digits of the highest slot they could take.
   */
  costOf(plan: LeasePlan): number {
    const newStrings = new Set([plan.holder, plan.reason, plan.requestId, plan.via].filter((s): s is string => s !== undefined && this.strings.find(s) === undefined));
    let bytes = [...newStrings].reduce((n, s) => n + stringBytes(s) + 1, 0);
    const stringRef = intBytes(this.strings.highestSlotWith(newStrings.size));
    const groupsMade = (plan.patterns.length ? 1 : 0) + new Set(plan.extendedCreatedAt).size;
    const profileRef = intBytes(this.profiles.highestSlotWith(groupsMade));
    // A profile row: 4 string references, exclusive, TTL and warning lead (up to a year in ms, 11 digits).
    const profileRow = 2 + 4 * stringRef + 1 + 11 + 11 + 6 + 1;
    // A group header: profile reference, creation time (ms from this run's base: 12 characters is
    // three years either way) and id prefix.
    const groupHeader = 2 + profileRef + 1 + 12 + 1 + PREFIX_BYTES + 1;
    bytes += groupsMade * (profileRow + groupHeader);
    const newNodes = new Map<string, number>();
    const members: { leafBytes: number; node: number | undefined }[] = [];
    for (const pattern of plan.patterns) {
      const { dirs, leaf } = splitPattern(pattern);
      let node: number | undefined = 0;
      dirs.forEach((segment, i) => {
        const known: number | undefined = node === undefined ? undefined : this.nodes.find(nodeKey(node, segment));
        if (known === undefined) {
          const path = dirs.slice(0, i + 1).join('/');
          if (!newNodes.has(path)) newNodes.set(path, stringBytes(segment));
        }
        node = known;
      });
      members.push({ leafBytes: stringBytes(leaf), node });
    }
    const nodeRef = intBytes(this.nodes.highestSlotWith(newNodes.size));
    for (const segment of newNodes.values()) bytes += nodeRef + 1 + segment + 1;
    for (const m of members) bytes += 1 + NEW_ID_BYTES + 1 + (m.node === undefined ? nodeRef : intBytes(m.node)) + 1 + m.leafBytes;
    return bytes;
  }

  /** Admission by bytes: what `plan` would add (costOf) and whether it fits in CARRIED_BUDGET.leases. */
  roomFor(plan: LeasePlan): { adding: number; fits: boolean } {
    const adding = this.costOf(plan);
    return { adding, fits: this.bytes + adding <= CARRIED_BUDGET.leases };
  }

  encode(): LeaseSectionV2 {
    return {
      v: 2,
      b: this.base,
      s: this.strings.map<string | 0>((s) => s, () => 0),
      d: this.nodes.map((pair): (number | string)[] => pair, () => [0, 0]).flat(),
      p: this.profiles.map<number[] | 0>((row) => row, () => 0),
      g: [...this.groups.values()].map((g) => {
        const out: (number | string)[] = [g.profile, g.created, g.prefix === undefined ? 0 : hexToBase64url(g.prefix)!];
        for (const id of g.members.keys()) {
          const { node, leaf } = this.placed.get(id)!;
          out.push(idIn(g, id), node, leaf);
        }
        return out;
      }),
    };
  }

  private ref(s: string | undefined): number {
    if (s === undefined) return 0;
    return this.strings.acquire(s, () => ({ value: s, cost: stringBytes(s) }));
  }

  /**
   * The node of a lease's directories, made as needed, held once more for the lease. A node is held by
   * each of its child nodes and each lease in it; a new node's first hold is the child or lease that
   * made it.
   */
  private holdPath(dirs: string[]): number {
    let parent = 0;
    let parentIsNew = false;
    for (const segment of dirs) {
      const key = nodeKey(parent, segment);
      const known = this.nodes.find(key);
      if (known !== undefined) {
        parent = known;
        parentIsNew = false;
        continue;
      }
      if (parent !== 0 && !parentIsNew) this.nodes.hold(parent);
      const made = parent;
      parent = this.nodes.acquire(key, () => ({ value: [made, segment], cost: intBytes(made) + 1 + stringBytes(segment) }));
      parentIsNew = true;
    }
    if (parent !== 0 && !parentIsNew) this.nodes.hold(parent);
    return parent;
  }

  /** Lets go of a lease's node; a node nobody holds any more is freed and lets go of its parent. */
  private releasePath(node: number): void {
    let slot = node;
    while (slot !== 0) {
      const freed = this.nodes.release(slot);
      if (!freed) return;
      slot = freed[0];
    }
  }
}

/**
 * Decodes carried leases of either version, in their carried order. Version 1 leases without a warning
 * time (from before expiry warnings) come back with `warnAtUnknown`; so do version 2 leases written by
 * a run that did not warn yet (`nw`).
 */
export function decodeLeases(state: { v: 1; strings: string[]; leases: LeaseTupleV1[] } | { v: 2; leases: LeaseSectionV2 }): DecodedLease[] {
  if (state.v === 1) {
    const str = (i: number) => (i < 0 ? undefined : state.strings[i]);
    return state.leases.map(([id, holder, pattern, exclusive, reason, createdAt, expiresAt, requestId, via, warnAt]) => {
      const lease: LeaseRecord = { id, holder: str(holder)!, pattern, exclusive: exclusive === 1, reason: str(reason)!, createdAt, expiresAt };
      const r = str(requestId);
      const v = str(via);
      if (r !== undefined) lease.requestId = r;
      if (v !== undefined) lease.via = v;
      if (warnAt !== undefined && warnAt >= 0) lease.warnAt = warnAt;
      return { lease, warnAtUnknown: warnAt === undefined };
    });
  }
  const t = state.leases;
  const str = (ref: number) => (ref === 0 ? undefined : (t.s[ref - 1] as string));
  const dir = (node: number): string => {
    const parts: string[] = [];
    for (let n = node; n !== 0; n = t.d[2 * n - 2] as number) parts.push(t.d[2 * n - 1] as string);
    return parts.reverse().map((p) => `${p}/`).join('');
  };
  const out: DecodedLease[] = [];
  for (const group of t.g) {
    const [h, r, q, via, x, ttl, lead] = t.p[(group[0] as number) - 1] as number[];
    const createdAt = t.b + (group[1] as number);
    const prefix = group[2] === 0 ? '' : base64urlToHex(group[2] as string, 6);
    const idOf = (written: number | string) => (typeof written === 'number' ? `r-${prefix}${written.toString(16).padStart(4, '0')}` : unpackLeaseId(written));
    for (let i = 3; i < group.length; i += 3) {
      const lease: LeaseRecord = { id: idOf(group[i]!), holder: str(h!)!, pattern: dir(group[i + 1] as number) + (group[i + 2] as string), exclusive: x === 1, reason: str(r!)!, createdAt, expiresAt: createdAt + ttl! };
      const requestId = str(q!);
      const by = str(via!);
      if (requestId !== undefined) lease.requestId = requestId;
      if (by !== undefined) lease.via = by;
      if (lead !== undefined) lease.warnAt = lease.expiresAt - lead;
      out.push({ lease, warnAtUnknown: t.nw === 1 && lead === undefined });
    }
  }
  return out;
}

/** `src/api/users.ts` → directories ["src", "api"] and leaf "users.ts"; joined with "/" it is the pattern again, whatever the text. */
export function splitPattern(pattern: string): { dirs: string[]; leaf: string } {
  const dirs = pattern.split('/');
  const leaf = dirs.pop()!;
  return { dirs, leaf };
}

function nodeKey(parent: number, segment: string): string {
  return `${parent}/${segment}`;
}

function profileKeyOf(lease: LeaseRecord): string {
  return JSON.stringify([lease.holder, lease.reason, lease.requestId ?? null, lease.via ?? null, lease.exclusive, lease.expiresAt - lease.createdAt, lease.warnAt === undefined ? null : lease.expiresAt - lease.warnAt]);
}

function groupHeaderBytes(group: Group): number {
  return 2 + intBytes(group.profile) + 1 + intBytes(group.created) + 1 + (group.prefix === undefined ? 1 : PREFIX_BYTES);
}

/** A lease's id as its group writes it: the last 4 hex digits as a number when it has the group's prefix. */
function idIn(group: Group, id: string): number | string {
  const m = LEASE_ID.exec(id);
  return m && m[1] === group.prefix ? parseInt(m[2]!, 16) : packLeaseId(id);
}

function memberBytes(written: number | string, node: number, leaf: string): number {
  return 1 + (typeof written === 'number' ? intBytes(written) : stringBytes(written)) + 1 + intBytes(node) + 1 + stringBytes(leaf);
}
