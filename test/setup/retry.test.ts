import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { recogniseInfrastructureError } from './infrastructure-errors';
import { retryOnInfrastructureError, retryReason, RETRY_REASON_PREFIX } from './infrastructure-retry';

/**
 * Retries are for infrastructure only: the recogniser against the exact shapes the Temporal client and
 * grpc-js throw, the wrapper, and the real jest environment and reporter run on a fixture file.
 */

/** grpc-js `callErrorFromStatus`: an Error with the status fields, message "<code> <NAME>: <details>". */
const grpcError = (code: number, name: string, details: string) => Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} });
/** @temporalio/client's ServiceError: its own message, the gRPC error as cause. */
const serviceError = (message: string, cause: Error) => Object.assign(new Error(message), { name: 'ServiceError', cause });
const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code, errno: -104, syscall: 'read' });

describe('recogniseInfrastructureError', () => {
  it.each([
    ['a dropped connection', grpcError(14, 'UNAVAILABLE', 'Connection dropped'), 'gRPC UNAVAILABLE: Connection dropped'],
    ['a reset socket, as grpc-js reports it', grpcError(14, 'UNAVAILABLE', 'read ECONNRESET'), 'gRPC UNAVAILABLE: read ECONNRESET'],
    ['the client ServiceError around it', serviceError('Workflow Update failed', grpcError(14, 'UNAVAILABLE', 'Connection dropped')), 'gRPC UNAVAILABLE: Connection dropped'],
    ['a socket the server closed', socketError('ECONNRESET'), 'ECONNRESET (read): the server closed the connection'],
    [
      "Baton's client error, which keeps only the text",
      Object.assign(new Error('Cannot reach Temporal (Workflow Update failed: 14 UNAVAILABLE: Connection dropped). Start Baton with `npm start`.'), { code: 'UNAVAILABLE' }),
      'gRPC UNAVAILABLE: Connection dropped',
    ],
    ['a retry timer firing on a channel an earlier test closed', new Error('Channel has been shut down'), 'gRPC channel shut down under a pending retry (a closed connection of an earlier test)'],
    ['the same from the test\'s own VM context (another realm)', vm.runInNewContext("Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14, details: 'Connection dropped', metadata: {} })"), 'gRPC UNAVAILABLE: Connection dropped'],
  ])('recognises %s', (_what, err, reason) => {
    expect(recogniseInfrastructureError(err)).toBe(reason);
  });

  it.each([
    ['an assertion failure, even one quoting UNAVAILABLE', assertionFailure('14 UNAVAILABLE: Connection dropped')],
    ['another gRPC status', grpcError(9, 'FAILED_PRECONDITION', 'Workflow is not running')],
    ['a deadline', serviceError('Workflow Update failed', grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded'))],
    ["Baton's own UNAVAILABLE for a domain reason", Object.assign(new Error('Could not start the mailbox of SwiftEagle: already started'), { code: 'UNAVAILABLE' })],
    ['a refused connection (no server at all: retrying does not help)', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED', syscall: 'connect' })],
    ['a plain error', new Error('expected 2 grants, got 3')],
    ['a thrown string', 'UNAVAILABLE'],
    ['undefined', undefined],
  ])('does not recognise %s', (_what, err) => {
    expect(recogniseInfrastructureError(err)).toBeUndefined();
  });
});

describe('retryOnInfrastructureError', () => {
  it('runs a body that fails an assertion once, and rethrows that failure', async () => {
    let runs = 0;
    const retries: string[] = [];
    const body = retryOnInfrastructureError(
      () => {
        runs++;
        expect(runs).toBe(0);
      },
      (reason) => retries.push(reason),
    );
    await expect(body.call(undefined)).rejects.toThrow(/toBe/);
    expect([runs, retries]).toEqual([1, []]);
  });

  it('runs a body that hit UNAVAILABLE once more, and passes if the second run does', async () => {
    let runs = 0;
    const retries: string[] = [];
    const body = retryOnInfrastructureError(
      async () => {
        if (++runs === 1) throw serviceError('Workflow Update failed', grpcError(14, 'UNAVAILABLE', 'Connection dropped'));
        return 'ok';
      },
      (reason) => retries.push(reason),
    );
    await expect(body.call(undefined)).resolves.toBe('ok');
    expect([runs, retries]).toEqual([2, ['gRPC UNAVAILABLE: Connection dropped']]);
  });

  it('retries at most once', async () => {
    let runs = 0;
    const body = retryOnInfrastructureError(
      async () => {
        runs++;
        throw grpcError(14, 'UNAVAILABLE', `Connection dropped (run ${runs})`);
      },
      () => undefined,
    );
    await expect(body.call(undefined)).rejects.toThrow('Connection dropped (run 2)');
    expect(runs).toBe(2);
  });

  it('writes a retry reason whose first line says why and whose rest is the first failure', () => {
    const entry = retryReason('gRPC UNAVAILABLE: Connection dropped', new Error('boom'));
    expect(entry.stack!.split('\n')[0]).toBe(`Error: ${RETRY_REASON_PREFIX} gRPC UNAVAILABLE: Connection dropped`);
    expect(entry.stack).toContain('first failure: Error: boom');
  });
});

describe('the jest environment and reporter, on a fixture run by a jest of its own', () => {
  it('re-runs only the tests that hit UNAVAILABLE, once, and counts them at the end', () => {
    const root = path.resolve(__dirname, '../..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-retry-'));
    const config = {
      rootDir: root,
      roots: ['<rootDir>/test/setup/fixtures'],
      testMatch: ['**/retry.fixture.ts'],
      transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
      testEnvironment: '<rootDir>/test/setup/retry-environment.ts',
      reporters: ['default', '<rootDir>/test/setup/retry-reporter.mjs'],
    };
    const out = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--json', '--outputFile', path.join(dir, 'result.json'), '--ci'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RETRY_FIXTURE_DIR: dir },
      timeout: 110_000,
    });
    const runs = (name: string) => Number(fs.readFileSync(path.join(dir, name), 'utf8'));
    const counted = { assertion: runs('assertion'), plain: runs('plain'), once: runs('unavailable-once'), twice: runs('unavailable-twice'), passes: runs('passes') };
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
    const status = Object.fromEntries(result.testResults[0]!.assertionResults.map((a) => [a.title, a.status]));
    fs.rmSync(dir, { recursive: true, force: true });

    expect(status).toEqual({ 'assertion failure': 'failed', 'plain error': 'failed', 'unavailable once': 'passed', 'unavailable twice': 'failed', passes: 'passed' });
    expect(counted).toEqual({
      assertion: 1,
      plain: 1,
      once: 2,
      twice: 2,
      passes: 1,
    });
    expect(out.stderr).toContain('[infrastructure retry] "unavailable once" failed with gRPC UNAVAILABLE: Connection dropped: running it once more');
    expect(out.stdout).toContain('Infrastructure retries: 2 of 5 tests re-run after an infrastructure error');
    expect(out.stdout).toMatch(/- unavailable once \(test\/setup\/fixtures\/retry\.fixture\.ts\): gRPC UNAVAILABLE: Connection dropped -> passed on the retry/);
    expect(out.stdout).toMatch(/- unavailable twice .* -> failed on the retry/);
  });
});

function assertionFailure(text: string): unknown {
  try {
    expect(text).toBe('something else');
  } catch (err) {
    return err;
  }
  throw new Error('expect did not throw');
}
