import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { temporal } from '@temporalio/proto';
import { alertBytes, ALERT_LIMITS, decodeAlerts, encodeAlerts } from '../../src/workflows/project/carried/alert-rows';
import { AuditWindow, type AuditRecord } from '../../src/workflows/project/carried/audit-window';
import { CARRIED_BUDGET, CARRIED_BUDGET_TOTAL, PAYLOAD_LIMIT_BYTES, formatBytes } from '../../src/workflows/project/carried/budget';
import { ByteWindow } from '../../src/workflows/project/carried/byte-window';
import { decodeJob, encodeJob, type DeliveryJob } from '../../src/workflows/project/carried/delivery-jobs';
import { jsonBytes } from '../../src/workflows/project/carried/json-size';
import { LeaseTable, decodeLeases, type LeaseRecord, type LeaseTupleV1 } from '../../src/workflows/project/carried/lease-table';
import { MessageCaches, requestKey } from '../../src/workflows/project/carried/message-caches';
import { MAX_ACTIVE_MEMBERS, MemberRows, decodeMembers, type MemberRecord } from '../../src/workflows/project/carried/member-rows';
import { ReserveAnswers } from '../../src/workflows/project/carried/reserve-answers';
import type { Alert } from '../../src/schemas/alerts';
import { ProjectSettings } from '../../src/schemas/project';
import { MAX_PATTERN_LENGTH } from '../../src/domain/reservations/policy';
import { compose } from '../../src/domain/notifications/compose';
import { NOTIFICATION_BYTES, NOTIFICATION_COUNTS } from '../../src/workflows/project/notifications';

/**
 * The project workflow's carried state (its continue-as-new input, one payload that Temporal refuses
 * above 2 MiB) measured at the limits the admission rules allow, through the encoders the workflow
 * uses (src/workflows/project/carried/*). Also: the live byte counts are exact, and state carried by
 * runs from before the budget (a recorded history's input) still decodes.
 */

const T0 = 1_790_000_000_000;
const HOUR = 3_600_000;
const sizes: Record<string, number> = {};
const hex16 = (n: number) => n.toString(16).padStart(16, '0');
const uuid = (n: number) => `${hex16(n).slice(0, 8)}-${hex16(n).slice(8, 12)}-4${hex16(n).slice(13, 16)}-8000-${n.toString(16).padStart(12, '0')}`;
const name = (prefix: string, n: number, length = 64) => `${prefix}${n}`.padEnd(length, 'x');
const sorted = (leases: LeaseRecord[]) => [...leases].sort((a, b) => a.id.localeCompare(b.id));
/** The id of the `i`-th lease of reserve call `call`, as the reservation book makes them (a random prefix per reserve, a count after it). */
const idOf = (call: number, i: number) => `r-${((call * 2654435761) % 2 ** 48).toString(16).padStart(12, '0')}${i.toString(16).padStart(4, '0')}`;

function lease(n: number, over: Partial<LeaseRecord> = {}): LeaseRecord {
  const createdAt = over.createdAt ?? T0 + n;
  const l: LeaseRecord = { id: `r-${hex16(n)}`, holder: 'SilverPhoenix', pattern: `src/a/${n}.ts`, exclusive: true, reason: 'fix', createdAt, expiresAt: createdAt + HOUR, warnAt: createdAt + HOUR - 600_000, ...over };
  if (over.warnAt === undefined && 'warnAt' in over) delete l.warnAt;
  return l;
}

/** Fills a table as the reservation book's admission would: one reserve at a time while it fits (count and bytes). */
function admit(table: LeaseTable, reserves: Iterable<LeaseRecord[]>): number {
  let refusedAt = -1;
  for (const leases of reserves) {
    const [first] = leases;
    if (!first) continue;
    const plan = { holder: first.holder, reason: first.reason, patterns: leases.map((l) => l.pattern), extendedCreatedAt: [], ...(first.requestId ? { requestId: first.requestId } : {}) };
    const { adding, fits } = table.roomFor(plan);
    if (table.size + leases.length > 20_000 || !fits) {
      refusedAt = table.size;
      break;
    }
    const before = table.bytes;
    for (const l of leases) table.add(l);
    // What admission counted is an upper bound of what the reserve added.
    if (table.bytes - before > adding) throw new Error(`a reserve added ${table.bytes - before} bytes, admission counted ${adding}`);
  }
  return refusedAt;
}

describe('lease table (exact bytes, lossless)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), holder: fc.constantFrom('Ada', 'Bo"b', 'Çelik'), dirs: fc.array(fc.constantFrom('src', 'api', 'x y', 'ü', '{a,b}'), { maxLength: 4 }), leaf: fc.string({ maxLength: 12 }), exclusive: fc.boolean(), ttl: fc.integer({ min: 60_000, max: 365 * 24 * HOUR }), warn: fc.boolean(), requestId: fc.option(fc.constantFrom('r1', 'r2')), via: fc.option(fc.constant('wf-1')), at: fc.integer({ min: -1e10, max: 1e10 }) }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('renew' as const), pick: fc.nat(), by: fc.integer({ min: 1, max: 1e9 }) }),
  );

  it('keeps `bytes` equal to the size of its encoding, and decodes to the same leases, through any adds, removals and changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const table = new LeaseTable(T0);
        const live = new Map<string, LeaseRecord>();
        let n = 0;
        for (const o of ops) {
          const ids = [...live.keys()];
          if (o.kind === 'add') {
            const createdAt = T0 + o.at;
            const l: LeaseRecord = { id: `r-${hex16(n++)}`, holder: o.holder, pattern: [...o.dirs, o.leaf].join('/'), exclusive: o.exclusive, reason: 'r', createdAt, expiresAt: createdAt + o.ttl };
            if (o.warn) l.warnAt = l.expiresAt - Math.floor(o.ttl / 10);
            if (o.requestId) l.requestId = o.requestId;
            if (o.via) l.via = o.via;
            table.add(l);
            live.set(l.id, l);
          } else if (ids.length) {
            const l = live.get(ids[o.pick % ids.length]!)!;
            if (o.kind === 'remove') {
              table.remove(l.id);
              live.delete(l.id);
            } else {
              l.expiresAt += o.by;
              delete l.warnAt;
              table.update(l);
            }
          }
          expect(table.bytes).toBe(jsonBytes(table.encode()));
        }
        const decoded = decodeLeases({ v: 2, leases: JSON.parse(JSON.stringify(table.encode())) });
        expect(sorted(decoded.map((d) => d.lease))).toEqual(sorted([...live.values()]));
        expect(decoded.every((d) => !d.warnAtUnknown)).toBe(true);
      }),
    );
  });

  it('never adds more than costOf says a reserve would (the admission check is an upper bound)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('src', 'api', 'lib', 'deep'), { maxLength: 5 }), { minLength: 1, maxLength: 30 }), fc.nat({ max: 40 }), (paths, existing) => {
        const table = new LeaseTable(T0);
        for (let i = 0; i < existing; i++) table.add(lease(1_000_000 + i, { pattern: `src/api/e${i}.ts`, holder: `H${i % 3}` }));
        const patterns = paths.map((dirs, i) => [...dirs, `f${i}.ts`].join('/'));
        const planned = table.costOf({ holder: 'New', reason: 'new reason', requestId: 'req-9', patterns, extendedCreatedAt: [] });
        const before = table.bytes;
        patterns.forEach((pattern, i) => table.add(lease(i, { pattern, holder: 'New', reason: 'new reason', requestId: 'req-9', createdAt: T0 + 5 })));
        expect(table.bytes - before).toBeLessThanOrEqual(planned);
      }),
    );
  });

  it('decodes leases carried by runs before the budget (version 1 tuples), warning times included or to be computed', () => {
    const strings = ['Ada', 'fix', 'req-1', 'wf-7'];
    const leases: LeaseTupleV1[] = [
      ['r-00000000000000aa', 0, 'src/a.ts', 1, 1, T0, T0 + HOUR, 2, 3, T0 + HOUR - 600_000],
      ['r-00000000000000bb', 0, 'docs/', 0, 1, T0, T0 + HOUR, -1, -1, -1],
      ['r-00000000000000cc', 0, 'lib/{x,y}.ts', 1, 1, T0, T0 + HOUR, -1, -1],
    ];
    expect(decodeLeases({ v: 1, strings, leases })).toEqual([
      { lease: { id: 'r-00000000000000aa', holder: 'Ada', pattern: 'src/a.ts', exclusive: true, reason: 'fix', createdAt: T0, expiresAt: T0 + HOUR, requestId: 'req-1', via: 'wf-7', warnAt: T0 + HOUR - 600_000 }, warnAtUnknown: false },
      { lease: { id: 'r-00000000000000bb', holder: 'Ada', pattern: 'docs/', exclusive: false, reason: 'fix', createdAt: T0, expiresAt: T0 + HOUR }, warnAtUnknown: false },
      { lease: { id: 'r-00000000000000cc', holder: 'Ada', pattern: 'lib/{x,y}.ts', exclusive: true, reason: 'fix', createdAt: T0, expiresAt: T0 + HOUR }, warnAtUnknown: true },
    ]);
  });
});

describe('byte window', () => {
  it('drops the oldest entries past its count or its bytes, keeps `bytes` exact, and keeps no entry that alone would not fit', () => {
    const window = new ByteWindow<string, string, [string, string]>({ count: 3, bytes: 50 }, (k, v) => [k, v], jsonBytes);
    window.set('a', 'x'.repeat(10));
    window.set('b', 'y'.repeat(10));
    window.set('c', 'z'.repeat(10));
    expect([...window.entries()].map(([k]) => k)).toEqual(['b', 'c']);
    expect(window.bytes).toBe(jsonBytes(window.encode()));
    expect(window.set('big', 'w'.repeat(100))).toBe(false);
    expect([...window.entries()].map(([k]) => k)).toEqual(['b', 'c']);
    window.set('b', 'v');
    expect([...window.entries()].map(([k]) => k)).toEqual(['c', 'b']);
    expect(window.bytes).toBe(jsonBytes(window.encode()));
  });
});

describe('carried state at the admission limits', () => {
  const settings = ProjectSettings.parse({});
  let leases: ReturnType<LeaseTable['encode']>;

  it('leases: 20,000 single-file reserves fit with the longest file names the budget lets in; longer ones are refused by bytes before the count limit', () => {
    // Each lease its own reserve call (its own group: the worst grouping), 100 holders, deep shared directories.
    const build = (leafLength: number) => {
      const table = new LeaseTable(T0);
      const reserves = function* () {
        for (let i = 0; i < 20_000; i++) {
          const holder = name('Agent', i % 100, 20);
          yield [lease(i, { id: idOf(i, 0), holder, reason: `task ${i % 100}`, pattern: `packages/service-${i % 20}/src/modules/feature-${i % 200}/components/${String(i).padStart(leafLength, 'f')}` })];
        }
      };
      return { table, refusedAt: admit(table, reserves()) };
    };
    let lo = 1;
    let hi = 200;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (build(mid).refusedAt === -1) lo = mid;
      else hi = mid - 1;
    }
    const fit = build(lo);
    const over = build(lo + 1);
    expect(fit.refusedAt).toBe(-1);
    expect(fit.table.size).toBe(20_000);
    expect(fit.table.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.leases);
    expect(over.refusedAt).toBeGreaterThan(0);
    expect(over.refusedAt).toBeLessThan(20_000);
    console.log(`leases: 20,000 single-file leases (one reserve each) fit with file names up to ${lo} characters (paths ~${80 + lo}): ${formatBytes(fit.table.bytes)}; with ${lo + 1}, the budget refuses at lease ${over.refusedAt}`);

    // Renewing every lease regroups them (new profiles): what admission does not see, the margin covers.
    const all = decodeLeases({ v: 2, leases: fit.table.encode() }).map((d) => d.lease);
    for (const l of all) {
      l.expiresAt += 7 * 24 * HOUR + 1;
      delete l.warnAt;
      fit.table.update(l);
    }
    sizes.leasesRenewed = fit.table.bytes;
    expect(fit.table.bytes).toBeLessThan(CARRIED_BUDGET.leases * 1.1);
  });

  it('leases: 1,000-character patterns (200 per reserve, nothing shared) are refused by bytes long before 20,000', () => {
    const table = new LeaseTable(T0);
    const reserves = function* () {
      for (let call = 0; ; call++) {
        yield Array.from({ length: 200 }, (_, i) => {
          const n = call * 200 + i;
          const pattern = `${'d'.repeat(MAX_PATTERN_LENGTH - 30)}${n}/`.padStart(MAX_PATTERN_LENGTH - 10, 'p') + 'file.ts';
          return lease(n, { id: idOf(call, i), holder: name('Holder', call, 64), reason: 'r'.repeat(280), requestId: name('req', call, 128), createdAt: T0 + call, pattern: pattern.slice(0, MAX_PATTERN_LENGTH) });
        });
      }
    };
    const refusedAt = admit(table, reserves());
    expect(refusedAt).toBeGreaterThan(0);
    expect(table.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.leases);
    console.log(`leases: 1,000-character patterns: refused at ${refusedAt} leases, ${formatBytes(table.bytes)}`);
    sizes.leasesLong = table.bytes;
  });

  it('leases: 20,000 leases of realistic deep paths (~100-150 characters) granted 200 per reserve', () => {
    const table = new LeaseTable(T0);
    const reserves = function* () {
      for (let call = 0; call < 100; call++) {
        yield Array.from({ length: 200 }, (_, i) => lease(call * 200 + i, { id: idOf(call, i), holder: name('Agent', call % 50, 16), reason: `feature ${call}: ${'x'.repeat(60)}`, requestId: `req-${call}`, createdAt: T0 + call * 1000, pattern: deepPath(call * 200 + i) }));
      }
    };
    expect(admit(table, reserves())).toBe(-1);
    expect(table.size).toBe(20_000);
    leases = table.encode();
    sizes.leases = jsonBytes(leases);
    expect(sizes.leases).toBe(table.bytes);
    console.log(`leases: 20,000 deep paths (avg ${Math.round(Array.from({ length: 20_000 }, (_, i) => deepPath(i).length).reduce((a, b) => a + b) / 20_000)} chars), 200 per reserve: ${formatBytes(table.bytes)}`);
  });

  it('audit, reserve answers: byte windows full of the largest entries stay within their budgets', () => {
    const audit = new AuditWindow();
    for (let seq = 1; seq <= 1000; seq++) {
      const entry: AuditRecord = { seq, at: T0 + seq, action: 'grant', by: name('By', seq), holder: name('Holder', seq), reservationIds: Array.from({ length: 20 }, (_, i) => `r-${hex16(seq * 100 + i)}`), patterns: Array.from({ length: 20 }, (_, i) => `${seq}-${i}-`.padEnd(MAX_PATTERN_LENGTH, 'p')), count: 200, reason: 'r'.repeat(280), via: 'w'.repeat(200) };
      audit.push(entry);
    }
    expect(audit.bytes).toBe(jsonBytes(audit.encode()));
    expect(audit.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.audit);
    expect(audit.entries().at(-1)!.seq).toBe(1000);
    sizes.audit = audit.bytes;

    const answers = new ReserveAnswers();
    for (let n = 0; n < 500; n++) answers.remember(`${name('holder', n)}\u0000${name('req', n, 128)}`, { at: T0 + n, ids: Array.from({ length: 200 }, (_, i) => `r-${hex16(n * 1000 + i)}`), fingerprint: hex16(n).repeat(2), clampedTtl: { requestedSeconds: 999_999_999, appliedSeconds: 31_536_000 } });
    expect(answers.bytes).toBe(jsonBytes(answers.encode()));
    expect(answers.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.reserveAnswers);
    sizes.reserveAnswers = answers.bytes;
    console.log(`audit: ${audit.entries().length} entries of 20 × 1,000-character patterns kept in ${formatBytes(audit.bytes)}; reserve answers: ${formatBytes(answers.bytes)}`);
  });

  it('directory: members are admitted by bytes (fewer with long task texts), below the count limit', () => {
    const fill = (profile: (n: number) => Partial<MemberRecord>, max = MAX_ACTIVE_MEMBERS) => {
      const rows = new MemberRows();
      const members: MemberRecord[] = [];
      for (let n = 0; n < max; n++) {
        const m: MemberRecord = { name: name('Agent', n, 64), kind: 'agent', contactPolicy: 'auto', contacts: [], retired: false, registeredAt: T0 + n, lastActiveAt: T0 + n, successfulTasks: 999, tokenHash: hex16(n).repeat(4), epoch: 99, id: uuid(n), mailbox: true, ...profile(n) };
        if (!rows.roomFor(rows.costOfNew(m)).fits) break;
        members.push(m);
        rows.put(m);
      }
      return { rows, members };
    };
    // The worst: 64-character names, programs and models all different, 500-character tasks (or none).
    const long = fill((n) => ({ program: name('program', n), model: name('model', n), task: 't'.repeat(500) }));
    const bare = fill((n) => ({ program: name('program', n), model: name('model', n) }));
    // A usual team: generated names, a few programs and models, a line of task.
    const usual = fill((n) => ({ name: `SilverPhoenix${n}`, program: ['claude-code', 'codex', 'cursor'][n % 3]!, model: ['claude-sonnet-4', 'gpt-5'][n % 2]!, task: `Implement the ${n}th part of the billing migration` }));
    for (const { rows, members } of [long, bare, usual]) {
      expect(rows.bytes).toBe(jsonBytes(rows.encode(members)));
      expect(rows.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.directory);
      expect(decodeMembers(JSON.parse(JSON.stringify(rows.encode(members))))).toEqual(members);
      expect(members.length).toBeLessThan(MAX_ACTIVE_MEMBERS);
    }
    console.log(`directory: ${long.members.length} members with 500-character tasks (${formatBytes(long.rows.bytes)}); ${bare.members.length} without tasks but 64-character names, programs and models (${formatBytes(bare.rows.bytes)}); ${usual.members.length} of a usual profile (${formatBytes(usual.rows.bytes)}); count limit ${MAX_ACTIVE_MEMBERS}`);
    sizes.directory = Math.max(long.rows.bytes, bare.rows.bytes, usual.rows.bytes);

    // Contacts grow rows after admission: they are admitted against the same budget (the directory's contactCost).
    const team = fill(() => ({}), 100);
    let contacts = 0;
    for (let i = 0; ; i++) {
      const owner = team.members[i % team.members.length]!;
      const contact = name('Contact', i);
      if (!team.rows.roomFor(jsonBytes(contact) + (owner.contacts.length ? 1 : 0)).fits) break;
      owner.contacts.push(contact);
      team.rows.put(owner);
      contacts++;
    }
    expect(contacts).toBeGreaterThan(1000);
    expect(team.rows.bytes).toBe(jsonBytes(team.rows.encode(team.members)));
    expect(team.rows.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.directory);
  });

  it('directory: retired members become small tombstones that count as room', () => {
    const rows = new MemberRows();
    const m: MemberRecord = { name: 'Gone', kind: 'agent', program: 'p', task: 't'.repeat(500), contactPolicy: 'auto', contacts: ['A', 'B'], retired: false, registeredAt: T0, lastActiveAt: T0, successfulTasks: 3, tokenHash: hex16(1).repeat(4), epoch: 1, id: uuid(1) };
    rows.put(m);
    const active = rows.bytes;
    m.retired = true;
    m.epoch = 2;
    m.retiredAt = T0 + 5;
    rows.put(m);
    expect(rows.bytes).toBeLessThan(active - 500);
    expect(rows.bytes).toBe(jsonBytes(rows.encode([m])));
    expect(rows.roomFor(0).used).toBe(rows.bytes - rows.reclaimable);
    expect(decodeMembers(rows.encode([m]))).toEqual([{ name: 'Gone', kind: 'agent', contactPolicy: 'block_all', contacts: [], retired: true, registeredAt: T0, lastActiveAt: T0 + 5, retiredAt: T0 + 5, successfulTasks: 0, tokenHash: m.tokenHash, epoch: 2, id: m.id }]);
  });

  it('messages: every cache full of its largest entries stays within the section budget', () => {
    const caches = new MessageCaches();
    const names50 = Array.from({ length: 50 }, (_, i) => name('Member', i));
    for (let n = 0; n < 600; n++) {
      caches.rememberSend(`${name('sender', n).toLowerCase()}\n${name('key', n, 128)}`, { messageId: `m-${hex16(n).slice(4)}`, thread: `t-${hex16(n).slice(4)}`, sentAt: new Date(T0 + n).toISOString(), deliveredTo: names50, skipped: names50.slice(0, 10).map((x) => ({ name: x, reason: 'contacts_only: not a contact' })), duplicate: false }, hex16(n).repeat(2));
      caches.recent.set(`m-${hex16(n).slice(4)}`, { id: `m-${hex16(n).slice(4)}`, from: name('sender', n), to: names50, broadcast: false, thread: `t-${hex16(n).slice(4)}` });
      caches.threads.set(`t-${hex16(n).slice(4)}`, Array.from({ length: 60 }, (_, i) => name('p', i)));
      caches.requests.set(requestKey(name('from', n), name('to', n)), { from: name('from', n), to: name('to', n), at: new Date(T0).toISOString(), note: 'n'.repeat(500) });
    }
    const section = { v: 2, caches: caches.encode(), notices: [], sent: 1_000_000_000, deliveries: 0 };
    sizes.messages = jsonBytes(section) - 1;
    expect(caches.bytes).toBe(jsonBytes([caches.sends.encode(), caches.recent.encode(), caches.threads.encode(), caches.requests.encode()]) - 5);
    expect(sizes.messages).toBeLessThanOrEqual(CARRIED_BUDGET.messages);
    expect(new MessageCaches(JSON.parse(JSON.stringify(caches.encode()))).encode()).toEqual(caches.encode());
  });

  it('delivery: two 64 KiB broadcasts to 200 members fit in the queue at once; the queue never holds more than its budget', () => {
    const broadcast = (n: number, body: string, recipients: number): DeliveryJob => ({
      message: { id: `m-${hex16(n).slice(4)}`, thread: `t-${hex16(n).slice(4)}`, from: 'SilverPhoenix', to: [], cc: [], broadcast: true, subject: 's'.repeat(200), body, importance: 'urgent', ackRequired: true, sentAt: new Date(T0).toISOString(), system: false },
      to: Array.from({ length: recipients }, (_, i) => ({ name: `Member${i}Name`, owner: { memberId: uuid(i), epoch: 3, retired: false } })),
      outbox: { sender: { name: 'SilverPhoenix', owner: { memberId: uuid(9999), epoch: 0, retired: false } }, deliveredTo: Array.from({ length: recipients }, (_, i) => `Member${i}Name`) },
    });
    const job = broadcast(1, 'b'.repeat(64 * 1024), 200);
    const jobBytes = jsonBytes(encodeJob(job)) + 1;
    expect(decodeJob(JSON.parse(JSON.stringify(encodeJob(job))))).toEqual(job);
    // The queue's admission rule (Deliveries#checkRoom): queued + job ≤ the budget.
    const queue: DeliveryJob[] = [];
    let queued = jsonBytes({ v: 2, jobs: [] });
    for (let n = 0; queued + jobBytes <= CARRIED_BUDGET.delivery; n++) {
      queue.push(broadcast(n, 'b'.repeat(64 * 1024), 200));
      queued += jobBytes;
    }
    expect(queue.length).toBeGreaterThanOrEqual(2);
    const encoded = { v: 2, jobs: queue.map(encodeJob) };
    expect(jsonBytes(encoded)).toBeLessThanOrEqual(CARRIED_BUDGET.delivery);
    console.log(`delivery: a 64 KiB broadcast to 200 members takes ${formatBytes(jobBytes)} of the queue; ${queue.length} fit at once`);
    sizes.delivery = jsonBytes(encoded);
  });

  it('alerts: full active and resolved alerts and per-agent counters stay within the section budget', () => {
    const alert = (n: number, resolved: boolean): Alert => ({
      id: `no-sync-points:${name('agent', n)}:${'w'.repeat(100)}`,
      kind: 'no-sync-points',
      agent: name('agent', n),
      workflowId: 'w'.repeat(500),
      raisedAt: new Date(T0).toISOString(),
      lastSeenAt: new Date(T0).toISOString(),
      count: 99999,
      summary: 's'.repeat(200),
      problem: 'p'.repeat(700),
      better: ['Plan sync points (every 2 hours)', 'Share progress updates at each checkpoint (baton progress ...)', 'Verify interfaces align with the other agents', 'Adjust the plan if needed'],
      why: 'Parallel work that never syncs drifts apart and breaks at integration.',
      ...(resolved ? { resolvedAt: new Date(T0).toISOString() } : {}),
    });
    const fill = (resolved: boolean, limit: number) => {
      const out: Alert[] = [];
      let bytes = 0;
      for (let n = 0; bytes + alertBytes(alert(n, resolved)) <= limit; n++) {
        out.push(alert(n, resolved));
        bytes += alertBytes(alert(n, resolved));
      }
      return out;
    };
    const active = fill(false, ALERT_LIMITS.activeBytes);
    const resolved = fill(true, ALERT_LIMITS.resolvedBytes);
    const rows = encodeAlerts(active, resolved);
    expect(decodeAlerts(JSON.parse(JSON.stringify(rows)))).toEqual({ active, resolved });
    const section = {
      v: 2,
      ...rows,
      refused: Array.from({ length: ALERT_LIMITS.refused }, (_, n) => [name('agent', n).toLowerCase(), 999, Array.from({ length: 5 }, () => 'm'.repeat(40))]),
      progress: Array.from({ length: ALERT_LIMITS.progress }, (_, n) => [name('agent', n).toLowerCase(), T0]),
      lastScan: T0,
    };
    sizes.alerts = jsonBytes(section);
    expect(sizes.alerts).toBeLessThanOrEqual(CARRIED_BUDGET.alerts);
    console.log(`alerts: ${active.length} active and ${resolved.length} resolved of the largest kind: ${formatBytes(sizes.alerts)}`);
  });

  it('notifications: its parts\' byte bounds, each with the largest item it may keep over them, fit the section budget', () => {
    // The largest notification: a decision with every field at its schema's maximum.
    const event = { kind: 'decision' as const, workflowId: 'w'.repeat(500), pattern: 'p'.repeat(64), title: 't'.repeat(200), decisionId: 'd'.repeat(64), step: 's'.repeat(200), question: 'q'.repeat(2000), askedBy: 'a'.repeat(64), deadline: new Date(T0).toISOString() };
    const composed = compose('p'.repeat(200), event);
    const notification = { id: 'n-000000000000', project: 'p'.repeat(200), kind: 'decision', to: name('Human', 0), title: composed.title, text: composed.text, path: composed.path, createdAt: new Date(T0).toISOString(), key: composed.key, event };
    const job = jsonBytes({ notification, sinkId: 's-00000000' });
    const outcome = jsonBytes({ at: new Date(T0).toISOString(), notificationId: 'n-000000000000', sinkId: 's-00000000', owner: name('Human', 0), title: composed.title, kind: 'decision', status: 'dead', attempts: 5, error: 'e'.repeat(500) });
    const seenKey = jsonBytes(name('human', 0).toLowerCase()) + jsonBytes(composed.key) + 16;
    // Each part may keep one item past its bound (a bound never empties a part), jobs all those in
    // flight (never dropped), and the module's JSON keys.
    const jobs = Math.max(NOTIFICATION_BYTES.jobs + job, NOTIFICATION_COUNTS.inFlight * job);
    const worst = NOTIFICATION_BYTES.sinks + NOTIFICATION_BYTES.seen + seenKey + jobs + NOTIFICATION_BYTES.held + job + NOTIFICATION_BYTES.outcomes + 2 * outcome + 200;
    expect(job).toBeLessThan(NOTIFICATION_BYTES.jobs);
    expect(worst).toBeLessThanOrEqual(CARRIED_BUDGET.notifications);
    sizes.notifications = worst;
    console.log(`notifications: the largest job ${formatBytes(job)}, at most ${formatBytes(worst)} of ${formatBytes(CARRIED_BUDGET.notifications)}`);
  });

  it('the whole continue-as-new input with every section at its limit stays under 2 MiB', () => {
    const largestLeases = Math.max(sizes.leases!, sizes.leasesLong!, sizes.leasesRenewed!);
    const sections = { leases: largestLeases, audit: sizes.audit!, reserveAnswers: sizes.reserveAnswers!, directory: sizes.directory!, messages: sizes.messages!, delivery: sizes.delivery!, alerts: sizes.alerts!, notifications: sizes.notifications! };
    for (const [section, bytes] of Object.entries(sections)) expect(bytes).toBeLessThanOrEqual(CARRIED_BUDGET[section as keyof typeof CARRIED_BUDGET] * (section === 'leases' ? 1.1 : 1));
    expect(CARRIED_BUDGET_TOTAL).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES * 0.9);
    // Everything else in the input: the key, the settings and the JSON keys of each module's part.
    const envelope = jsonBytes({ project: 'p'.repeat(200), settings, generation: 1_000_000, founder: undefined, carried: { directory: 0, reservations: { v: 2, leases: 0, audit: 0, auditTotal: 1e12, answers: 0 }, messages: 0, alerts: 0, notifications: 0 } });
    const total = envelope + Object.values(sections).reduce((a, b) => a + b, 0);
    console.log(`continue-as-new input at the limits: ${formatBytes(total)} of ${formatBytes(PAYLOAD_LIMIT_BYTES)} (${Object.entries(sections).map(([k, v]) => `${k} ${formatBytes(v)}`).join(', ')}, envelope ${envelope} B)`);
    expect(total).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  });
});

describe('state carried by runs before the budget (a recorded history\'s input)', () => {
  const fixture = path.join(__dirname, '..', 'replay', 'histories', 'projectWorkflow--crash-kills.json');
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(fixture, 'utf8')));
  const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  const input = JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { carried: Record<string, never> };
  const carried = input.carried as unknown as { directory: { members: MemberRecord[] }; reservations: { v: 1; strings: string[]; leases: LeaseTupleV1[]; audit: AuditRecord[]; auditTotal: number; requests: never[] }; messages: Record<string, unknown> };

  it('decodes its directory, leases, audit and caches, and encodes them again without loss', () => {
    const members = decodeMembers(carried.directory);
    expect(members.map((m) => m.name)).toEqual(carried.directory.members.map((m) => m.name));
    const rows = new MemberRows();
    for (const m of members) rows.put(m);
    // Records from before epochs read the epoch as 0 (directory.ts), and come back with it.
    expect(decodeMembers(JSON.parse(JSON.stringify(rows.encode(members))))).toEqual(members.filter((m) => !m.retired).map((m) => ({ ...m, epoch: m.epoch ?? 0 })));

    const leases = decodeLeases(carried.reservations).map((d) => d.lease);
    expect(leases).toHaveLength(carried.reservations.leases.length);
    const table = new LeaseTable(T0);
    for (const l of leases) table.add(l);
    expect(sorted(decodeLeases({ v: 2, leases: table.encode() }).map((d) => d.lease))).toEqual(sorted(leases));

    const audit = new AuditWindow(carried.reservations.audit);
    expect(new AuditWindow(JSON.parse(JSON.stringify(audit.encode()))).entries()).toEqual(carried.reservations.audit);
    const caches = new MessageCaches(carried.messages as never);
    expect(new MessageCaches(JSON.parse(JSON.stringify(caches.encode()))).encode()).toEqual(caches.encode());
    console.log(`recorded input: ${members.length} members, ${leases.length} leases, ${audit.entries().length} audit entries; ${payload.data!.length} bytes then, directory ${jsonBytes(carried.directory)} → ${rows.bytes} bytes now`);
  });
});

/** A realistic deep path of ~100-150 characters: a monorepo package, nested modules, a descriptive file name. */
function deepPath(n: number): string {
  const pkg = ['web-frontend', 'api-gateway', 'billing-service', 'notifications', 'shared-components'][n % 5];
  const area = ['authentication', 'user-management', 'payments-integration', 'reporting-dashboard'][Math.floor(n / 5) % 4];
  const feature = `feature-${Math.floor(n / 40) % 50}`;
  const file = ['UserProfileSettings', 'PaymentMethodSelector', 'InvoiceSummaryTable', 'NotificationPreferences'][n % 4];
  return `packages/${pkg}/src/modules/${area}/${feature}/components/internal/${file}${n}.test.tsx`;
}
