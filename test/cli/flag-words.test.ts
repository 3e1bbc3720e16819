import { inFlagWords } from '../../src/cli/flag-words';
import { BatonError } from '../../src/domain/errors';

const refuse = (message: string) => () => Promise.reject(new BatonError('INVALID_INPUT', message, { x: 1 }));

describe('inFlagWords: errors in the flags a person typed', () => {
  it('rewrites a field name where the error names a field, never the same word in prose', async () => {
    const flags = { whatWasDone: '--what', where: '--where', howToTest: '--how-to-test' };
    await expect(inFlagWords(flags, refuse('Handoff refused: whatWasDone is empty: say what you did; where is empty: list the files; howToTest is empty: say where to look.'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Handoff refused: --what is empty: say what you did; --where is empty: list the files; --how-to-test is empty: say where to look.',
      details: { x: 1 },
    });
    await expect(inFlagWords({ ttlSeconds: '--ttl' }, refuse('ttlSeconds: must be positive (it is clamped to 60 s .. 1 year)'))).rejects.toThrow('--ttl: must be positive (it is clamped to 60 s .. 1 year)');
  });

  it('leaves other errors and answers as they are', async () => {
    const conflict = new BatonError('CONFLICT', 'where is held');
    await expect(inFlagWords({ where: '--where' }, () => Promise.reject(conflict))).rejects.toBe(conflict);
    await expect(inFlagWords({ where: '--where' }, () => Promise.resolve(42))).resolves.toBe(42);
  });
});
