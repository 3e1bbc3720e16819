import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { BatonError } from '../../domain/errors';
import type { HookBackendFactory } from '../../hooks/backend';
import type { HooksStatus } from '../../hooks/install';
import { runHookProcess } from '../../hooks/main';
import { HOOK_EVENTS, PROGRAMS, type HookEvent, type Program } from '../../hooks/protocol';
import { findRepoRoot } from '../../hooks/touched-paths';

const WHAT: Record<HookEvent, string> = {
  'pre-tool': 'before an edit: refuse files another agent holds',
  'post-tool': 'after a tool call: show new mail, handoffs, expiring leases',
  prompt: 'with each prompt: the same',
  stop: 'when the agent stops: the same, once',
};

/**
 * The program named on the command line. The argument is optional to commander so that a missing one
 * gets this error, which lists the programs (commander's "missing required argument" does not).
 */
function program(name: string | undefined, verb = 'status'): Program {
  if (name !== undefined && (PROGRAMS as readonly string[]).includes(name)) return name as Program;
  throw new BatonError(
    'INVALID_INPUT',
    `program: ${name === undefined ? 'name the agent\'s program' : `"${name}" is not a program Baton has hooks for`}; one of ${PROGRAMS.join(', ')} (e.g. baton hooks ${verb} claude-code).`,
  );
}

const repoDir = () => findRepoRoot(process.cwd()) ?? process.cwd();

/** The installers (JSONC and TOML readers) load only for install, uninstall and status, not on every `baton` call. */
/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const installers = () => require('../../hooks/install') as typeof import('../../hooks/install');

function print(rt: CliRuntime, command: Command, statuses: HooksStatus[]): void {
  if (rt.globals(command).json) return printJson(statuses.length === 1 ? statuses[0] : statuses);
  for (const s of statuses) {
    // A change that left no file deleted it: uninstall removes the file (and its directory) when Baton's hooks were all it held.
    const change = !s.changed ? '' : s.exists ? colors.green('  updated') : colors.green('  removed');
    console.log(`${colors.bold(s.program)}  ${s.file ?? colors.dim('(no settings file)')}${change}`);
    for (const e of s.entries) {
      const state =
        e.state === 'installed' ? colors.green('installed') : e.state === 'altered' ? colors.yellow(`altered: ${e.detail}`) : colors.dim('not installed');
      const auto = e.autoReserve ? colors.dim(' (--auto-reserve)') : '';
      console.log(`  ${e.agentEvent.padEnd(17)} ${state}${auto}  ${colors.dim(WHAT[e.event])}`);
    }
    for (const w of s.warnings) console.log(`${colors.yellow('warning')} ${w}`);
    for (const n of s.notes) console.log(`${colors.dim('note')} ${n}`);
  }
}

/**
 * `baton hooks ...`, with the backend the hooks ask: the CLI passes the Baton server's client; tests and
 * builds without a server pass something else.
 */
export function createHooksCommand(createBackend: HookBackendFactory): { register(program: Command, rt: CliRuntime): void } {
  return {
    register(root: Command, rt: CliRuntime): void {
      const hooks = root
        .command('hooks')
        .description('Agent hooks: refuse an edit of a file another agent reserved, before it happens, and show the agent its mail')
        .addHelpText(
          'after',
          [
            '',
            'Writes the agent\'s own hook settings in this repository (.claude/settings.json, .codex/hooks.json,',
            '.gemini/settings.json), next to whatever is there. The hooks run `baton hooks run <program> <event>`, which',
            'needs `baton` on PATH, BATON_PROJECT and the agent\'s identity (BATON_AGENT / BATON_TOKEN).',
            'BATON_HOOKS_OFFLINE=block refuses edits that cannot be checked (default: they go ahead, with a notice).',
            '',
            'Examples:',
            '  $ baton hooks install claude-code',
            '  $ baton hooks install codex --auto-reserve',
            '  $ baton hooks status',
            '  $ baton hooks uninstall gemini',
            '  $ echo \'{"paths":["src/a.ts"]}\' | baton hooks run generic pre-tool',
          ].join('\n'),
        );

      hooks
        .command('install')
        .argument('[program]', `the agent's program: ${PROGRAMS.join(', ')}`)
        .description(`Add Baton's hooks to an agent's settings in this repository (${PROGRAMS.join(', ')}); keeps everything else`)
        .option('--auto-reserve', 'reserve a free file for the agent on its first edit of it')
        .option('--command <cmd>', 'how the agent starts Baton (default: baton, on PATH; `npm link` in the Baton checkout puts it there)')
        .addHelpText('after', '\nExamples:\n  $ baton hooks install claude-code\n  $ baton hooks install gemini --auto-reserve --command /path/to/baton/bin/baton    # a repository outside the Baton checkout')
        .action(
          rt.action(async (name: string | undefined, opts: { autoReserve?: boolean; command?: string }, command: Command) => {
            print(rt, command, [installers().install(program(name, 'install'), repoDir(), { autoReserve: opts.autoReserve, command: opts.command })]);
          }),
        );

      hooks
        .command('uninstall')
        .argument('[program]', `the agent's program: ${PROGRAMS.join(', ')}`)
        .description("Remove exactly Baton's hooks from an agent's settings")
        .addHelpText('after', '\nExample:\n  $ baton hooks uninstall claude-code')
        .action(
          rt.action(async (name: string | undefined, _opts: object, command: Command) => {
            print(rt, command, [installers().uninstall(program(name, 'uninstall'), repoDir())]);
          }),
        );

      hooks
        .command('status [program]')
        .description('Show which of Baton\'s hooks are installed (all agents when none is named), what was altered, and what would stop them running')
        .addHelpText('after', '\nExamples:\n  $ baton hooks status\n  $ baton hooks status codex --json')
        .action(
          rt.action(async (name: string | undefined, _opts: object, command: Command) => {
            const programs: Program[] = name ? [program(name)] : ['claude-code', 'codex', 'gemini'];
            print(rt, command, programs.map((p) => installers().status(p, repoDir())));
          }),
        );

      hooks
        .command('run <program> [event]')
        .description(`What the installed hooks call: reads the agent's event JSON on stdin and answers in its protocol (events: ${HOOK_EVENTS.join(', ')})`)
        .option('--auto-reserve', 'reserve a free file for the agent on its first edit of it')
        // An agent treats exit 2 as "block": a typo in a hook command must not block every edit, so
        // arguments are checked here (exit 1, a non-blocking hook error) instead of by the parser (exit 2).
        .allowUnknownOption()
        .allowExcessArguments()
        .addHelpText('after', '\nExamples:\n  $ echo \'{"paths":["src/a.ts"]}\' | baton hooks run generic pre-tool\n  $ baton hooks run claude-code pre-tool < event.json')
        .action(async (name: string, eventName: string | undefined, opts: { autoReserve?: boolean }) => {
          await runHookProcess({ program: name, event: eventName, autoReserve: Boolean(opts.autoReserve) }, createBackend);
        });
    },
  };
}

/** The hooks through the Baton server (the same backend as the entry's fast path, src/hooks/main.ts). */
const throughServer: HookBackendFactory = (context) => {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- the HTTP client loads only once a hook needs it */
  return (require('../../hooks/server-backend') as typeof import('../../hooks/server-backend')).serverBackend(context);
};

export const { register } = createHooksCommand(throughServer);
