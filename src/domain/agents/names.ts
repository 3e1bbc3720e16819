import { ADJECTIVES, NOUNS } from './words';

/**
 * Memorable agent names: CamelCase adjective + noun (BoldMountain, SwiftEagle), unique per project
 * ignoring case. Pure: the caller supplies randomness (workflow code passes the SDK's deterministic
 * source) and the set of names already taken.
 */
const adjectives = [...new Set<string>(ADJECTIVES)];
const nouns = [...new Set<string>(NOUNS)];
export const NAME_SPACE_SIZE = adjectives.length * nouns.length;

/** Words no member may be called, alone or as the noun: they read as addresses or roles. */
export const RESERVED_WORDS = new Set([
  'all', 'everyone', 'everybody', 'broadcast', 'here', 'channel', 'team', 'project', 'baton', 'system',
  'admin', 'root', 'human', 'humans', 'agent', 'agents', 'bot', 'lead', 'owner', 'orchestrator',
  'reviewer', 'author', 'approver', 'database', 'backend', 'frontend', 'tester', 'test', 'tests', 'nobody',
  'me', 'self', 'temporal', 'null', 'undefined', 'none',
]);

const AGENT_NAME = /^([A-Z][a-z]{1,15})([A-Z][a-z]{1,15})$/;

export type NameProblem = { ok: true } | { ok: false; reason: string };

/** Validate an agent name a caller asked for (the directory checks "taken" itself). */
export function checkAgentName(name: string): NameProblem {
  const m = AGENT_NAME.exec(name);
  if (!m) {
    return { ok: false, reason: `"${name}" is not an adjective+noun name in CamelCase (like BoldMountain or SwiftEagle); omit --name to get one generated` };
  }
  const [, adjective, noun] = m as unknown as [string, string, string];
  for (const word of [name, adjective, noun]) {
    if (RESERVED_WORDS.has(word.toLowerCase())) return { ok: false, reason: `"${name}" uses the reserved word "${word}" (it reads as a role or an address); pick another name` };
  }
  return { ok: true };
}

/** Validate a human's name: free-form but not a reserved word. */
export function checkHumanName(name: string): NameProblem {
  if (RESERVED_WORDS.has(name.toLowerCase())) return { ok: false, reason: `"${name}" is a reserved word (it reads as a role or an address); pick another name` };
  return { ok: true };
}

/**
 * A fresh name not in `taken` (lower-cased names). Random picks first (names feel varied); when the
 * space is crowded, a walk from a random starting point guarantees an answer while any name is free.
 */
export function generateAgentName(random: () => number, taken: (lowerName: string) => boolean): string {
  const at = (i: number) => `${adjectives[Math.floor(i / nouns.length)]}${nouns[i % nouns.length]}`;
  for (let attempt = 0; attempt < 32; attempt++) {
    const name = at(Math.floor(random() * NAME_SPACE_SIZE));
    if (!taken(name.toLowerCase()) && checkAgentName(name).ok) return name;
  }
  const start = Math.floor(random() * NAME_SPACE_SIZE);
  for (let k = 0; k < NAME_SPACE_SIZE; k++) {
    const name = at((start + k) % NAME_SPACE_SIZE);
    if (!taken(name.toLowerCase()) && checkAgentName(name).ok) return name;
  }
  throw new Error(`All ${NAME_SPACE_SIZE} generated names are taken in this project; register with an explicit --name`);
}
