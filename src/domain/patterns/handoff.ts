/**
 * The quality bar of a handoff note: the next agent must learn what was done, where, and how to check
 * it, without asking. A note that misses one of them is refused with a message naming what is missing
 * (the seed's "Unclear Handoffs" anti-pattern). Pure: used by the workflows' `done` handler, the client
 * and the CLI, so the refusal reads the same everywhere.
 */
export interface Handoff {
  whatWasDone: string;
  where: string[];
  howToTest: string;
}

export type HandoffCheck = { ok: true } | { ok: false; missing: HandoffProblem[]; message: string };

export interface HandoffProblem {
  field: 'whatWasDone' | 'where' | 'howToTest';
  problem: string;
}

/** Notes that say nothing the next agent can act on. Compared after lower-casing and trimming punctuation. */
const VAGUE = new Set([
  'done',
  'finished',
  'complete',
  'completed',
  'fixed',
  'fixed it',
  'did it',
  'it works',
  'works',
  'wip',
  'stuff',
  'changes',
  'some changes',
  'various changes',
  'misc',
  'see code',
  'see the code',
  'see commit',
  'see pr',
  'n/a',
  'na',
  'none',
  'tbd',
  'todo',
  'test it',
  'run tests',
  'run the tests',
  'just test it',
  'everything',
  'all',
  'the code',
  'the usual',
  'as usual',
  'check it',
  'try it',
  'ok',
  '-',
  '.',
]);

const VAGUE_PLACES = new Set(['everywhere', 'the code', 'code', 'all', 'all files', 'various', 'misc', 'repo', 'the repo', 'the repository', '*', '**', '.', 'src', 'n/a', 'tbd']);

const normalise = (text: string) => text.trim().toLowerCase().replace(/[.!?,;:\s]+$/g, '').replace(/\s+/g, ' ');
const words = (text: string) => text.trim().split(/\s+/).filter(Boolean).length;

export const MIN_WHAT_WORDS = 4;
export const MIN_HOW_TO_TEST_WORDS = 2;

export function checkHandoff(handoff: Partial<Handoff> | undefined): HandoffCheck {
  const missing: HandoffProblem[] = [];
  const what = handoff?.whatWasDone ?? '';
  if (!what.trim()) missing.push({ field: 'whatWasDone', problem: 'is empty: say what you did (e.g. "Added the users table migration with email unique index")' });
  else if (VAGUE.has(normalise(what)) || words(what) < MIN_WHAT_WORDS) {
    missing.push({ field: 'whatWasDone', problem: `"${what.trim()}" is too vague: describe the change in at least ${MIN_WHAT_WORDS} words, so the next agent need not read the diff to know it` });
  }
  const where = (handoff?.where ?? []).map((w) => w.trim()).filter(Boolean);
  if (where.length === 0) missing.push({ field: 'where', problem: 'is empty: list the files or directories you changed (e.g. db/migrations/001_users.sql)' });
  else {
    const vague = where.filter((w) => VAGUE_PLACES.has(normalise(w)) || !/[/.]/.test(w));
    if (vague.length === where.length) {
      missing.push({ field: 'where', problem: `${vague.map((v) => `"${v}"`).join(', ')} ${vague.length === 1 ? 'is not a path' : 'are not paths'}: name the files you changed (a path with "/" or an extension)` });
    }
  }
  const how = handoff?.howToTest ?? '';
  if (!how.trim()) missing.push({ field: 'howToTest', problem: 'is empty: say how to check your work (a command such as `npm test -- users`, or the steps to follow)' });
  else if (VAGUE.has(normalise(how)) || words(how) < MIN_HOW_TO_TEST_WORDS) {
    missing.push({ field: 'howToTest', problem: `"${how.trim()}" is too vague: give the exact command or steps (e.g. \`npm test -- users\`)` });
  }
  if (missing.length === 0) return { ok: true };
  return { ok: false, missing, message: `Handoff refused: ${missing.map((m) => `${m.field} ${m.problem}`).join('; ')}.` };
}
