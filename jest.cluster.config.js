/* global module, require */
/**
 * `npm run test:cluster` (not part of `npm test`): the suites under test/cluster against a real
 * Temporal cluster (four server processes on PostgreSQL, default dynamic config) and two Baton worker
 * processes, all started by the global setup (see test/cluster/setup/global-setup.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config file, like jest.config.js
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/cluster/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/setup/global-teardown.ts',
  // No retry of failed tests here: a refusal that only a second run hides is what this suite is for.
  // The first run may build the server (minutes) in global setup, which has no timeout; tests get 5 minutes.
  testTimeout: 300_000,
  // The suites share one project's in-flight update budget and two workers: one at a time.
  maxWorkers: 1,
};
