/**
 * What the git hooks run: `node <this> pre-commit|pre-push`. It imports only what one check needs
 * (the HTTP client and the check), not the CLI, to keep the added commit latency low.
 * Exit 0 lets git go on, 1 stops it. A Baton that cannot be reached does not block: the hook says the
 * commit went unchecked (a guard that stops all work when a server is down would be turned off).
 */
import fs from 'node:fs';
import { gitConfig, pushedChanges, stagedChanges, type Change } from './git';

export type GuardMode = 'block' | 'warn' | 'off';

export function guardMode(env: NodeJS.ProcessEnv = process.env): GuardMode {
  const v = (env.BATON_GUARD ?? '').trim().toLowerCase();
  if (v === 'warn') return 'warn';
  if (v === 'off' || v === '0' || v === 'false') return 'off';
  return 'block';
}

const say = (text: string) => process.stderr.write(`baton guard: ${text}\n`);

/**
 * Runs the check of `hook` and returns its exit code. A check that cannot be made (server down, a
 * token it refuses, no such project) lets git go on (0), and `onUnchecked` hears of it: `baton guard
 * check` must not then say "Clear." (hook managers run it as their hook, so it fails open too).
 */
export async function runHook(hook: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env, options: { onUnchecked?: () => void } = {}): Promise<number> {
  if (hook !== 'pre-commit' && hook !== 'pre-push') {
    say(`unknown hook "${hook}" (expected pre-commit or pre-push); not checked.`);
    return 0;
  }
  const mode = guardMode(env);
  if (mode === 'off') return 0;
  warnOnce(cwd);
  const project = env.BATON_PROJECT || gitConfig(cwd, 'baton.project');
  if (!project) {
    say('no project: set BATON_PROJECT or `git config baton.project <key>` (baton guard install --project does); not checked.');
    return 0;
  }
  const agent = env.BATON_AGENT || gitConfig(cwd, 'baton.agent');
  const changes: Change[] = hook === 'pre-push' ? pushedChanges(cwd, fs.readFileSync(0, 'utf8')) : stagedChanges(cwd);
  if (changes.length === 0) return 0;

  // Loaded only now: a commit with nothing staged, no project or BATON_GUARD=off never pays for the
  // HTTP client. require, not import(): tsx's require hook and esbuild's bundle both keep it lazy,
  // while a native import() would bypass tsx and miss the .ts files.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { checkChanges, describeBlocked, NO_IDENTITY } = require('./check') as typeof import('./check');
  const { BatonError } = require('../domain/errors') as typeof import('../domain/errors');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let blocked;
  try {
    blocked = await checkChanges({ env, project, changes, asAgent: agent, timeoutMs: Number(env.BATON_GUARD_TIMEOUT_MS) || 5000 });
  } catch (err) {
    const error = err instanceof BatonError ? err : new BatonError('INTERNAL', err instanceof Error ? err.message : String(err));
    const what = hook === 'pre-push' ? 'push' : 'commit';
    options.onUnchecked?.();
    if (error.code === 'UNAUTHORIZED' && (error.details as { reason?: string } | undefined)?.reason === NO_IDENTITY) {
      say(`not checked: ${error.message}.\n  The ${what} goes ahead unchecked.`);
      return 0;
    }
    if (error.code === 'NOT_FOUND') {
      say(`not checked: no such project ${project}. Check the key (BATON_PROJECT, or \`git config baton.project\`; \`baton guard install --project <key>\` sets it).\n  The ${what} goes ahead unchecked.`);
      return 0;
    }
    say(`could not check reservations in project ${project} [${error.code}] ${error.message}\n  The ${what} goes ahead unchecked.`);
    return 0;
  }
  if (blocked.length === 0) return 0;

  const what = hook === 'pre-push' ? 'push' : 'commit';
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily like ./check */
  const { conflictAdvice } = require('../domain/reservations/advice') as typeof import('../domain/reservations/advice');
  const conflicts = blocked.flatMap((b) => b.conflicts);
  const reachable = [...new Set(conflicts.filter((c) => !c.holderState).map((c) => c.holder))];
  const head = `${blocked.length === 1 ? 'this file is' : 'these files are'} under another member's exclusive reservation in project ${project}:`;
  // The server knows who asks from the token, so the caller's own leases are already left out.
  const report = `${head}\n${describeBlocked(blocked)}`;
  if (mode === 'warn') {
    say(`warning (BATON_GUARD=warn): ${report}\n  The ${what} goes ahead.`);
    return 0;
  }
  const gone = conflicts.filter((c) => c.holderState);
  say(
    `${what} blocked: ${report}\n` +
      (reachable.length ? `  Ask ${reachable.join(', ')} (baton send ${reachable[0]} ...) to release, wait for the expiry, or leave these files out of the ${what}.\n` : '') +
      (gone.length ? `  ${conflictAdvice(gone)}\n` : '') +
      `  Override once: git ${what} --no-verify (or BATON_GUARD=warn to only warn).`,
  );
  return 1;
}

/**
 * Says once (per situation) that a hook manager rewrote another of Baton's hooks: the hook that still
 * runs is the only Baton code that can notice. Never fails the commit over it.
 */
function warnOnce(cwd: string): void {
  try {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily like ./check, see below */
    const { unseenWarnings } = require('./hooks') as typeof import('./hooks');
    for (const warning of unseenWarnings(cwd)) say(`warning: ${warning}`);
  } catch {
    // Outside a repository or without git: the check below says what matters.
  }
}

/** Entry for hook.cjs (and `tsx src/guard/hook-main.ts pre-commit` when debugging). */
export function main(argv: string[]): void {
  runHook(argv[0] ?? '')
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      say(`internal error (${err instanceof Error ? err.message : String(err)}); not checked.`);
      process.exit(0);
    });
}

if (require.main === module) main(process.argv.slice(2));
