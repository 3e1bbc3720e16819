import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';
import { BatonError } from '../domain/errors';
import { git, gitConfig, hooksDir, repoRoot } from './git';

export type HookName = 'pre-commit' | 'pre-push';
export const HOOKS: HookName[] = ['pre-commit', 'pre-push'];

const begin = (hook: HookName) => `# >>> baton guard (${hook}) >>>`;
const end = (hook: HookName) => `# <<< baton guard (${hook}) <<<`;
/** Suffix of a non-shell hook moved aside so the Baton hook can run it after its check. */
export const CHAINED_SUFFIX = '.baton-chained';
/** First line of a hook file Baton created itself (so uninstall may delete it when nothing else is left). */
const CREATED = '# Created by `baton guard install`.';

/** The node and hook launcher the block calls: absolute, because git GUIs run hooks with a bare PATH. */
export function launcher(): { node: string; script: string } {
  return { node: process.execPath, script: path.join(projectRoot, 'src', 'guard', 'hook.cjs') };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The delimited block Baton adds to a hook. It runs first; a block decision (exit 1) stops git, and
 * otherwise the rest of the hook (someone else's) runs as before. pre-push gets its ref list on stdin,
 * which the check reads, so the block keeps a copy and hands it to the rest of the hook.
 */
export function block(hook: HookName, chained?: string): string {
  const { node, script } = launcher();
  const run = `${q(node)} ${q(script)} ${hook}`;
  const lines = [begin(hook), '# Blocks work on files under another agent\'s exclusive Baton reservation. `baton guard uninstall`', '# removes this block; `git ' + (hook === 'pre-push' ? 'push' : 'commit') + ' --no-verify` skips it once; BATON_GUARD=warn only warns.'];
  const missing = `echo "baton guard: ${script} is missing (Baton moved?); run \\\`baton guard install\\\` again. Not checked." >&2`;
  if (hook === 'pre-push') {
    lines.push(
      'baton_refs=$(mktemp) || exit 1',
      'cat > "$baton_refs"',
      `if [ -f ${q(script)} ]; then ${run} "$@" < "$baton_refs" || { baton_rc=$?; rm -f "$baton_refs"; exit $baton_rc; }; else ${missing}; fi`,
      // The open descriptor outlives the unlinked file: the rest of the hook reads the same refs.
      'exec < "$baton_refs"; rm -f "$baton_refs"',
    );
  } else {
    lines.push(`if [ -f ${q(script)} ]; then ${run} "$@" || exit $?; else ${missing}; fi`);
  }
  if (chained) lines.push(`exec "$(dirname "$0")/${path.basename(chained)}" "$@"`);
  lines.push(end(hook));
  return lines.join('\n') + '\n';
}

const isShell = (content: string) => /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(sh|bash|dash|zsh|ksh)\b/.test(content.split('\n', 1)[0]!);

function hasBlock(content: string, hook: HookName): boolean {
  return content.includes(begin(hook));
}

function removeBlock(content: string, hook: HookName): string {
  const start = content.indexOf(begin(hook));
  const stop = content.indexOf(end(hook));
  if (start < 0 || stop < 0) return content;
  return content.slice(0, start) + content.slice(stop + end(hook).length).replace(/^\n/, '');
}

export interface HookStatus {
  hook: HookName;
  file: string;
  installed: boolean;
  /** Another hook that runs after Baton's check (the rest of a shell hook, or a moved-aside one). */
  chained: string | null;
  /** The block points at a launcher that is no longer there (the Baton checkout moved). */
  stale: boolean;
}

export interface GuardStatus {
  repo: string;
  hooksDir: string;
  project: string | null;
  agent: string | null;
  hooks: HookStatus[];
}

export function status(cwd: string): GuardStatus {
  const dir = hooksDir(cwd);
  return {
    repo: repoRoot(cwd),
    hooksDir: dir,
    project: gitConfig(cwd, 'baton.project') ?? null,
    agent: gitConfig(cwd, 'baton.agent') ?? null,
    hooks: HOOKS.map((hook) => {
      const file = path.join(dir, hook);
      const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const installed = hasBlock(content, hook);
      const aside = file + CHAINED_SUFFIX;
      const rest = removeBlock(content, hook).replace(/^#!.*\n/, '').replace(`${CREATED}\n`, '').trim();
      const chained = fs.existsSync(aside) ? aside : installed && rest ? `${file} (the rest of the script)` : null;
      const stale = installed && !content.includes(q(launcher().script));
      return { hook, file, installed, chained, stale };
    }),
  };
}

/**
 * Add Baton's block to the hooks (idempotent: an existing block is replaced). A shell hook keeps its
 * content: the block goes right after the shebang, so an `exit 0` at the end of the old script cannot
 * skip it. A hook in another language is moved aside to `<hook>.baton-chained` and run after the check.
 */
export function install(cwd: string, hooks: HookName[], settings: { project?: string; agent?: string }): GuardStatus {
  repoRoot(cwd); // fails clearly outside a repository
  const dir = hooksDir(cwd);
  fs.mkdirSync(dir, { recursive: true });
  if (settings.project) git(cwd, ['config', 'baton.project', settings.project]);
  if (settings.agent) git(cwd, ['config', 'baton.agent', settings.agent]);
  for (const hook of hooks) {
    const file = path.join(dir, hook);
    const aside = file + CHAINED_SUFFIX;
    let content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (hasBlock(content, hook)) content = removeBlock(content, hook);
    let next: string;
    if (content.trim() === '' || content === `#!/bin/sh\n${CREATED}\n`) {
      next = `#!/bin/sh\n${CREATED}\n${block(hook, fs.existsSync(aside) ? aside : undefined)}`;
    } else if (isShell(content)) {
      const newline = content.indexOf('\n');
      const shebang = newline < 0 ? content + '\n' : content.slice(0, newline + 1);
      next = shebang + block(hook) + (newline < 0 ? '' : content.slice(newline + 1));
    } else {
      if (fs.existsSync(aside)) throw new BatonError('ALREADY_EXISTS', `${aside} exists already; move it away, then install again.`);
      fs.renameSync(file, aside);
      next = `#!/bin/sh\n${CREATED}\n${block(hook, aside)}`;
    }
    fs.writeFileSync(file, next, { mode: 0o755 });
    fs.chmodSync(file, 0o755);
  }
  return status(cwd);
}

/** Remove only Baton's block; restore a moved-aside hook; delete a hook file Baton created and nothing else uses. */
export function uninstall(cwd: string, hooks: HookName[]): GuardStatus {
  const dir = hooksDir(cwd);
  for (const hook of hooks) {
    const file = path.join(dir, hook);
    const aside = file + CHAINED_SUFFIX;
    if (!fs.existsSync(file)) continue;
    const content = fs.readFileSync(file, 'utf8');
    if (!hasBlock(content, hook)) continue;
    const rest = removeBlock(content, hook);
    if (rest.startsWith(`#!/bin/sh\n${CREATED}\n`) && rest.slice(`#!/bin/sh\n${CREATED}\n`.length).trim() === '') {
      fs.rmSync(file);
      if (fs.existsSync(aside)) fs.renameSync(aside, file);
    } else {
      fs.writeFileSync(file, rest);
    }
  }
  return status(cwd);
}
