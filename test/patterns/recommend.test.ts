import { recommend, PATTERN_PROFILES } from '../../src/patterns/recommend';

describe('workflow selection (pure)', () => {
  it.each([
    ['production issue', 'emergency-response', '15-60 minutes'],
    ['Checkout is down in production, 500 errors since 14:02', 'emergency-response', '15-60 minutes'],
    ['new team member', 'onboarding', '1-3 days'],
    ['Onboard the new agent SilverPhoenix', 'onboarding', '1-3 days'],
    ['complete feature', 'full-stack-feature', '1-3 days'],
    ['User authentication feature across all layers', 'full-stack-feature', '1-3 days'],
    ['quality check', 'code-review', '30 min - 2 hours'],
    ['Please review the pull request for the cache layer', 'code-review', '30 min - 2 hours'],
    ['dependent tasks', 'sequential-handoff', '4-8 hours'],
    ['Write the migration, then the endpoint, then the UI', 'sequential-handoff', '4-8 hours'],
    ['independent features', 'parallel-development', '2-4 hours'],
    ['Build the settings page and the export job in parallel, they are independent', 'parallel-development', '2-4 hours'],
  ])('%s -> %s', (task, pattern, duration) => {
    const r = recommend(task);
    expect(r.pattern).toBe(pattern);
    expect(r.duration).toBe(duration);
    expect(r.start).toMatch(/^baton start /);
    expect(r.why.length).toBeGreaterThan(20);
  });

  it('the table answers exactly, with high confidence', () => {
    expect(recommend('Production issue').confidence).toBe('high');
    expect(recommend('emergency-response').pattern).toBe('emergency-response');
  });

  it('whole words only ("prod" is not "product"); nothing matched falls back to Sequential Handoff with low confidence', () => {
    const r = recommend('Rename the product catalogue');
    expect(r.pattern).toBe('sequential-handoff');
    expect(r.confidence).toBe('low');
    expect(r.matched).toEqual([]);
  });

  it('covers the six patterns of the seed table and says how they compose', () => {
    expect(PATTERN_PROFILES.map((p) => p.pattern).sort()).toEqual(['code-review', 'emergency-response', 'full-stack-feature', 'onboarding', 'parallel-development', 'sequential-handoff']);
    expect(recommend('complete feature').uses).toContain('Parallel Development + Code Review');
  });
});
