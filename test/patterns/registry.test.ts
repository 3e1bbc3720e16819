import * as workflows from '../../src/workflows';
import { parsePlan, planFromFlags } from '../../src/patterns/definition';
import { PATTERN_NAMES } from '../../src/patterns/names';
import { ALL_PATTERNS, findPattern, PATTERNS, requirePattern } from '../../src/patterns/registry';

/**
 * The registry is the one list of patterns: every name has a definition, every definition a workflow
 * the worker bundles, and plan errors say which flag or field to give with an example.
 */
describe('the pattern registry (pure)', () => {
  it('describes every pattern, and each names a workflow the worker runs', () => {
    expect(ALL_PATTERNS.map((p) => p.name)).toEqual([...PATTERN_NAMES]);
    for (const def of ALL_PATTERNS) expect(typeof (workflows as Record<string, unknown>)[def.workflowType]).toBe('function');
    expect(new Set(ALL_PATTERNS.map((p) => p.workflowType)).size).toBe(PATTERN_NAMES.length);
  });

  it('resolves names and aliases, and an unknown name lists all six with their short names', () => {
    expect(findPattern('Emergency')?.name).toBe('emergency-response');
    expect(findPattern('full-stack')?.name).toBe('full-stack-feature');
    expect(findPattern('handoff')?.name).toBe('sequential-handoff');
    expect(() => requirePattern('nonsense')).toThrow(/parallel-development \(parallel\), sequential-handoff \(handoff, sequential\), code-review \(review\), full-stack-feature \(full-stack\), emergency-response \(emergency\), onboarding/);
  });

  it('names the flag and the field, with an example, for a missing or malformed plan part', () => {
    const parallel = planFromFlags(PATTERNS['parallel-development'], {}, { title: 'Auth', worker: ['SwiftEagle:src/api/**:API', 'GreenCastle:web/**:UI'] });
    expect(() => parsePlan(PATTERNS['parallel-development'], parallel)).toThrow(
      /integration: is required; give --integration-command <cmd> \(e\.g\. --integration-command "npm test"\), or --integration-agent <agent>/,
    );
    const fullStack = planFromFlags(PATTERNS['full-stack-feature'], {}, { title: 'Auth', database: 'A:db/**:db', backend: 'B:api/**:api', frontend: 'C:web/**:web', test: 'D:e2e/**:e2e' });
    expect(() => parsePlan(PATTERNS['full-stack-feature'], fullStack)).toThrow(/reviewer: is required; give --reviewer <name> \(plan field "reviewer"\), e\.g\. --reviewer alice/);
    expect(() => planFromFlags(PATTERNS['sequential-handoff'], {}, { step: ['db:BoldMountain'] })).toThrow(/step: "db:BoldMountain" should look like name:Agent:file1,file2:task, e\.g\./);
    expect(() => parsePlan(PATTERNS['code-review'], { title: 'x', author: 'A', reviewer: 'B', task: 't', files: ['a.ts'], maxRevisions: Number('two') })).toThrow(/maxRevisions: .*give --max-revisions <n>/);
  });

  it('fills a plan from flags over a plan file', () => {
    const plan = planFromFlags(PATTERNS['code-review'], { title: 'from file', files: ['old/**'] }, { title: 'from flag', files: 'src/a.ts, src/b.ts', mergeCommand: 'make merge', timeout: '5m' });
    expect(plan).toMatchObject({ title: 'from flag', files: ['src/a.ts', 'src/b.ts'], merge: { command: 'make merge', timeout: '5m' } });
  });
});
