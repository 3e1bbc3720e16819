/**
 * Workflow selection (the seed's table): map a task description or type to the coordination pattern
 * that fits it, its typical duration, why, and how to start it. Pure keyword scoring, so it answers
 * instantly and the same way everywhere (CLI, MCP, tests).
 */
export type RecommendedPattern = 'parallel-development' | 'sequential-handoff' | 'code-review' | 'full-stack-feature' | 'emergency-response' | 'onboarding';

export interface PatternProfile {
  pattern: RecommendedPattern;
  label: string;
  taskType: string;
  duration: string;
  /** Words and phrases that point to this pattern (lower case; phrases match as substrings). */
  keywords: string[];
  why: string;
  start: string;
  /** The seed's notes on how patterns compose. */
  uses?: string;
}

export const PATTERN_PROFILES: PatternProfile[] = [
  {
    pattern: 'emergency-response',
    label: 'Emergency Response',
    taskType: 'Production issue',
    duration: '15-60 minutes',
    keywords: ['production', 'prod', 'outage', 'incident', 'emergency', 'hotfix', 'urgent', 'down', 'broken', 'crash', 'sev1', 'sev2', '500 error', 'error rate', 'pager', 'rollback', 'on fire'],
    why: 'Production is affected: one agent claims it (no duplicates), reserves the affected files with priority, fixes, tests in staging; a human approves the deploy; then monitoring and a post-mortem.',
    start: 'baton start emergency --title "<what broke>" --description "<symptoms>" --files <affected files>',
    uses: 'May use Sequential Handoff if the fix takes several steps.',
  },
  {
    pattern: 'onboarding',
    label: 'Onboarding',
    taskType: 'New team member',
    duration: '1-3 days',
    keywords: ['onboard', 'onboarding', 'new agent', 'new team member', 'new member', 'newcomer', 'join the team', 'joins the team', 'introduce', 'introduction', 'welcome', 'starter task', 'first task'],
    why: 'A new agent earns trust: a human introduces it, a lead assigns a starter task and reviews it; after a few successful tasks it is trusted (auto-approved contact, reviews, complex work).',
    start: 'baton start onboarding --agent <NewAgent> --lead <trusted agent or human> --task "<starter task>" --files <files>',
    uses: 'Includes Code Review for quality.',
  },
  {
    pattern: 'full-stack-feature',
    label: 'Full-Stack Feature',
    taskType: 'Complete feature',
    duration: '1-3 days',
    keywords: ['full-stack', 'full stack', 'fullstack', 'end-to-end feature', 'complete feature', 'whole feature', 'across all layers', 'all layers', 'database and api and ui', 'db, api', 'authentication feature', 'user authentication', 'login feature', 'sign-up feature', 'feature with migration'],
    why: 'A feature across all layers: Database first, then Backend and Frontend in parallel, the API contract handed over, E2E tests on shared leases, and a code review to close.',
    start: 'baton start full-stack --title "<feature>" --database "Agent:files:task" --backend "Agent:files:task" --frontend "Agent:files:task" --test "Agent:files:task" --reviewer <name> --as <human>',
    uses: 'Uses Parallel Development + Code Review as child workflows.',
  },
  {
    pattern: 'code-review',
    label: 'Code Review',
    taskType: 'Quality check',
    duration: '30 min - 2 hours',
    keywords: ['review', 'code review', 'quality', 'quality check', 'pull request', 'pr ', 'audit', 'second pair of eyes', 'check my code', 'approve changes', 'feedback'],
    why: 'One agent writes, another (trusted agent or human, never the author) reviews with required changes and suggestions; revisions loop until approved, then merge.',
    start: 'baton start code-review --title "<change>" --author <Agent> --reviewer <trusted agent or human> --task "<what>" --files "<globs>"',
  },
  {
    pattern: 'sequential-handoff',
    label: 'Sequential Handoff',
    taskType: 'Dependent tasks',
    duration: '4-8 hours',
    keywords: ['then', 'after that', 'depends on', 'dependent', 'pipeline', 'in order', 'sequence', 'sequential', 'handoff', 'hand off', 'step by step', 'migration then', 'before the', 'once the'],
    why: 'Each step needs the previous one: agents pass work down a pipeline (DB -> API -> Frontend -> Tests) with a handoff note at every step.',
    start: 'baton start sequential-handoff --title "<work>" --step "name:Agent:files:task" --step "name:Agent:files:task" ...',
  },
  {
    pattern: 'parallel-development',
    label: 'Parallel Development',
    taskType: 'Independent features',
    duration: '2-4 hours',
    keywords: ['independent', 'in parallel', 'parallel', 'simultaneously', 'at the same time', 'separate', 'split the work', 'divide', 'several features', 'multiple features', 'no dependencies', 'frontend and backend'],
    why: 'The parts do not depend on each other: agents work at once on non-overlapping files, sync at checkpoints, then integration tests.',
    start: 'baton start parallel-development --title "<work>" --worker "Agent:files:task" --worker "Agent:files:task" --integration-command "npm test"',
  },
];

export interface Recommendation extends PatternProfile {
  /** Keywords of the description that matched (empty when nothing matched and the default was taken). */
  matched: string[];
  confidence: 'high' | 'medium' | 'low';
  alternatives: { pattern: RecommendedPattern; label: string; matched: string[] }[];
}

const TYPE_ALIASES: Record<string, RecommendedPattern> = {
  'independent features': 'parallel-development',
  'independent feature': 'parallel-development',
  'dependent tasks': 'sequential-handoff',
  'dependent task': 'sequential-handoff',
  'quality check': 'code-review',
  'complete feature': 'full-stack-feature',
  'production issue': 'emergency-response',
  'new team member': 'onboarding',
};

/**
 * Recommend a pattern for a task. A task type from the seed's table or a pattern name answers directly;
 * otherwise keywords are scored (longer phrases weigh more; the table's order breaks ties, urgent work
 * first). Nothing matched: Sequential Handoff, the safe default for work whose parts may depend on each
 * other, with low confidence.
 */
export function recommend(task: string): Recommendation {
  const text = ` ${task.toLowerCase().replace(/\s+/g, ' ').trim()} `;
  const exact = TYPE_ALIASES[text.trim()] ?? PATTERN_PROFILES.find((p) => p.pattern === text.trim() || p.label.toLowerCase() === text.trim())?.pattern;
  const scored = PATTERN_PROFILES.map((profile, order) => {
    const matched = profile.keywords.filter((k) => matches(text, k));
    const score = matched.reduce((sum, k) => sum + (k.includes(' ') ? 2 : 1), 0);
    return { profile, matched, score, order };
  });
  if (exact) {
    const hit = scored.find((s) => s.profile.pattern === exact)!;
    return build(hit.profile, [text.trim()], 'high', scored.filter((s) => s !== hit && s.score > 0));
  }
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.order - b.order);
  const best = ranked[0]!;
  if (best.score === 0) return build(PATTERN_PROFILES.find((p) => p.pattern === 'sequential-handoff')!, [], 'low', []);
  const second = ranked[1]!;
  const confidence = best.score >= 2 && best.score >= second.score * 2 ? 'high' : best.score > second.score ? 'medium' : 'low';
  return build(best.profile, best.matched, confidence, ranked.slice(1).filter((s) => s.score > 0));
}

function build(profile: PatternProfile, matched: string[], confidence: Recommendation['confidence'], others: { profile: PatternProfile; matched: string[] }[]): Recommendation {
  return { ...profile, matched, confidence, alternatives: others.map((o) => ({ pattern: o.profile.pattern, label: o.profile.label, matched: o.matched })) };
}

/** Whole words for single words ("prod" must not match "product"); substrings for phrases. */
function matches(text: string, keyword: string): boolean {
  if (keyword.includes(' ') || /[^a-z0-9-]/.test(keyword)) return text.includes(keyword);
  return new RegExp(`(^|[^a-z0-9-])${keyword.replace(/-/g, '\\-')}([^a-z0-9-]|$)`).test(text);
}
