import { ContactPolicy, type MemberKind } from '../../../schemas/agents';
import { CARRIED_BUDGET } from './budget';
import { packDigest, packUuid, unpackDigest, unpackUuid } from './compact-text';
import { arrayBytes, intBytes, jsonBytes, stringBytes } from './json-size';
import { SlotTable } from './slot-table';

/** A member as the directory stores it (carried across continue-as-new). */
export interface MemberRecord {
  name: string;
  kind: MemberKind;
  program?: string;
  model?: string;
  task?: string;
  contactPolicy: ContactPolicy;
  contacts: string[];
  retired: boolean;
  registeredAt: number;
  lastActiveAt: number;
  successfulTasks: number;
  /** SHA-256 of the member's current token: how the Baton server finds the member behind a token. */
  tokenHash: string;
  /**
   * Credential epoch: raised on every rotation and on retirement. The server passes the epoch it saw
   * with each call and a stale one is refused, so a cached token stops working everywhere at once.
   * (Absent in state carried from before epochs existed: read as 0.)
   */
  epoch?: number;
  /** Identity of this registration (a name may be registered again after a project is replaced). */
  id?: string;
  invitedBy?: string;
  /** When the member retired (workflow ms); state from before tombstones reads lastActiveAt. */
  retiredAt?: number;
  /** The member's mailbox workflow is known to run (the messages module sets it). */
  mailbox?: boolean;
}

/**
 * A member as carried since the budget:
 * [name, id (packed uuid) or 0, token hash (packed), flags, program#, model#, task or 0, contacts,
 *  registeredAt, lastActiveAt, successfulTasks, epoch, invitedBy?]
 * flags = kind (0 agent, 1 human) + 2 × contact policy index + 8 × mailbox known; program and model
 * are references into the directory's strings (1-based, 0 for none); times are absolute ms (13 digits
 * until 2286, so a row's size does not change as it is touched).
 */
export type MemberRow = (string | number | string[])[];

/** A retired member: [name, id or 0, token hash, kind 0/1, epoch, registeredAt, retiredAt]. */
export type Tombstone = (string | number)[];

export interface DirectoryStateV2 {
  v: 2;
  /** Programs and models, interned (SlotTable: 0 marks a free slot). */
  s: (string | 0)[];
  m: MemberRow[];
  t: Tombstone[];
}

/** Runs before the budget carried whole records. */
export interface DirectoryStateV1 {
  members: MemberRecord[];
}

/** At most this many active (not retired) members in a project, besides the byte budget. */
export const MAX_ACTIVE_MEMBERS = 5000;
/** Retired members are remembered (so their name stays taken and their token says "retired") up to this many, newest kept. */
export const TOMBSTONES_KEPT = 1000;

const POLICIES = ContactPolicy.options;

/** The upper bound of a new member's row: id and hash as packed, times of 13 digits, small counters. */
function newRowBytes(m: NewMember, refDigits: number): number {
  let bytes = stringBytes(m.name) + stringBytes('x'.repeat(22)) + stringBytes('x'.repeat(43)) + 2 + 2 * refDigits + (m.task ? stringBytes(m.task) : 1) + 2 + 13 + 13 + 1 + 1;
  bytes += 2 + 11; // brackets and commas between 12 elements
  if (m.invitedBy !== undefined) bytes += 1 + stringBytes(m.invitedBy);
  return bytes;
}

/** What admission knows of a member about to be registered or invited. */
export interface NewMember {
  name: string;
  program?: string;
  model?: string;
  task?: string;
  invitedBy?: string;
}

/**
 * The directory's members in their carried form, kept up to date member by member so `bytes` is the
 * exact size of `encode()` as JSON. Retired members are tombstones (name, id, token hash, epoch,
 * times): they keep their name taken and let the server say "retired", and are forgotten oldest first
 * past TOMBSTONES_KEPT or when an active member needs the room (`reclaimable`).
 */
export class MemberRows {
  private readonly strings = new SlotTable<string>(1);
  private readonly costs = new Map<MemberRecord, { bytes: number; program: number; model: number; tomb: boolean }>();
  private activeSum = 0;
  private activeCount = 0;
  private tombSum = 0;
  private tombCount = 0;
  private readonly envelope = jsonBytes({ v: 2, s: 0, m: 0, t: 0 }) - 3;

  /** Exact bytes of `encode()` as JSON. */
  get bytes(): number {
    return this.envelope + this.strings.bytes + arrayBytes(this.activeCount, this.activeSum) + arrayBytes(this.tombCount, this.tombSum);
  }

  /** Bytes that forgetting every tombstone would free (what admission may count as room). */
  get reclaimable(): number {
    return arrayBytes(this.tombCount, this.tombSum) - 2;
  }

  get active(): number {
    return this.activeCount;
  }

  get tombstones(): number {
    return this.tombCount;
  }

  /** An upper bound of the bytes a new member adds: its row, a comma, its program and model if new. */
  costOfNew(m: NewMember): number {
    const strings = [m.program, m.model].filter((s): s is string => s !== undefined && this.strings.find(s) === undefined);
    return newRowBytes(m, intBytes(this.strings.highestSlotWith(2))) + (this.activeCount > 0 ? 1 : 0) + [...new Set(strings)].reduce((n, s) => n + stringBytes(s) + 1, 0);
  }

  /**
   * Admission by bytes: whether `adding` more fits in CARRIED_BUDGET.directory, counting tombstones as
   * room (they are forgotten, oldest first, when an active member needs it); `used` excludes them.
   */
  roomFor(adding: number): { used: number; fits: boolean } {
    const used = this.bytes - this.reclaimable;
    return { used, fits: used + adding <= CARRIED_BUDGET.directory };
  }

  /** A member was added or changed (any field): its row is measured again. */
  put(m: MemberRecord): void {
    const old = this.costs.get(m);
    const tomb = m.retired;
    let program = 0;
    let model = 0;
    if (!tomb) {
      // References stay with the row while it is active (program and model never change after registration).
      program = old && !old.tomb ? old.program : this.ref(m.program);
      model = old && !old.tomb ? old.model : this.ref(m.model);
    }
    if (old) this.drop(m, old, !tomb);
    const bytes = jsonBytes(tomb ? tombstoneOf(m) : rowOf(m, program, model));
    this.costs.set(m, { bytes, program, model, tomb });
    if (tomb) {
      this.tombSum += bytes;
      this.tombCount++;
    } else {
      this.activeSum += bytes;
      this.activeCount++;
    }
  }

  /** A member leaves the carried state (a forgotten tombstone). */
  remove(m: MemberRecord): void {
    const old = this.costs.get(m);
    if (old) this.drop(m, old, false);
    this.costs.delete(m);
  }

  /** Encodes `members` (the directory's own order; each must have been `put`). */
  encode(members: Iterable<MemberRecord>): DirectoryStateV2 {
    const m: MemberRow[] = [];
    const t: Tombstone[] = [];
    for (const member of members) {
      const c = this.costs.get(member)!;
      if (c.tomb) t.push(tombstoneOf(member));
      else m.push(rowOf(member, c.program, c.model));
    }
    return { v: 2, s: this.strings.map<string | 0>((s) => s, () => 0), m, t };
  }

  private drop(_m: MemberRecord, old: { bytes: number; program: number; model: number; tomb: boolean }, keepRefs: boolean): void {
    if (old.tomb) {
      this.tombSum -= old.bytes;
      this.tombCount--;
    } else {
      this.activeSum -= old.bytes;
      this.activeCount--;
      if (!keepRefs) {
        if (old.program) this.strings.release(old.program);
        if (old.model) this.strings.release(old.model);
      }
    }
  }

  private ref(s: string | undefined): number {
    if (s === undefined) return 0;
    return this.strings.acquire(s, () => ({ value: s, cost: stringBytes(s) }));
  }
}

function rowOf(m: MemberRecord, program: number, model: number): MemberRow {
  const flags = (m.kind === 'human' ? 1 : 0) + 2 * POLICIES.indexOf(m.contactPolicy) + (m.mailbox ? 8 : 0);
  const row: MemberRow = [m.name, m.id === undefined ? 0 : packUuid(m.id), packDigest(m.tokenHash), flags, program, model, m.task ?? 0, m.contacts, m.registeredAt, m.lastActiveAt, m.successfulTasks, m.epoch ?? 0];
  if (m.invitedBy !== undefined) row.push(m.invitedBy);
  return row;
}

function tombstoneOf(m: MemberRecord): Tombstone {
  return [m.name, m.id === undefined ? 0 : packUuid(m.id), packDigest(m.tokenHash), m.kind === 'human' ? 1 : 0, m.epoch ?? 0, m.registeredAt, m.retiredAt ?? m.lastActiveAt];
}

/**
 * Members as carried by either version, in carried order (version 2: active members, then
 * tombstones). Tombstones come back as retired records with what they keep (no program, task or
 * contacts; contact policy `block_all`, as nobody reaches a retired member).
 */
export function decodeMembers(state: DirectoryStateV1 | DirectoryStateV2): MemberRecord[] {
  if (!('v' in state)) return state.members;
  const str = (ref: number) => (ref === 0 ? undefined : (state.s[ref - 1] as string));
  const out: MemberRecord[] = [];
  for (const row of state.m) {
    const [name, id, hash, flags, program, model, task, contacts, registeredAt, lastActiveAt, successfulTasks, epoch, invitedBy] = row as [string, string | 0, string, number, number, number, string | 0, string[], number, number, number, number, string?];
    const m: MemberRecord = { name, kind: flags & 1 ? 'human' : 'agent', contactPolicy: POLICIES[(flags >> 1) & 3]!, contacts, retired: false, registeredAt, lastActiveAt, successfulTasks, tokenHash: unpackDigest(hash), epoch };
    if (id !== 0) m.id = unpackUuid(id);
    const p = str(program);
    const mo = str(model);
    if (p !== undefined) m.program = p;
    if (mo !== undefined) m.model = mo;
    if (task !== 0) m.task = task;
    if (invitedBy !== undefined) m.invitedBy = invitedBy;
    if (flags & 8) m.mailbox = true;
    out.push(m);
  }
  for (const t of state.t) {
    const [name, id, hash, kind, epoch, registeredAt, retiredAt] = t as [string, string | 0, string, number, number, number, number];
    const m: MemberRecord = { name, kind: kind === 1 ? 'human' : 'agent', contactPolicy: 'block_all', contacts: [], retired: true, registeredAt, lastActiveAt: retiredAt, retiredAt, successfulTasks: 0, tokenHash: unpackDigest(hash), epoch };
    if (id !== 0) m.id = unpackUuid(id);
    out.push(m);
  }
  return out;
}
