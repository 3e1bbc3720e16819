import { createTestContext, type TestContext } from '../support/temporal';
import { seededRandom } from '../support/processes';
import { checkExactlyOneClaimant, checkMembersKept, checkNoDoubleExclusiveGrant, expectInvariants, type InvariantReport, type LeaseFacts, type TrailEntry } from '../support/invariants';
import type { BatonProjectClient } from '../../src/client';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { ReserveResult } from '../../src/schemas/reservations';

/**
 * Race suite: 56 agents at once on one project (created on purpose, with its human alice). They register
 * concurrently (distinct names), then race in rounds: waves in which every agent reserves 1-3 of a pool
 * of heavily overlapping globs and plain paths (files, and directories by their form) at the same moment
 * and half of them release, then all 56 claim one hot file at once; finally all 56 claim the same
 * emergency (Emergency Response) at once, a few times. The audit trail (stitched by seq across rounds) is
 * replayed by the invariant checker: no two overlapping exclusive leases of different holders were ever
 * active together; exactly one claimant won each hot file and each emergency. Rounds repeat until the
 * time budget is used (BATON_RACE_SECONDS, default 45 s; at least two rounds, and the test may take
 * BATON_RACE_SLACK_SECONDS, default 150, beyond it); each reserve attempt is one trial. Longer:
 * BATON_RACE_SECONDS=600 BATON_RACE_MIN_TRIALS=5000. BATON_RACE_GROUP_COMMIT=1 sends the agents'
 * calls through group commit, as the Baton server does (the cluster run's default: at Temporal's
 * default cap of 10 in-flight updates, 56 separate updates per wave take seconds each to get in).
 */
const BUDGET_S = Number(process.env.BATON_RACE_SECONDS ?? 45);
const SEED = Number(process.env.BATON_RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const AGENTS = 56;
const WAVES = 3;
const MIN_TRIALS = Number(process.env.BATON_RACE_MIN_TRIALS ?? 400);
const SLACK_S = Number(process.env.BATON_RACE_SLACK_SECONDS ?? 150);
const GROUP_COMMIT = process.env.BATON_RACE_GROUP_COMMIT === '1';

/**
 * Overlapping globs and plain paths: wildcards over literals, braces, nested globstars, and the lease
 * rule's plain paths (a file names itself; `src/web`, `src/api/` and `config.d/` are directories by
 * their form and cover what is under them; `config.d` is a file the directory `config.d/` covers);
 * docs are shared.
 */
const POOL: { pattern: string; exclusive: boolean }[] = [
  { pattern: 'src/**', exclusive: true },
  { pattern: 'src/api/**', exclusive: true },
  { pattern: 'src/api/*.ts', exclusive: true },
  { pattern: 'src/api/users.ts', exclusive: true },
  { pattern: 'src/api/{users,orders}.ts', exclusive: true },
  { pattern: 'src/*/index.ts', exclusive: true },
  { pattern: 'src/web/index.ts', exclusive: true },
  { pattern: 'src/web/**/*.tsx', exclusive: true },
  { pattern: 'src/web/components/button.tsx', exclusive: true },
  { pattern: 'src/web/components/[a-c]*.tsx', exclusive: true },
  { pattern: 'test/**/users*', exclusive: true },
  { pattern: 'test/api/users.test.ts', exclusive: true },
  { pattern: 'docs/**', exclusive: false },
  { pattern: 'docs/guide.md', exclusive: false },
  { pattern: 'docs/*.md', exclusive: true },
  { pattern: 'package.json', exclusive: true },
  { pattern: '*.json', exclusive: true },
  { pattern: 'src/web', exclusive: true },
  { pattern: 'src/api/', exclusive: true },
  { pattern: 'config.d/', exclusive: true },
  { pattern: 'config.d', exclusive: true },
  { pattern: 'docs', exclusive: false },
];

describe('race suite: 50+ agents racing on one project', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ batching: GROUP_COMMIT });
    await ctx.startWorker();
  });
  afterAll(() => ctx.close());

  it(
    `never double-grants and crowns exactly one claimant, over thousands of trials (seed ${SEED}, ${BUDGET_S}s budget)`,
    async () => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const rnd = seededRandom(SEED);
      const started = Date.now();
      const created = await ctx.createProject({ prefix: 'race', human: 'alice' });
      const project = created.client;
      // Concurrent registrations: all at once, all distinct names. The typed client is an operator's:
      // members act by name (the Baton server would add the epoch it verified).
      const regs = await Promise.all(Array.from({ length: AGENTS }, (_, i) => project.agents.register({ program: 'race', task: `racer ${i}` })));
      const agents: Racer[] = regs.map((r) => ({ name: r.member.name, actor: member(r.member.name) }));
      const members = await project.agents.list();
      const reports: InvariantReport[] = [
        checkMembersKept(
          agents.map((a) => a.name),
          members.map((m) => m.name),
        ),
      ];
      const totals = { rounds: 0, trials: 0, grants: 0, conflicts: 0, releases: 0, claims: 0, emergencyClaims: 0 };
      const facts = new Map<string, LeaseFacts>();
      // The audit keeps its last 1,000 entries: read it after every round and stitch it by seq.
      const trail = new Map<number, TrailEntry>();
      let total = 0;
      while (totals.rounds < 2 || (Date.now() - started) / 1000 < BUDGET_S) {
        totals.rounds++;
        reports.push(await raceRound(project, agents, rnd, totals, facts));
        const audit = await project.reservations.audit({ limit: 1000 });
        if (audit.entries.length && audit.entries[0]!.seq > total + 1) throw new Error(`a round wrote more than 1,000 audit entries (${audit.total - total}); lower WAVES`);
        for (const e of audit.entries) trail.set(e.seq, e);
        total = audit.total;
        if (reports.some((r) => r.violations.length > 0)) break;
      }
      reports.push(checkNoDoubleExclusiveGrant({ total, entries: [...trail.values()] }, facts));

      // Emergencies: every agent claims the same emergency at once; exactly one wins, the rest are told
      // CONFLICT, and the incident names the winner.
      const emergencies = Math.max(2, Math.min(5, totals.rounds));
      for (let i = 0; i < emergencies; i++) {
        const run = await project.patterns.start('emergency-response', { id: `outage-${SEED}-${i}`, title: `Outage ${i}`, description: 'checkout returns 500 since the last deploy', files: [`src/checkout/${i}/**`] }, { startedBy: created.human.name });
        const answers = await Promise.all(
          agents.map(async (a) => {
            try {
              await project.emergency.claim(run.workflowId, { name: a.name });
              return { agent: a.name, won: true, code: 'OK' };
            } catch (err) {
              return { agent: a.name, won: false, code: (err as { code?: string }).code ?? 'INTERNAL' };
            }
          }),
        );
        const incident = await project.emergency.incident(run.workflowId);
        const report = checkExactlyOneClaimant(answers, incident.claimant ? [incident.claimant] : []);
        const odd = answers.filter((x) => !x.won && x.code !== 'CONFLICT');
        if (odd.length) report.violations.push(`${odd.length} losing claims failed with ${[...new Set(odd.map((x) => x.code))].join(', ')} instead of CONFLICT`);
        reports.push({ ...report, name: 'exactly one agent claims an emergency' });
        totals.emergencyClaims += answers.length;
        await project.patterns.cancel(run.workflowId, { name: created.human.name }, 'race test over');
      }
      const seconds = (Date.now() - started) / 1000;
      say(
        `race suite: ${AGENTS} agents${GROUP_COMMIT ? ' (group commit)' : ''}, ${totals.rounds} rounds in ${seconds.toFixed(1)}s (seed ${SEED}): ${totals.trials} reserve trials (${totals.grants} granted, ${totals.conflicts} conflicts), ` +
          `${totals.releases} releases, ${AGENTS} concurrent registrations, ${totals.claims} claims on ${totals.rounds} hot files, ${totals.emergencyClaims} claims on ${Math.max(2, Math.min(5, totals.rounds))} emergencies; audit trail of ${total} entries replayed`,
      );
      expectInvariants(merge(reports), say);
      expect(totals.trials).toBeGreaterThanOrEqual(MIN_TRIALS);
    },
    (BUDGET_S + SLACK_S) * 1000,
  );
});

type Racer = { name: string; actor: MemberActor };

async function raceRound(project: BatonProjectClient, agents: Racer[], rnd: () => number, totals: Record<string, number>, facts: Map<string, LeaseFacts>): Promise<InvariantReport> {
  const note = (res: ReserveResult) => {
    if (res.status !== 'granted') return;
    for (const r of res.reservations) facts.set(r.id, { id: r.id, holder: r.holder, pattern: r.pattern, exclusive: r.exclusive });
  };
  for (let wave = 0; wave < WAVES; wave++) {
    // Every agent asks at the same moment for 1-3 overlapping globs (one reserve call: all or nothing).
    const answers = await Promise.all(
      agents.map((a) => {
        const exclusive = rnd() < 0.8;
        const choices = POOL.filter((p) => p.exclusive === exclusive);
        const patterns = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => choices[Math.floor(rnd() * choices.length)]!.pattern))];
        return project.reservations.reserve({ actor: a.actor, patterns, exclusive, ttlSeconds: 3600, reason: `race wave ${wave}` });
      }),
    );
    for (const res of answers) {
      totals.trials!++;
      if (res.status === 'granted') totals.grants!++;
      else totals.conflicts!++;
      note(res);
    }
    // Half of the agents let go, all at once, so the next wave races for freed and still-held globs.
    const leaving = agents.filter(() => rnd() < 0.5);
    await Promise.all(leaving.map((a) => project.reservations.release({ actor: a.actor, all: true })));
    totals.releases! += leaving.length;
  }

  // Everyone claims one hot file at the same instant: exactly one wins.
  await Promise.all(agents.map((a) => project.reservations.release({ actor: a.actor, all: true })));
  const hot = `hot/${Math.floor(rnd() * 1e9)}.ts`;
  const claims = await Promise.all(agents.map(async (a) => ({ agent: a.name, res: await project.reservations.reserve({ actor: a.actor, patterns: [hot], reason: 'claim the hot file' }) })));
  totals.claims! += claims.length;
  totals.trials! += claims.length;
  for (const c of claims) note(c.res);
  const holders = (await project.reservations.list()).reservations.filter((r) => r.pattern === hot).map((r) => r.holder);
  return checkExactlyOneClaimant(
    claims.map((c) => ({ agent: c.agent, won: c.res.status === 'granted' })),
    holders,
  );
}
/** One line per invariant over all rounds. */
function merge(reports: InvariantReport[]): InvariantReport[] {
  const byName = new Map<string, InvariantReport>();
  for (const r of reports) {
    const m = byName.get(r.name);
    if (m) {
      m.checked += r.checked;
      m.violations.push(...r.violations);
    } else byName.set(r.name, { ...r, violations: [...r.violations] });
  }
  return [...byName.values()];
}
