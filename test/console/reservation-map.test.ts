import { overlapsBetweenHolders } from '../../src/domain/reservations/map';
import { leaseCount, reservationTree } from '../../src/console/reservation-tree';
import type { ReservationView } from '../../src/schemas/console';

const lease = (id: string, holder: string, pattern: string): ReservationView => ({
  id,
  project: 'p',
  holder,
  pattern,
  exclusive: false,
  reason: 'r',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-01T01:00:00Z',
  overlaps: [],
});

describe('the reservation map', () => {
  it('hangs each lease at the folder its pattern names, merging single-child folders', () => {
    const tree = reservationTree([lease('1', 'a', 'src/api/users.ts'), lease('2', 'b', 'src/api/**'), lease('3', 'c', 'docs/guide/intro.md'), lease('4', 'a', 'README.md')]);
    expect(tree.leases.map((l) => l.pattern)).toEqual(['README.md']);
    expect(tree.children.map((c) => c.label)).toEqual(['docs/guide', 'src/api']);
    expect(tree.children[1]!.leases.map((l) => l.pattern)).toEqual(['src/api/**', 'src/api/users.ts']);
    expect(leaseCount(tree)).toBe(4);
  });

  it('finds overlaps between holders only (with a path both cover), not within one holder', () => {
    const overlaps = overlapsBetweenHolders([
      { id: '1', holder: 'SwiftEagle', pattern: 'src/live/short.ts' },
      { id: '2', holder: 'GreenCastle', pattern: 'src/live/*.ts' },
      { id: '3', holder: 'GreenCastle', pattern: 'src/live/other.ts' },
      { id: '4', holder: 'BoldMountain', pattern: 'docs/**' },
    ]);
    expect(overlaps.get('1')).toEqual([{ id: '2', holder: 'GreenCastle', example: 'src/live/short.ts' }]);
    expect(overlaps.get('2')).toEqual([{ id: '1', holder: 'SwiftEagle', example: 'src/live/short.ts' }]);
    expect(overlaps.has('3')).toBe(false);
    expect(overlaps.has('4')).toBe(false);
  });
});
