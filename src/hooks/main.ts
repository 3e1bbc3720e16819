/**
 * `baton hooks run <program> [event] [--auto-reserve]` as a process: read the agent's event on stdin,
 * answer on stdout/stderr with the exit code the agent's protocol wants. The CLI's entry (src/cli/
 * entry.ts) comes straight here for these arguments, before commander and the other commands load: a
 * hook runs around every tool call of an agent, so its start-up is most of its cost.
 *
 * Arguments are checked here rather than by a parser: agents read exit 2 as "block", so a typo in an
 * installed hook command must not block every edit; it exits 1 (a non-blocking hook error) and says why.
 */
import fs from 'node:fs';
import { lazyBackend, type HookBackendFactory } from './backend';
import { HOOK_EVENTS, PROGRAMS, type HookEvent, type HookOutput, type Program } from './protocol';
import { hookSettings, runHook } from './run';
import { findRepoRoot } from './touched-paths';

export interface HookArgs {
  program: string;
  event?: string;
  autoReserve: boolean;
}

/** `<program> [event] [--auto-reserve]`; other flags are ignored (a newer hook command on an older Baton). */
export function parseHookArgs(argv: string[]): HookArgs {
  const positional = argv.filter((a) => !a.startsWith('-'));
  return { program: positional[0] ?? '', event: positional[1], autoReserve: argv.includes('--auto-reserve') };
}

function readStdin(): string {
  if (process.stdin.isTTY) return '';
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** Print and exit once both streams are flushed (an agent reads the whole of stdout). */
export function emit(output: HookOutput): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(output.exitCode);
  };
  process.stdout.write(output.stdout, done);
  process.stderr.write(output.stderr, done);
}

/** Runs one hook call in this process with the backend `createBackend` makes (built only if needed), then exits. */
export async function runHookProcess(args: HookArgs, createBackend: HookBackendFactory): Promise<void> {
  const fail = (message: string) => emit({ stdout: '', stderr: `baton hooks run: ${message}\n`, exitCode: 1 });
  if (!(PROGRAMS as readonly string[]).includes(args.program)) return fail(`"${args.program}" is not one of ${PROGRAMS.join(', ')}; not checked.`);
  if (args.event !== undefined && !(HOOK_EVENTS as readonly string[]).includes(args.event)) return fail(`"${args.event}" is not one of ${HOOK_EVENTS.join(', ')}; not checked.`);
  if (args.event === undefined && args.program !== 'generic') return fail(`say which event: baton hooks run ${args.program} <${HOOK_EVENTS.join('|')}>; not checked.`);
  const settings = hookSettings(process.env);
  const program = args.program as Program;
  const dir = findRepoRoot(process.cwd()) ?? process.cwd();
  const backend = lazyBackend(() => createBackend({ program, dir, env: process.env }));
  const output = await runHook(program, args.event as HookEvent | undefined, readStdin(), backend, {
    autoReserve: args.autoReserve,
    offline: settings.offline,
    timeoutMs: settings.timeoutMs,
    cwd: process.cwd(),
  });
  emit(settings.warnings.length ? { ...output, stderr: settings.warnings.map((w) => `baton: ${w}\n`).join('') + output.stderr } : output);
}

/** The entry's fast path: the hook through the Baton server. */
export function main(argv: string[]): void {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- the HTTP client loads only once a call needs it */
  const factory: HookBackendFactory = (context) => (require('./server-backend') as typeof import('./server-backend')).serverBackend(context);
  runHookProcess(parseHookArgs(argv), factory).catch((err: unknown) => emit({ stdout: '', stderr: `baton hooks run: internal error (${err instanceof Error ? err.message : String(err)}); not checked.\n`, exitCode: 1 }));
}
