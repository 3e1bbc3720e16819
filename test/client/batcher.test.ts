import { ProjectBatcher, type BatchTransport } from '../../src/client/batcher';
import { BatonError } from '../../src/domain/errors';
import type { BatchResult } from '../../src/schemas/batch';

/** A transport whose calls the test completes by hand, recording what was sent. */
function manualTransport() {
  const sent: { kind: 'single' | 'batch'; names: string[]; finish(result: unknown, fail?: boolean): void }[] = [];
  const transport: BatchTransport = {
    single: (name, input) =>
      new Promise((resolve, reject) => {
        sent.push({ kind: 'single', names: [name], finish: (r, fail) => (fail ? reject(r) : resolve(r ?? { echo: input })) });
      }),
    batch: (operations) =>
      new Promise<BatchResult>((resolve, reject) => {
        sent.push({
          kind: 'batch',
          names: operations.map((o) => o.name),
          finish: (r, fail) => (fail ? reject(r) : resolve((r as BatchResult) ?? { results: operations.map((o) => ({ ok: true, value: { echo: o.input } })) })),
        });
      }),
  };
  return { transport, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ProjectBatcher (group commit)', () => {
  it('sends at once while a slot is free, and gathers what arrives while every slot is busy into one batch', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 2, maxOperations: 100, maxBytes: 1_000_000 });
    const first = batcher.submit('reserve', { n: 1 });
    const second = batcher.submit('reserve', { n: 2 });
    const rest = Array.from({ length: 10 }, (_, i) => batcher.submit('send', { n: i + 3 }));
    await tick();
    // Two slots: the first two went alone, as their own updates; the ten others wait together.
    expect(sent.map((s) => s.kind)).toEqual(['single', 'single']);
    sent[0]!.finish(undefined);
    await expect(first).resolves.toEqual({ echo: { n: 1 } });
    await tick();
    expect(sent[2]).toMatchObject({ kind: 'batch', names: Array(10).fill('send') });
    sent[1]!.finish(undefined);
    sent[2]!.finish(undefined);
    await expect(second).resolves.toEqual({ echo: { n: 2 } });
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 10 }, (_, i) => ({ echo: { n: i + 3 } })));
    expect(batcher.stats).toMatchObject({ batches: 3, operations: 12, largest: 10 });
  });

  it('answers each operation with its own result or failure', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 1, maxOperations: 100, maxBytes: 1_000_000 });
    const blocker = batcher.submit('ping', {});
    const a = batcher.submit('reserve', { a: 1 });
    const b = batcher.submit('reserve', { b: 1 });
    await tick();
    sent[0]!.finish(undefined);
    await blocker;
    await tick();
    sent[1]!.finish({ results: [{ ok: true, value: 'granted' }, { ok: false, code: 'FORBIDDEN', message: 'not yours', details: { x: 1 } }] });
    await expect(a).resolves.toBe('granted');
    await expect(b).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'not yours', details: { x: 1 } });
  });

  it('sends the operations that fit again at once and the deferred ones after them, each answered once', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 1, maxOperations: 100, maxBytes: 1_000_000 });
    const blocker = batcher.submit('ping', {});
    const ops = ['a', 'b', 'bad', 'c', 'd'].map((tag) => batcher.submit('release', { tag }));
    await tick();
    sent[0]!.finish(undefined);
    await blocker;
    await tick();
    // The workflow would answer a, b (and refuses "bad"); c and d would not fit in the answer.
    sent[1]!.finish(new BatonError('INVALID_INPUT', '1 refused, 2 deferred', { refused: [{ index: 2, code: 'NOT_FOUND', message: 'no such lease' }], deferred: [3, 4] }), true);
    await expect(ops[2]).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await tick();
    expect(sent[2]).toMatchObject({ kind: 'batch', names: ['release', 'release'] });
    sent[2]!.finish({ results: [{ ok: true, value: 'a' }, { ok: true, value: 'b' }] });
    await expect(ops[0]).resolves.toBe('a');
    await expect(ops[1]).resolves.toBe('b');
    await tick();
    // The deferred ones follow in a batch of their own.
    expect(sent[3]).toMatchObject({ kind: 'batch', names: ['release', 'release'] });
    sent[3]!.finish({ results: [{ ok: true, value: 'c' }, { ok: true, value: 'd' }] });
    await expect(ops[3]).resolves.toBe('c');
    await expect(ops[4]).resolves.toBe('d');
    expect(sent).toHaveLength(4);
    expect(batcher.stats).toMatchObject({ refusedBatches: 1, deferred: 2 });
  });

  it('answers the operations a refused batch names and sends the others again, which are then applied', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 1, maxOperations: 100, maxBytes: 1_000_000 });
    const blocker = batcher.submit('ping', {});
    const ops = ['ok-1', 'bad', 'ok-2'].map((tag) => batcher.submit('reserve', { tag }));
    await tick();
    sent[0]!.finish(undefined);
    await blocker;
    await tick();
    sent[1]!.finish(new BatonError('INVALID_INPUT', '1 of 3 refused', { refused: [{ index: 1, code: 'UNAUTHORIZED', message: 'who are you' }] }), true);
    await expect(ops[1]).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'who are you' });
    await tick();
    expect(sent[2]).toMatchObject({ kind: 'batch', names: ['reserve', 'reserve'] });
    sent[2]!.finish(undefined);
    await expect(ops[0]).resolves.toEqual({ echo: { tag: 'ok-1' } });
    await expect(ops[2]).resolves.toEqual({ echo: { tag: 'ok-2' } });
    expect(batcher.stats.refusedBatches).toBe(1);
  });

  it('fails every operation of a batch the server could not take, with that error', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 1, maxOperations: 100, maxBytes: 1_000_000 });
    const blocker = batcher.submit('ping', {});
    const ops = [batcher.submit('reserve', {}), batcher.submit('send', {})];
    await tick();
    sent[0]!.finish(undefined);
    await blocker;
    await tick();
    sent[1]!.finish(new BatonError('UNAVAILABLE', 'no server'), true);
    for (const op of ops) await expect(op).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('keeps batches under the byte budget and the operation cap', async () => {
    const { transport, sent } = manualTransport();
    const batcher = new ProjectBatcher(transport, { maxInFlight: 1, maxOperations: 3, maxBytes: 250 });
    const blocker = batcher.submit('ping', {});
    const big = 'x'.repeat(100);
    const ops = Array.from({ length: 7 }, (_, i) => batcher.submit('send', { i, big }));
    await tick();
    sent[0]!.finish(undefined);
    await blocker;
    for (let round = 1; sent.length <= round || round < 6; round++) {
      await tick();
      if (!sent[round]) break;
      sent[round]!.finish(undefined);
    }
    await Promise.all(ops);
    // ~110 bytes each: two per batch fit 250 bytes, the cap of 3 never binds.
    expect(sent.slice(1).map((s) => s.names.length)).toEqual([2, 2, 2, 1]);
  });
});
