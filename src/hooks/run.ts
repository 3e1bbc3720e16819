/**
 * One hook call, from the agent's stdin text to what the hook process prints: parse the agent's event
 * (protocols/*.ts), decide with the backend, answer in the agent's protocol. Never throws and never shows
 * a stack trace: whatever goes wrong becomes "not checked" (or a refusal, when BATON_HOOKS_OFFLINE=block
 * and an edit cannot be checked), said in the agent's own protocol.
 */
import { BatonError } from '../domain/errors';
import type { AttentionAnswer, HookBackend } from './backend';
import { attentionDigest, denyReason, timeFromNow } from './report';
import { HookInputError, type HookAnswer, type HookEvent, type HookOutput, type ParsedEvent, type Program } from './protocol';
import { PROTOCOLS } from './protocols';
import { genericEvent } from './protocols/generic';
import { findRepoRoot, repoRelativePaths } from './touched-paths';

export type OfflinePolicy = 'allow' | 'block';

export interface RunOptions {
  /** Reserve a free path for the agent on its first edit (`--auto-reserve`). */
  autoReserve?: boolean;
  /** What to do with an edit that cannot be checked (server unreachable, unknown project ...). Default allow. */
  offline?: OfflinePolicy;
  /** Longest wait for the backend, in ms, before the edit counts as unchecked. Default 3000. */
  timeoutMs?: number;
  /** The working directory to assume when the input has no cwd. */
  cwd: string;
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 3000;

/**
 * The hooks' settings from the environment: BATON_HOOKS_OFFLINE=allow|block (default allow) and
 * BATON_HOOKS_TIMEOUT_MS (default 3000). A value that makes no sense is ignored with a warning.
 */
export function hookSettings(env: NodeJS.ProcessEnv): { offline: OfflinePolicy; timeoutMs: number; warnings: string[] } {
  const warnings: string[] = [];
  const rawOffline = (env.BATON_HOOKS_OFFLINE ?? '').trim().toLowerCase();
  let offline: OfflinePolicy = 'allow';
  if (rawOffline === 'block') offline = 'block';
  else if (rawOffline !== '' && rawOffline !== 'allow') warnings.push(`BATON_HOOKS_OFFLINE=${env.BATON_HOOKS_OFFLINE} is neither allow nor block; using allow.`);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (env.BATON_HOOKS_TIMEOUT_MS !== undefined && env.BATON_HOOKS_TIMEOUT_MS !== '') {
    const n = Number(env.BATON_HOOKS_TIMEOUT_MS);
    if (Number.isFinite(n) && n > 0) timeoutMs = n;
    else warnings.push(`BATON_HOOKS_TIMEOUT_MS=${env.BATON_HOOKS_TIMEOUT_MS} is not a positive number of milliseconds; using ${DEFAULT_TIMEOUT_MS}.`);
  }
  return { offline, timeoutMs, warnings };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BatonError('TIMEOUT', `no answer within ${ms} ms (BATON_HOOKS_TIMEOUT_MS)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Why Baton could not answer, in one clause. */
function whyUnchecked(err: unknown): string {
  // One clause inside a sentence: the first line, without its closing period.
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/\.+$/, '');
  if (!(err instanceof BatonError)) return `cannot reach the Baton server (${message})`;
  switch (err.code) {
    case 'NOT_FOUND':
      return (err.details as { status?: string } | undefined)?.status === 'missing' ? `no such project (${message})` : message;
    case 'UNAVAILABLE':
    case 'TIMEOUT':
      return `cannot reach the Baton server (${message})`;
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return `the Baton server refused this member (${message}; check BATON_TOKEN or \`baton whoami\`)`;
    default:
      return message;
  }
}

interface Decision {
  answer: HookAnswer;
  /** For the hook's stderr: what went wrong where nobody needs to be interrupted. */
  log?: string;
}

const list = (paths: string[]) => (paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`);

async function beforeEdit(program: Program, event: Extract<ParsedEvent, { event: 'before-edit' }>, backend: HookBackend, options: Required<Omit<RunOptions, 'now'>> & { now: number }): Promise<Decision> {
  const cwd = event.cwd ?? options.cwd;
  const root = findRepoRoot(cwd);
  if (!root) return { answer: { kind: 'allow' } };
  const paths = repoRelativePaths(event.touched, cwd, root);
  if (paths.length === 0) return { answer: { kind: 'allow' } };
  try {
    const checked = await withTimeout(backend.check(paths), options.timeoutMs);
    if (checked.conflicts.length) return { answer: { kind: 'deny', reason: denyReason(checked.conflicts, options.now) } };
    if (!options.autoReserve) return { answer: { kind: 'allow' } };
    const free = paths.filter((p) => !checked.held?.includes(p));
    if (free.length === 0) return { answer: { kind: 'allow' } };
    const reserved = await withTimeout(backend.reserve(free, `editing with ${program} (${event.tool}); reserved by the hook on first edit`), options.timeoutMs);
    if (reserved.status === 'conflict') return { answer: { kind: 'deny', reason: denyReason(reserved.conflicts, options.now) } };
    const until = reserved.expiresAt ? ` until ${reserved.expiresAt} (${timeFromNow(reserved.expiresAt, options.now)})` : '';
    return {
      answer: {
        kind: 'allow',
        context: `Baton reserved ${list(reserved.patterns)} for you${until}, so no other agent edits it meanwhile. Release it when you are done: baton release --pattern ${reserved.patterns.map((p) => JSON.stringify(p)).join(' ')}`,
      },
    };
  } catch (err) {
    const why = whyUnchecked(err);
    if (options.offline === 'block') {
      return {
        answer: {
          kind: 'deny',
          reason:
            `Baton could not check this edit of ${list(paths)} against other agents' reservations: ${why}.\n` +
            'This repository refuses edits that cannot be checked (BATON_HOOKS_OFFLINE=block). Wait until Baton answers again (a person can run `baton doctor`), or ask a person to set BATON_HOOKS_OFFLINE=allow.',
        },
      };
    }
    return {
      answer: {
        kind: 'allow',
        notice: `baton: edit of ${list(paths)} not checked against reservations: ${why}. It goes ahead (BATON_HOOKS_OFFLINE=block would refuse it).`,
      },
    };
  }
}

async function attention(event: 'after-tool' | 'prompt' | 'stop', backend: HookBackend, timeoutMs: number): Promise<Decision> {
  let answer: AttentionAnswer;
  try {
    answer = await withTimeout(backend.attention(), timeoutMs);
  } catch (err) {
    // After a tool call or at a stop nothing is at stake: note it where the person can look, interrupt nobody.
    return { answer: { kind: 'allow' }, log: `baton: could not fetch your messages and lease warnings: ${whyUnchecked(err)}.` };
  }
  if (answer.items.length === 0) return { answer: { kind: 'allow' } };
  return { answer: { kind: 'allow', context: attentionDigest(answer.items, event === 'stop', answer.more ?? 0) } };
}

async function decide(program: Program, event: ParsedEvent, backend: HookBackend, options: Required<Omit<RunOptions, 'now'>> & { now: number }): Promise<Decision> {
  switch (event.event) {
    case 'before-edit':
      return beforeEdit(program, event, backend, options);
    case 'before-tool':
      return { answer: { kind: 'allow' } };
    case 'after-tool':
    case 'prompt':
      return attention(event.event, backend, options.timeoutMs);
    case 'stop':
      // A stop hook (ours or another) already kept the agent going this turn: let it stop, or it may loop.
      if (event.continued) return { answer: { kind: 'allow' } };
      return attention('stop', backend, options.timeoutMs);
  }
}

/**
 * Runs one hook call. `event` is the one the installed command names (`baton hooks run <program> <event>`);
 * the generic protocol may leave it to the input. Returns exactly what to print and the exit code.
 */
export async function runHook(program: Program, event: HookEvent | undefined, stdinText: string, backend: HookBackend, options: RunOptions): Promise<HookOutput> {
  const protocol = PROTOCOLS[program];
  const resolved = {
    autoReserve: options.autoReserve ?? false,
    offline: options.offline ?? 'allow',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cwd: options.cwd,
    now: (options.now ?? Date.now)(),
  };
  const fallbackEvent: HookEvent = event ?? 'post-tool';
  let hookEvent: HookEvent;
  let parsed: ParsedEvent;
  try {
    if (stdinText.trim() === '') throw new HookInputError(`no input on stdin (the agent sends its event as JSON there)`);
    let input: unknown;
    try {
      input = JSON.parse(stdinText);
    } catch (err) {
      throw new HookInputError(`stdin is not JSON (${(err as Error).message})`);
    }
    if (program === 'generic') hookEvent = genericEvent(event, input);
    else if (event) hookEvent = event;
    else throw new HookInputError('no event given');
    parsed = protocol.parse(hookEvent, input);
  } catch (err) {
    // By name: in the hook bundle the protocols' zod readers come from a bundle of their own
    // (scripts/build-cli.mjs), with their own copy of the HookInputError class.
    const why = err instanceof Error && err.name === 'HookInputError' ? err.message : String(err);
    const notice = `baton: could not read the ${program} hook input (${why}); not checked. \`baton hooks status ${program}\` shows what is installed.`;
    return protocol.format(event ?? fallbackEvent, { kind: 'allow', notice });
  }
  try {
    const { answer, log } = await decide(program, parsed, backend, resolved);
    const output = protocol.format(hookEvent, answer);
    return log ? { ...output, stderr: output.stderr + log + '\n' } : output;
  } catch (err) {
    // Only a bug gets here (decide catches the backend's failures); it must not stop the agent's work.
    const why = `internal error (${err instanceof Error ? err.message : String(err)})`;
    if (parsed.event === 'before-edit' && resolved.offline === 'block') {
      return protocol.format(hookEvent, { kind: 'deny', reason: `Baton could not check this edit: ${why}. BATON_HOOKS_OFFLINE=block refuses edits that cannot be checked.` });
    }
    return protocol.format(hookEvent, { kind: 'allow', notice: `baton: not checked: ${why}.` });
  }
}
