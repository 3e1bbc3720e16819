import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';
import { CliRuntime } from './runtime';
import { BatonError, EXIT_CODES } from '../domain/errors';
import { exitWithError } from './output';

/**
 * `baton <command> [args] [--flags]`. Exit codes (documented in the README): 0 ok, 1 internal,
 * 2 invalid input, 3 conflict, 4 not found, 5 unauthorized/forbidden, 6 invalid state / already
 * exists, 7 timed out, 8 Temporal unavailable.
 */
export function buildProgram(rt = new CliRuntime()): Command {
  const program = new Command('baton')
    .description('Coordinate AI coding agents and their humans on Temporal: reservations, messages, patterns.')
    .option('-p, --project <key>', 'project key (default: $BATON_PROJECT)')
    .option('--json', 'print machine-readable JSON instead of tables')
    .option('--as <name>', 'act as this registered member, with the token saved for it (default: $BATON_AGENT)')
    .option('--token <token>', 'the member\'s token (default: $BATON_TOKEN, then saved credentials)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program, rt);
  return program;
}

export async function main(): Promise<void> {
  // `baton ... | head` closes the pipe early; that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes are invalid input.
      process.exit(err.exitCode === 0 ? 0 : EXIT_CODES.INVALID_INPUT);
    }
    // Thrown while commander parses argv (an option's argParser, e.g. `--limit abc`), before any
    // action's own handler: printed the same way, never as a stack trace. Options are not parsed
    // yet, so --json is read from argv.
    if (err instanceof BatonError) exitWithError(err, process.argv.includes('--json'));
    throw err;
  }
}

if (require.main === module) void main();
