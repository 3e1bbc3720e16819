import { parseDuration, relativeTime } from '../../src/domain/reservations/duration';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.parse('2025-01-01T00:00:00.000Z');
const at = (offset: number) => relativeTime(NOW + offset, NOW);

describe('relativeTime (durations for people)', () => {
  it.each([
    [2 * H - 2 * S, 'in 2h'], // a 2 h lease a moment after the grant (flooring said "in 1h")
    [2 * H, 'in 2h'],
    [119 * M, 'in 1h 59m'],
    [2 * H - 29 * S, 'in 2h'], // 1h 59m 31s: nearer to 2h than to 1h 59m
    [2 * H - 40 * S, 'in 1h 59m'],
    [2 * H - 90 * S, 'in 1h 59m'], // 1h 58m 30s rounds up to the minute
    [30 * M - 3 * S, 'in 30m'],
    [59 * M + 40 * S, 'in 1h'], // rounded before the unit is chosen: not "in 60m"
    [45 * S, 'in 45s'],
    [59.6 * S, 'in 1m'],
    [90 * S, 'in 2m'],
    [300, 'in 0s'],
    [0, 'in 0s'],
    [23 * H + 59 * M + 50 * S, 'in 1d'],
    [D + 31 * M, 'in 1d 1h'],
    [-(3 * D + 4 * H + 100 * S), '3d 4h ago'],
    [-(3 * D), '3d ago'],
    [-(25 * M), '25m ago'],
    [-1500, '2s ago'],
  ])('%d ms from now reads %s', (offset, text) => {
    expect(at(offset)).toBe(text);
  });

  it('takes ISO times as well as epoch milliseconds', () => {
    expect(relativeTime(new Date(NOW + 119 * M).toISOString(), NOW)).toBe('in 1h 59m');
  });
});

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['2h', 7200],
    ['1h30m', 5400],
  ])('%s is %d s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it('refuses what is not a duration, saying what would be', () => {
    expect(() => parseDuration('soon')).toThrow(/use seconds \(3600\) or e\.g\. 90s/);
  });
});
