import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.baton/', 'coverage/', 'jest.config.js'] },
  {
    // Plain Node scripts (the CLI bundler, the jest reporter).
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'writable' } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Pure domain logic: no Temporal, so it is tested directly and runs anywhere (workflows included).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@temporalio/*'], message: 'src/domain is pure: no Temporal imports (README, Layout).' }] }],
    },
  },
  {
    // The CLI and its HTTP client are what agents run many times a minute: they speak HTTP to the Baton
    // server and must never load the Temporal client or the server (types are fine: they are erased).
    // scripts/build-cli.mjs checks the bundle as well.
    files: [
      'src/cli/**/*.ts',
      'src/api-client/**/*.ts',
      'src/hooks/**/*.ts',
      'src/guard/**/*.ts',
      // The patterns' registry and CLI commands are bundled into the CLI too.
      'src/patterns/cli.ts',
      'src/patterns/*/cli.ts',
      'src/patterns/registry.ts',
      'src/patterns/definition.ts',
      'src/patterns/*/definition.ts',
      'src/patterns/command-flags.ts',
      'src/patterns/recommend.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@temporalio/*'], allowTypeImports: true, message: 'The CLI talks to the Baton server over HTTP; it never loads the Temporal client.' },
            { group: ['**/client', '**/client/*', '**/api/*', '**/workflows/*', '**/activities/*', '../worker', '../../worker', '../config', '../../config', '../start', '../../start'], allowTypeImports: true, message: 'Server-side module: the CLI may only import its types.' },
          ],
        },
      ],
    },
  },
  {
    // Workflow code must stay deterministic: no wall clock, no randomness, no I/O modules. The patterns'
    // workflows, their message APIs and plans, and the kit they share are workflow code too.
    files: [
      'src/workflows/**/*.ts',
      'src/patterns/kit/**/*.ts',
      'src/patterns/*/workflow.ts',
      'src/patterns/*/api.ts',
      'src/patterns/*/plan.ts',
      'src/patterns/*/messages.ts',
      'src/patterns/*/activities-api.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'fs',
            'node:*',
            'child_process',
            'http',
            'https',
            '@temporalio/client',
            '@temporalio/activity',
            '@temporalio/worker',
            '../activities/*',
            '../../activities/*',
            // A pattern's activities, client, CLI and MCP tools sit next to its workflow: never imported by it.
            './activities',
            './client',
            './cli',
            './mcp',
            '../client',
            '../cli',
            '../mcp',
            '../registry',
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the SDK (uuid4 / workflow random) in workflows.' }],
    },
  },
);
