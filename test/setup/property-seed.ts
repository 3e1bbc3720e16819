import path from 'node:path';

/**
 * Which seed the property tests (fast-check) run with, so a failure found once can be found again:
 * BATON_PROPERTY_SEED when set, else a fixed seed under CI (CI=true: every CI run checks the same
 * cases, and a red CI replays on any machine), else a new random seed per test file (exploration
 * while developing). fast-check seeds are 32-bit integers.
 */
export const CI_PROPERTY_SEED = 20_261_125;

export interface PropertySeed {
  seed: number;
  source: 'BATON_PROPERTY_SEED' | 'CI default' | 'random';
}

/** Throws when BATON_PROPERTY_SEED is set to something that is not a 32-bit integer. */
export function choosePropertySeed(env: NodeJS.ProcessEnv, random: () => number = Math.random): PropertySeed {
  const given = env.BATON_PROPERTY_SEED?.trim();
  if (given) {
    const seed = Number(given);
    if (!/^-?\d+$/.test(given) || seed < -(2 ** 31) || seed >= 2 ** 31) {
      throw new Error(`BATON_PROPERTY_SEED=${given} is not a seed: give the integer a failing property test printed (e.g. BATON_PROPERTY_SEED=${CI_PROPERTY_SEED}).`);
    }
    return { seed, source: 'BATON_PROPERTY_SEED' };
  }
  if (env.CI === 'true') return { seed: CI_PROPERTY_SEED, source: 'CI default' };
  return { seed: Math.floor(random() * 2 ** 31), source: 'random' };
}

/** The command that runs one property test again with the same seed (and so the same cases). */
export function replayCommand(seed: number, testPath: string | undefined, testName: string | undefined, cwd = process.cwd()): string {
  const file = testPath ? ` ${path.relative(cwd, testPath)}` : '';
  const name = testName ? ` -t ${shellQuote(`^${escapeRegExp(testName)}$`)}` : '';
  return `BATON_PROPERTY_SEED=${seed} npx jest${file}${name}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
