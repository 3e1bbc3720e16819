import path from 'node:path';
import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';

/**
 * The long-running parts: `baton server` (the HTTP API), `baton worker`, `baton start` (everything on
 * the embedded dev server). They hold the Temporal client, so they are loaded through tsx from the
 * sources by path, never bundled into the CLI an agent runs many times a minute.
 */
// dist/baton.cjs (the bundle) or src/cli/commands/ (tests loading the sources)
const root = path.resolve(__dirname, path.basename(__dirname) === 'dist' ? '..' : '../../..');

function runSource(file: string): void {
  // Computed paths, so the bundler leaves tsx and the sources out of the CLI.
  const tsx = ['tsx', 'cjs'].join('/');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(tsx);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(path.join(root, file)) as { main(): Promise<void> }).main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

export function register(program: Command, _rt: CliRuntime): void {
  program
    .command('server')
    .description('Run the Baton server (HTTP API, MCP at /mcp) against the Temporal named by TEMPORAL_ADDRESS (envconfig)')
    .addHelpText(
      'after',
      '\nEnvironment: BATON_HOST (default 127.0.0.1), BATON_PORT (7300), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, BATON_TASK_QUEUE.\nRun several behind a load balancer; they share nothing but Temporal.\n\nExample:\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 BATON_HOST=0.0.0.0 baton server',
    )
    .action(() => runSource('src/api/main.ts'));
  program
    .command('worker')
    .description('Run a Baton worker (every workflow and activity) against the Temporal named by TEMPORAL_ADDRESS')
    .addHelpText('after', '\nExample:\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 baton worker')
    .action(() => runSource('src/worker.ts'));
}
