import fs from 'node:fs';
import path from 'node:path';
import { mailboxWorkflowId } from '../../src/domain/ids';
import { member } from '../../src/schemas/actor';
import type { BatonProjectClient } from '../../src/client';
import type { InboxItem } from '../../src/schemas/messages';
import { createProjectTimeContext, type ProjectTimeContext } from '../time/project';

/**
 * Expiry warnings and idle holders in workflow time (the project workflow and the mailboxes on
 * Temporal's time-skipping test server, real activities): a holder hears, by a message from Baton and
 * through the hooks' attention, `leaseWarningSeconds` (or 10% of the TTL, when shorter) before its lease
 * expires and again at expiry, each with the command that deals with it; a renewal re-arms the warning
 * and makes a pending one stale; a holder with no sign of life for idleAfterSeconds is marked idle in
 * the conflicts others get.
 */
const MINUTE = 60_000;

describe('lease notices (project workflow in workflow time)', () => {
  // One test server per test: time moves for everything on a server, and a project of an earlier test
  // (with its leases, timers and mailboxes) would keep moving with it.
  let ctx: ProjectTimeContext;
  beforeEach(async () => {
    ctx = await createProjectTimeContext();
  });
  afterEach(() => ctx?.close());

  /**
   * With BATON_RECORD_HISTORIES=1, save a workflow's history (so far) as a replay fixture, as
   * test/patterns/support.ts#recordHistory does for the pattern runs.
   */
  async function record(workflowId: string, name: string): Promise<void> {
    if (process.env.BATON_RECORD_HISTORIES !== '1') return;
    const handle = ctx.env.client.workflow.getHandle(workflowId);
    const type = (await handle.describe()).type;
    const dir = process.env.BATON_RECORD_HISTORIES_DIR || path.join(__dirname, '..', 'replay', 'histories');
    fs.writeFileSync(path.join(dir, `${type}--${name}.json`), JSON.stringify(await handle.fetchHistory(), null, 1) + '\n');
  }

  async function project(settings: Record<string, unknown> = {}): Promise<BatonProjectClient> {
    const key = `time-${Math.random().toString(16).slice(2, 10)}`;
    await ctx.baton.initProject(key, { human: 'alice', settings });
    return ctx.baton.project(key);
  }

  /** The member's mail from Baton about its leases, oldest first, once `count` of them arrived (deliveries are activities). */
  async function leaseMail(p: BatonProjectClient, name: string, count: number): Promise<InboxItem[]> {
    for (let i = 0; ; i++) {
      const items = (await p.messages.inbox(member(name), { limit: 500 })).items.filter((m) => m.notice?.topic?.startsWith('lease-')).reverse();
      if (items.length >= count || i >= 200) return items;
      await ctx.env.sleep(1000);
    }
  }

  it('warns 10 minutes (or 10% of the TTL) ahead and at expiry, with the command; attention shows each once', async () => {
    await ctx.withWorker(async () => {
      const p = await project();
      const { member: holder } = await p.agents.register({ name: 'IndigoFirefly' });
      const me = member(holder.name);
      const long = await p.reservations.reserve({ actor: me, patterns: ['src/long.ts'], reason: 'two-hour refactor', ttlSeconds: 2 * 3600 });
      const short = await p.reservations.reserve({ actor: me, patterns: ['src/short.ts'], reason: 'quick fix', ttlSeconds: 5 * 60 });
      if (long.status !== 'granted' || short.status !== 'granted') throw new Error('expected grants');
      const shortId = short.reservations[0]!.id;
      const longId = long.reservations[0]!.id;

      // The 5-minute lease: 10% of its TTL (30 s) is shorter than the 10-minute default, so it is warned at 4m30s.
      await ctx.env.sleep(4 * MINUTE + 20_000);
      expect(await leaseMail(p, holder.name, 0)).toEqual([]);
      await ctx.env.sleep(20_000);
      const [warning] = await leaseMail(p, holder.name, 1);
      expect(warning).toMatchObject({
        from: 'baton',
        subject: 'Your reservation of src/short.ts expires in 30s',
        importance: 'high',
        notice: { topic: 'lease-expiring', reservationIds: [shortId] },
      });
      expect(warning!.body).toContain(`Still editing? Renew: baton renew ${shortId} --ttl 1h`);
      expect(warning!.body).toContain(`Done? Release: baton release ${shortId}`);

      const shown = await p.messages.attention(me);
      expect(shown.items).toEqual([
        expect.objectContaining({ kind: 'lease-expiring', id: warning!.id, summary: 'Your reservation of src/short.ts expires in 30s', action: expect.stringContaining(`baton renew ${shortId} --ttl 1h`) }),
      ]);
      expect((await p.messages.attention(me)).items).toEqual([]);

      // At expiry: a notice that says so and how to take the file again.
      await ctx.env.sleep(MINUTE);
      const expired = (await leaseMail(p, holder.name, 2))[1];
      expect(expired).toMatchObject({ subject: 'Your reservation of src/short.ts expired', notice: { topic: 'lease-expired', reservationIds: [shortId] } });
      expect(expired!.body).toContain('baton reserve "src/short.ts" --reason');
      expect((await p.messages.attention(me)).items.map((i) => i.kind)).toEqual(['lease-expired']);

      // The 2-hour lease is warned 10 minutes ahead; renewing before then moves the warning with it.
      await ctx.env.sleep(100 * MINUTE);
      await p.reservations.renew({ actor: me, ids: [longId], ttlSeconds: 3600 });
      await ctx.env.sleep(15 * MINUTE);
      expect((await leaseMail(p, holder.name, 2)).map((m) => m.notice?.topic)).toEqual(['lease-expiring', 'lease-expired']);
      const audit = await p.reservations.audit();
      expect(audit.entries.map((e) => e.action)).toEqual(['grant', 'grant', 'expire', 'renew']);
      expect((await p.describe()).modules.reservations).toMatchObject({ nextWarning: expect.any(String) });

      // Retiring the holder releases what it still holds; the history of all this is a replay fixture.
      await p.agents.retire(member('alice'), holder.name);
      expect((await p.reservations.audit()).entries.at(-1)).toMatchObject({ action: 'release', by: 'alice', reason: `${holder.name} retired by alice` });
      await record(p.channel.workflowId, 'lease-warnings-expiry-retire');
      await record(mailboxWorkflowId(p.key, holder.name), 'attention-and-lease-notices');
    });
  }, 240_000);

  it('leaves out a warning that a renewal made stale, and counts a leaseWarningSeconds of 0 as "only at expiry"', async () => {
    await ctx.withWorker(async () => {
      const p = await project({ leaseWarningSeconds: 0 });
      const { member: holder } = await p.agents.register({ name: 'AmberFalcon' });
      const me = member(holder.name);
      await p.reservations.reserve({ actor: me, patterns: ['src/a.ts'], reason: 'r', ttlSeconds: 600 });
      // Past the expiry: the expiry notice comes, and no warning came before it (it would have at 9m).
      await ctx.env.sleep(11 * MINUTE);
      expect((await leaseMail(p, holder.name, 1)).map((m) => m.notice?.topic)).toEqual(['lease-expired']);

      const q = await project({ leaseWarningSeconds: 120 });
      const { member: other } = await q.agents.register({ name: 'CalmRiver' });
      const them = member(other.name);
      const granted = await q.reservations.reserve({ actor: them, patterns: ['docs/guide.md'], reason: 'r', ttlSeconds: 3600 });
      if (granted.status !== 'granted') throw new Error('expected a grant');
      await ctx.env.sleep(58 * MINUTE + 30_000);
      expect((await leaseMail(q, other.name, 1)).map((m) => m.subject)).toEqual(['Your reservation of docs/guide.md expires in 2m']);
      // Renewed before the hook looked: the warning is marked shown but not shown.
      await q.reservations.renew({ actor: them, ttlSeconds: 3600 });
      expect(await q.messages.attention(them)).toMatchObject({ items: [] });
      expect((await q.messages.describeMailbox(other.name)).attentionSeq).toBeGreaterThan(0);
    });
  }, 240_000);

  it('marks a holder with no sign of life for idleAfterSeconds as idle in conflicts and checks; reserving again clears it', async () => {
    await ctx.withWorker(async () => {
      const p = await project({ idleAfterSeconds: 60 });
      const [{ member: a }, { member: b }] = [await p.agents.register({ name: 'QuietOwl' }), await p.agents.register({ name: 'BusyBee' })];
      await p.reservations.reserve({ actor: member(a.name), patterns: ['pkg'], reason: 'splitting pkg', ttlSeconds: 3 * 3600 });
      const fresh = await p.reservations.reserve({ actor: member(b.name), patterns: ['pkg/x.ts'], reason: 'fix' });
      expect(fresh).toMatchObject({ status: 'conflict', conflicts: [{ holder: a.name, heldPattern: 'pkg' }] });
      expect(fresh.status === 'conflict' && fresh.conflicts[0]!.holderState).toBeUndefined();

      await ctx.env.sleep(2 * MINUTE);
      const later = await p.reservations.reserve({ actor: member(b.name), patterns: ['pkg/x.ts'], reason: 'fix' });
      expect(later).toMatchObject({ status: 'conflict', conflicts: [{ holder: a.name, holderState: 'idle' }] });
      const check = await p.reservations.check({ paths: ['pkg/x.ts'], asAgent: b.name });
      expect(check.results[0]!.conflicts[0]).toMatchObject({ holder: a.name, holderState: 'idle' });
      // Reserving is a sign of life: the holder is active again.
      await p.reservations.renew({ actor: member(a.name), ttlSeconds: 3600 });
      expect((await p.reservations.check({ paths: ['pkg/x.ts'], asAgent: b.name })).results[0]!.conflicts[0]!.holderState).toBeUndefined();
    });
  }, 240_000);
});
