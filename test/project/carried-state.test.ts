import { member } from '../../src/schemas/actor';
import type { Reservation } from '../../src/schemas/reservations';
import { BatonError } from '../../src/domain/errors';
import { CARRIED_BUDGET, PAYLOAD_LIMIT_BYTES, formatBytes } from '../../src/workflows/project/carried/budget';
import { createTestContext, type TestContext } from '../support/temporal';

/**
 * The project workflow at its lease limit, for real (the jest global setup's Temporal dev server, a
 * worker of this test's own): 20,000 leases of deep paths continue-as-new intact, the new run's input
 * (one payload) stays under Temporal's 2 MiB, and a reserve past the byte budget is refused, leaving
 * no trace.
 */
describe('carried state of a project with 20,000 long leases', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ batching: true });
    await ctx.startWorker();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('continues-as-new with every lease intact, its input under 2 MiB; a reserve past the byte budget is refused and leaves no trace', async () => {
    // A short history limit: the project continues-as-new while it fills, and again on demand below.
    const { client: project, human } = await ctx.createProject({ prefix: 'carried', settings: { maxHistoryEvents: 400 } });
    const agents = await Promise.all(Array.from({ length: 100 }, (_, i) => project.agents.register({ program: 'claude-code', task: `stream ${i}` })));
    const names = agents.map((a) => a.member.name);

    // 100 reserves of 200 deep paths (~100-150 characters), 8 at a time through the batching client.
    for (let wave = 0; wave < 100; wave += 8) {
      const answers = await Promise.all(
        names.slice(wave, wave + 8).map((name, j) => {
          const call = wave + j;
          return project.reservations.reserve({ actor: member(name), patterns: Array.from({ length: 200 }, (_, i) => deepPath(call * 200 + i)), reason: `feature ${call}: migrate the billing screens`, ttlSeconds: 6 * 3600 });
        }),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 'granted'));
    }
    const before = await project.reservations.listAll();
    expect(before).toHaveLength(20_000);
    const described = await project.describe();
    expect(described.carried!.sections.leases!.bytes).toBeLessThanOrEqual(CARRIED_BUDGET.leases);

    // Continue-as-new now: small updates until the history reaches its limit.
    for (let i = 0; (await project.describe()).generation === described.generation; i++) {
      if (i > 400) throw new Error('the project did not continue-as-new');
      await project.updateSettings(member(human.name), { trustAfterTasks: 3 + (i % 2) });
    }

    const after = await project.reservations.listAll();
    const byId = (rs: Reservation[]) => [...rs].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(after)).toEqual(byId(before));

    const history = await project.channel.handle().fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const inputBytes = input.data!.length;
    const carried = (await project.describe()).carried!;
    console.log(`20,000 leases of deep paths: continue-as-new input ${formatBytes(inputBytes)} (${inputBytes} bytes) of ${formatBytes(PAYLOAD_LIMIT_BYTES)}; leases ${formatBytes(described.carried!.sections.leases!.bytes)} before, ${carried.summary} after`);
    expect(inputBytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
    expect(JSON.parse(Buffer.from(input.data!).toString('utf8')).carried.reservations.v).toBe(2);

    // Answers within one payload: 50 agents release their 200 leases each at once (the batches defer
    // what would not fit in one answer), then a human force-releases the other 10,000 in one update
    // (the answer lists what fits and counts the rest).
    const releases = await Promise.all(names.slice(0, 50).map((name) => project.reservations.release({ actor: member(name), all: true })));
    expect(releases.map((r) => r.released.length + (r.omitted ?? 0))).toEqual(releases.map(() => 200));
    // A broad reserve against 10,000 leases: the answer lists the first conflicts and counts the rest.
    const broad = await project.reservations.reserve({ actor: member(human.name), patterns: ['packages/**'], allowBroad: true, reason: 'everything' });
    expect(broad.status).toBe('conflict');
    if (broad.status !== 'conflict') throw new Error('unreachable');
    expect(broad.conflicts.length).toBeGreaterThan(0);
    expect(broad.conflicts.length + (broad.omitted ?? 0)).toBe(10_000);
    const forced = await project.reservations.forceRelease({ actor: member(human.name), patterns: ['packages/**'], reason: 'end of the test' });
    expect(forced.released.length + (forced.omitted ?? 0)).toBe(10_000);
    expect(forced.omitted).toBeGreaterThan(0);
    expect((await project.reservations.list()).total).toBe(0);
    // Past the byte budget: reserve 1,000-character patterns until refused.
    // Nothing shared: each pattern its own ~1,000 characters.
    const long = (call: number, i: number) => `src/c${call}d${i}x`.padEnd(996, 'x') + '.ts';
    let refused: BatonError | undefined;
    let call = 0;
    for (; call < 20 && !refused; call++) {
      await project.reservations.reserve({ actor: member(names[call]!), patterns: Array.from({ length: 200 }, (_, i) => long(call, i)), reason: 'long paths' }).catch((err: BatonError) => (refused = err));
    }
    expect(refused).toBeInstanceOf(BatonError);
    expect(refused!.code).toBe('INVALID_STATE');
    expect(refused!.message).toMatch(/has no room for these reservations: its \d+ active leases take [\d.]+ KiB of the 1000\.0 KiB the project can carry/);
    expect(refused!.message).toMatch(/Release what is no longer being edited, or reserve shorter patterns/);
    expect(refused!.message).toMatch(/clears by itself as leases expire, the next at \d{4}-/);
    expect(refused!.details).toMatchObject({ limit: 'reservation-bytes', max: CARRIED_BUDGET.leases });
    const held = await project.reservations.listAll();
    expect(held).toHaveLength((call - 1) * 200);
    // No trace: refused by the validator, the request is nowhere in history.
    const events = JSON.stringify((await project.channel.handle().fetchHistory()).events);
    const decoded = events.replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    expect(decoded).toContain(`src/c${call - 2}d199x`);
    expect(decoded).not.toContain(`src/c${call - 1}d0x`);
    console.log(`1,000-character patterns: refused at ${held.length} leases (${formatBytes((await project.describe()).carried!.sections.leases!.bytes)})`);
  });
});

/** A realistic deep path of ~100-150 characters: a monorepo package, nested modules, a descriptive file name. */
function deepPath(n: number): string {
  const pkg = ['web-frontend', 'api-gateway', 'billing-service', 'notifications', 'shared-components'][n % 5];
  const area = ['authentication', 'user-management', 'payments-integration', 'reporting-dashboard'][Math.floor(n / 5) % 4];
  const file = ['UserProfileSettings', 'PaymentMethodSelector', 'InvoiceSummaryTable', 'NotificationPreferences'][n % 4];
  return `packages/${pkg}/src/modules/${area}/feature-${Math.floor(n / 40) % 50}/components/internal/${file}${n}.test.tsx`;
}
