import fc from 'fast-check';
import { expandBraces, parseGlob } from '../../src/domain/reservations/glob';
import { coverageGap, covers } from '../../src/domain/reservations/coverage';
import { UNIVERSE, isPlain, isValidPath, oracle, withoutSlash } from '../support/glob-oracle';

/**
 * Coverage ("every path of the wanted pattern is covered by one of the held ones") against a brute-force
 * oracle. When it names a gap, the oracle must agree the wanted pattern covers that path and no held one
 * does (no false "lacks", for any length); when it says covered, no path of a small universe may be
 * covered by the wanted pattern and missed by every held one (no false "covered" within that universe).
 * The oracle (test/support/glob-oracle.ts) reads patterns as overlap.property.test.ts does: a plain directory by its form covers itself
 * and everything under it, a plain file only itself (string comparison), a glob what picomatch matches.
 */


const token = fc.constantFrom('a', 'b', '.', '*', '?', '[ab]', '[!a]', '[^.]', '[a-b]');
const segmentBody = fc.array(token, { minLength: 1, maxLength: 3 }).map((t) => t.join(''));
const segment = fc.oneof({ weight: 4, arbitrary: segmentBody }, { weight: 1, arbitrary: fc.constant('**') });
const globPattern = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const bracePattern = fc
  .tuple(fc.array(segment, { maxLength: 1 }), segmentBody, segmentBody, fc.array(segment, { maxLength: 1 }))
  .map(([before, x, y, after]) => [...before, `{${x},${y}}`, ...after].join('/'));
const literalName = fc.array(fc.constantFrom('a', 'b', '.'), { minLength: 1, maxLength: 3 }).map((t) => t.join(''));
const plainPath = fc.tuple(fc.array(literalName, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([s, slash]) => s.join('/') + (slash ? '/' : ''));
const pattern = fc
  .oneof({ weight: 3, arbitrary: globPattern }, { weight: 1, arbitrary: bracePattern }, { weight: 2, arbitrary: plainPath })
  .filter((p) => (isPlain(p) ? isValidPath(withoutSlash(p)) : expandBraces(p).every(isValidPath)));



describe('coverage of a pattern by held patterns', () => {
  it('is exact against the oracle: a real gap, or no gap in the universe', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 0, maxLength: 3 }), pattern, (held, wanted) => {
        const w = oracle(wanted);
        const hs = held.map(oracle);
        const gap = coverageGap(hs.map((h) => h.parsed), w.parsed);
        if (gap !== undefined) {
          expect(isValidPath(gap)).toBe(true);
          expect([held, wanted, gap, w.match(gap), hs.some((h) => h.match(gap))]).toEqual([held, wanted, gap, true, false]);
        } else {
          const missed = [...UNIVERSE, ...w.universe, ...hs.flatMap((h) => h.universe)].find((path) => w.match(path) && !hs.some((h) => h.match(path)));
          expect([held, wanted, missed]).toEqual([held, wanted, undefined]);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('is reflexive: a pattern covers itself', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        expect([p, covers([oracle(p).parsed], oracle(p).parsed)]).toEqual([p, true]);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    // [held, wanted, covered]
    [['src/api/**'], 'src/api/users.ts', true],
    [['src/api'], 'src/api/users.ts', true],
    [['src/api/'], 'src/api/v1/users.ts', true],
    [['src/**'], 'src/api/**', true],
    [['src/*.ts'], 'src/a.ts', true],
    [['web/login/form.tsx'], 'web/login/**', false],
    [['src/api/users.ts'], 'src/api', false],
    [['src/*.ts'], 'src/api/a.ts', false],
    [['src/a/**', 'src/b/**'], 'src/{a,b}/x.ts', true],
    [['src/[a-m]*', 'src/[n-z]*'], 'src/[a-z]x.ts', true],
    [['src/[a-m]*'], 'src/[a-z]x.ts', false],
    [['**/*.md'], 'Makefile', false],
  ])('%j covers %s: %s', (held, wanted, covered) => {
    expect(covers(held.map((h) => parseGlob(h)), parseGlob(wanted))).toBe(covered);
  });
});
