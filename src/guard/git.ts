import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BatonError } from '../domain/errors';

/** Run git in `cwd` and return its stdout (trailing newline kept: -z output relies on it). */
export function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new BatonError('INVALID_STATE', `git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** The repository's top-level directory (INVALID_STATE outside a repository). */
export function repoRoot(cwd: string): string {
  return git(cwd, ['rev-parse', '--show-toplevel']).trim();
}

/** Where git runs hooks from: honours core.hooksPath (and worktrees' common hooks dir). */
export function hooksDir(cwd: string): string {
  return path.resolve(cwd, git(cwd, ['rev-parse', '--git-path', 'hooks']).trim());
}

export function gitConfig(cwd: string, key: string): string | undefined {
  try {
    return execFileSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined; // git exits 1 when the key is not set
  }
}

/** A changed file; a rename or copy touches both sides, so both are kept. */
export interface Change {
  status: string;
  paths: string[];
}

/**
 * Parse `git diff --name-status -z` output: status NUL path NUL, with two paths for renames (R) and
 * copies (C). -z keeps paths with spaces, quotes or non-ASCII bytes exactly as the repository has them.
 */
export function parseNameStatus(output: string): Change[] {
  const fields = output.split('\0');
  const changes: Change[] = [];
  for (let i = 0; i < fields.length - 1; ) {
    const status = fields[i++]!.trim();
    // `git log -z --format=` separates commits with empty fields (and a newline before a status).
    if (status === '') continue;
    const two = status.startsWith('R') || status.startsWith('C');
    const paths = two ? [fields[i++]!, fields[i++]!] : [fields[i++]!];
    changes.push({ status, paths });
  }
  return changes;
}

/** What the commit being made touches (the index against HEAD, renames detected). */
export function stagedChanges(cwd: string): Change[] {
  return parseNameStatus(git(cwd, ['diff', '--cached', '--name-status', '-M', '-z']));
}

const ZERO = /^0+$/;

/**
 * What a push sends, from the lines git gives pre-push on stdin (`<local ref> <local sha> <remote
 * ref> <remote sha>`): the diff from the remote's commit, or for a new branch the commits no remote has.
 */
export function pushedChanges(cwd: string, stdin: string): Change[] {
  const changes: Change[] = [];
  for (const line of stdin.split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (!localSha || ZERO.test(localSha)) continue; // a deletion pushes no files
    if (remoteSha && !ZERO.test(remoteSha)) {
      changes.push(...parseNameStatus(git(cwd, ['diff', '--name-status', '-M', '-z', remoteSha, localSha])));
    } else {
      changes.push(...parseNameStatus(git(cwd, ['log', '--name-status', '-M', '-z', '--format=', localSha, '--not', '--remotes'])));
    }
  }
  return changes;
}
