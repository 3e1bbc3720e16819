/* global module, require */
/**
 * `npm run test:cluster` (not part of `npm test`): against a real Temporal cluster (four server
 * processes on PostgreSQL, default dynamic config) with two Baton worker processes and two Baton
 * servers, all started by the global setup (test/cluster/setup/global-setup.ts): the suites under
 * test/cluster (the crash suite last, see test/cluster/setup/sequencer.js) and the race suite
 * test/durability/race.test.ts as it is (its own worker in-process, on the cluster). Its budget:
 * BATON_RACE_SECONDS; the crash schedule's seed: BATON_CRASH_SEED.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config file, like jest.config.js
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts', '<rootDir>/test/durability/race.test.ts'],
  testSequencer: '<rootDir>/test/cluster/setup/sequencer.js',
  globalSetup: '<rootDir>/test/cluster/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/setup/global-teardown.ts',
  // Counts the retries of recognised infrastructure errors at the end, as `npm test` does.
  reporters: base.reporters,
  // No retry of failed tests beyond recognised infrastructure errors (retry-environment): a refusal
  // that only a second run hides is what this run is for. The first run may build the server (minutes)
  // in global setup, which has no timeout; tests get 5 minutes unless they set their own.
  testTimeout: 300_000,
  // The suites share the cluster's two cores' worth of CPU and its Baton processes: one at a time.
  maxWorkers: 1,
};
