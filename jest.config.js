/** @type {import('jest').Config} */
module.exports = {
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/cluster needs the real cluster and its Baton processes: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // One real Temporal dev server per jest run (see test/setup/global-setup.ts); tests share it and
  // isolate themselves with unique task queues and workflow ids.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Retries only for recognised infrastructure errors (test/setup/retry-environment.ts), counted at the
  // end of every run by the reporter; property tests seeded by BATON_PROPERTY_SEED (test/setup/fast-check.ts).
  testEnvironment: '<rootDir>/test/setup/retry-environment.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/fast-check.ts'],
  reporters: ['default', '<rootDir>/test/setup/retry-reporter.mjs'],
  testTimeout: 120_000,
  // Two cores: more workers than that only thrash the Temporal server they share.
  maxWorkers: 2,
};
