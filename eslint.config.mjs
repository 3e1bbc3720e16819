import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.baton/', 'coverage/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Workflow code must stay deterministic: no wall clock, no randomness, no I/O modules.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['fs', 'node:*', 'child_process', 'http', 'https', '@temporalio/client', '@temporalio/activity', '@temporalio/worker', '../activities/*', '../../activities/*'] }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the SDK (uuid4 / workflow random) in workflows.' }],
    },
  },
);
