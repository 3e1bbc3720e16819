import { BatonError } from '../errors';
import { parseGlob, type ParsedGlob } from '../reservations/glob';
import { overlapWitness } from '../reservations/overlap';

/**
 * Checks of a pattern's plan that zod cannot express: disjoint file sets for parallel work, the author
 * never reviewing their own work. Pure, so the client refuses a bad plan before anything starts and the
 * workflow refuses it again (plans can reach Temporal without the client).
 */
export interface FileOverlap {
  a: { agent: string; pattern: string };
  b: { agent: string; pattern: string };
  /** A path both patterns match, e.g. src/api/users.ts. */
  example: string;
}

export function findFileOverlaps(workers: { agent: string; files: string[] }[]): FileOverlap[] {
  const parsed = workers.map((w) => ({ agent: w.agent, files: w.files.map((f) => ({ pattern: f, glob: parseOrThrow(f) })) }));
  const overlaps: FileOverlap[] = [];
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      for (const x of parsed[i]!.files) {
        for (const y of parsed[j]!.files) {
          const example = overlapWitness(x.glob, y.glob);
          if (example !== undefined) overlaps.push({ a: { agent: parsed[i]!.agent, pattern: x.pattern }, b: { agent: parsed[j]!.agent, pattern: y.pattern }, example });
        }
      }
    }
  }
  return overlaps;
}

export function describeOverlaps(overlaps: FileOverlap[]): string {
  return (
    'The plan gives overlapping files to parallel agents: ' +
    overlaps.map((o) => `${o.a.agent}'s "${o.a.pattern}" and ${o.b.agent}'s "${o.b.pattern}" both match ${o.example}`).join('; ') +
    '. Give each agent its own files (or run the dependent parts as a Sequential Handoff).'
  );
}

/** Throws INVALID_INPUT naming the overlap when parallel agents' files overlap. */
export function checkDisjointFiles(workers: { agent: string; files: string[] }[]): void {
  const overlaps = findFileOverlaps(workers);
  if (overlaps.length > 0) throw new BatonError('INVALID_INPUT', describeOverlaps(overlaps), { overlaps });
}

export function checkDistinctAgents(agents: string[], what: string): void {
  const seen = new Set<string>();
  for (const a of agents) {
    if (seen.has(a.toLowerCase())) throw new BatonError('INVALID_INPUT', `${what}: ${a} appears twice; give each agent one share of the work.`);
    seen.add(a.toLowerCase());
  }
}

export function checkReviewer(author: string, reviewer: string): void {
  if (author.toLowerCase() === reviewer.toLowerCase()) {
    throw new BatonError('INVALID_INPUT', `reviewer: ${reviewer} wrote the code and cannot review it; pick a trusted agent or a human other than the author.`);
  }
}

function parseOrThrow(pattern: string): ParsedGlob {
  return parseGlob(pattern);
}

/**
 * What a plan check needs to know of a member: the directory's answer to the client, and the pattern
 * workflows' cache of it, so both refuse a plan with the same words.
 */
export interface MemberFacts {
  name: string;
  kind: 'agent' | 'human';
  trusted: boolean;
  retired: boolean;
}
export type MemberLookup = (name: string) => MemberFacts | undefined;

/** NOT_FOUND naming every member the plan names who is not (or no longer) registered. */
export function checkRegistered(names: string[], who: MemberLookup, project: string): void {
  const missing = [...new Set(names)].filter((n) => !who(n) || who(n)!.retired);
  if (missing.length) {
    throw new BatonError('NOT_FOUND', `The plan names ${missing.join(', ')}, not (or no longer) registered in project ${project}; register them with \`baton register\` (\`baton agents\` lists who is here).`, { missing });
  }
}

/** A reviewer (or lead) is a trusted agent or a human: they judge someone else's work. */
export function checkJudge(field: string, name: string, who: MemberLookup, role: string): void {
  const m = who(name);
  if (m && m.kind === 'agent' && !m.trusted) {
    throw new BatonError('INVALID_INPUT', `${field}: ${m.name} is a new agent; ${role} is a trusted agent or a human (trust comes from successful tasks accepted by someone else).`);
  }
}
