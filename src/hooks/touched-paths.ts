/**
 * Turns the paths an agent's tool call names (absolute, or relative to the session's cwd) into the
 * repo-relative, '/'-separated paths reservations are written in, dropping what no reservation can name:
 * paths outside the repository, inside .git, or that checkPath refuses (e.g. a name with a backslash).
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkPath } from '../domain/reservations/policy';

/**
 * The repository's top level: the nearest directory at or above `dir` holding `.git` (a directory, or the
 * file a worktree or submodule has). A walk on the file system instead of `git rev-parse`: a hook runs on
 * every tool call and a git process costs more than the rest of the hook's local work. Undefined outside
 * a repository.
 */
export function findRepoRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** realpath of the longest existing prefix, plus the rest: a file about to be created has no realpath. */
function realish(p: string): string {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...rest);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

function inside(root: string, absolute: string): string | undefined {
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/**
 * Repo-relative forms of `touched`, in order, without duplicates. A path is first compared as written, then
 * through symlinks (a repository under /tmp reached as /private/tmp, a cwd given through a link).
 */
export function repoRelativePaths(touched: string[], cwd: string, root: string): string[] {
  const out: string[] = [];
  const realRoot = realish(root);
  for (const p of touched) {
    const absolute = path.resolve(cwd, p);
    const relative = inside(root, absolute) ?? inside(realRoot, realish(absolute));
    if (relative === undefined || relative === '.git' || relative.startsWith('.git/')) continue;
    try {
      checkPath(relative);
    } catch {
      continue;
    }
    if (!out.includes(relative)) out.push(relative);
  }
  return out;
}
