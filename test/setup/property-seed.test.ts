import fc from 'fast-check';
import { choosePropertySeed, CI_PROPERTY_SEED, replayCommand } from './property-seed';

/** The property tests' seed: chosen by the rules, printed with the number of runs, replayable on failure. */
describe('choosePropertySeed', () => {
  it('takes BATON_PROPERTY_SEED first, even under CI', () => {
    expect(choosePropertySeed({ BATON_PROPERTY_SEED: '-42', CI: 'true' })).toEqual({ seed: -42, source: 'BATON_PROPERTY_SEED' });
  });
  it('uses the fixed seed under CI', () => {
    expect(choosePropertySeed({ CI: 'true' })).toEqual({ seed: CI_PROPERTY_SEED, source: 'CI default' });
  });
  it('draws a random seed otherwise', () => {
    expect(choosePropertySeed({}, () => 0.5)).toEqual({ seed: 2 ** 30, source: 'random' });
    expect(choosePropertySeed({ CI: 'false' }, () => 0.25)).toEqual({ seed: 2 ** 29, source: 'random' });
  });
  it.each(['abc', '1.5', '1e3', String(2 ** 31)])('refuses BATON_PROPERTY_SEED=%s and says what to give', (value) => {
    expect(() => choosePropertySeed({ BATON_PROPERTY_SEED: value })).toThrow(`BATON_PROPERTY_SEED=${value} is not a seed: give the integer a failing property test printed`);
  });
});

describe('replayCommand', () => {
  it('names the seed, the file and the test', () => {
    expect(replayCommand(7, '/repo/test/domain/overlap.property.test.ts', 'overlap is symmetric (a|b)', '/repo')).toBe(
      "BATON_PROPERTY_SEED=7 npx jest test/domain/overlap.property.test.ts -t '^overlap is symmetric \\(a\\|b\\)$'",
    );
  });
});

describe('fast-check under the suite setup (test/setup/fast-check.ts)', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints the seed and the number of runs of a passing property', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => n === n),
      { numRuns: 37 },
    );
    const seed = fc.readConfigureGlobal().seed;
    expect(printed.join('')).toBe(`property "fast-check under the suite setup (test/setup/fast-check.ts) prints the seed and the number of runs of a passing property": seed ${seed} (${sourceNow()}), 37 runs\n`);
  });

  it('fails with the counterexample and the command that replays it with the same seed', () => {
    const seed = fc.readConfigureGlobal().seed!;
    let message = '';
    try {
      fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), (n) => n < 500));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('Counterexample: [500]');
    expect(message).toContain(`BATON_PROPERTY_SEED=${seed} npx jest test/setup/property-seed.test.ts -t`);
    expect(printed.join('')).toMatch(new RegExp(`seed ${seed} .* FAILED\\n$`));
    // Replaying with that seed finds the same first counterexample.
    const again = fc.check(fc.property(fc.integer({ min: 0, max: 1000 }), (n) => n < 500), { seed });
    expect(again.counterexample).toEqual([500]);
  });
});

function sourceNow(): string {
  return choosePropertySeed(process.env).source;
}
