import { checkAnswerFromResult, lazyBackend, reserveAnswerFromResult } from '../../src/hooks/backend';
import type { Conflict, Reservation } from '../../src/schemas/reservations';

const conflict = (over: Partial<Conflict>): Conflict => ({
  pattern: 'src/a.ts',
  holder: 'AmberFalcon',
  heldPattern: 'src/**',
  exclusive: true,
  expiresAt: '2030-01-01T00:10:00.000Z',
  reason: 'refactor',
  reservationId: 'r-1',
  example: 'src/a.ts',
  rule: 'src/** matches src/a.ts',
  ...over,
});

const reservation = (pattern: string, expiresAt: string): Reservation => ({ id: `r-${pattern}`, project: 'p', holder: 'BlueOtter', pattern, exclusive: true, reason: 'x', createdAt: '2030-01-01T00:00:00.000Z', expiresAt });

describe('server answers as the runner reads them', () => {
  it('keeps exclusive conflicts that cover each checked file, with the rule and holder state, and the files the caller holds', () => {
    const result = {
      clear: false,
      results: [
        { target: 'src/a.ts', kind: 'path' as const, conflicts: [conflict({}), conflict({ holder: 'CalmRiver', exclusive: false })] },
        { target: 'pkg/x.ts', kind: 'path' as const, conflicts: [conflict({ pattern: 'pkg/x.ts', heldPattern: 'pkg', reservationId: 'r-2', example: 'pkg/x.ts', rule: 'pkg covers everything under it', holderState: 'retired' })] },
        // Makefile reads as a directory by its form; a lease on **/*.md meets it only through Makefile/a.md: not this file.
        { target: 'Makefile', kind: 'path' as const, conflicts: [conflict({ pattern: 'Makefile', heldPattern: '**/*.md', example: 'Makefile/a.md' })] },
        { target: 'free.ts', kind: 'path' as const, conflicts: [], yours: ['r-9'] },
      ],
    };
    expect(checkAnswerFromResult(result)).toEqual({
      conflicts: [
        { path: 'src/a.ts', holder: 'AmberFalcon', pattern: 'src/**', expiresAt: '2030-01-01T00:10:00.000Z', reason: 'refactor', reservationId: 'r-1', rule: 'src/** matches src/a.ts' },
        { path: 'pkg/x.ts', holder: 'AmberFalcon', pattern: 'pkg', expiresAt: '2030-01-01T00:10:00.000Z', reason: 'refactor', reservationId: 'r-2', rule: 'pkg covers everything under it', holderState: 'retired' },
      ],
      held: ['free.ts'],
    });
  });

  it('reads a granted reserve as its patterns and earliest expiry, a refused one as conflicts', () => {
    expect(reserveAnswerFromResult({ status: 'granted', reservations: [reservation('b.ts', '2030-01-01T02:00:00.000Z'), reservation('a.ts', '2030-01-01T01:00:00.000Z')] })).toEqual({
      status: 'granted',
      patterns: ['b.ts', 'a.ts'],
      expiresAt: '2030-01-01T01:00:00.000Z',
    });
    expect(reserveAnswerFromResult({ status: 'conflict', conflicts: [conflict({})] })).toEqual({
      status: 'conflict',
      conflicts: [{ path: 'src/a.ts', holder: 'AmberFalcon', pattern: 'src/**', expiresAt: '2030-01-01T00:10:00.000Z', reason: 'refactor', reservationId: 'r-1', rule: 'src/** matches src/a.ts' }],
    });
  });

  it('builds the backend on first use only, and a factory that fails fails each call', async () => {
    let built = 0;
    const lazy = lazyBackend(() => {
      built++;
      throw new Error('not wired');
    });
    expect(built).toBe(0);
    await expect(lazy.check(['a'])).rejects.toThrow('not wired');
    await expect(lazy.attention()).rejects.toThrow('not wired');
    expect(built).toBe(1);
  });
});
