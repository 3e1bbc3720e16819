import { BatonApi } from '../api-client';
import { loadCliConfig } from '../cli/config';
import { CredentialStore, scopeKey } from '../cli/credentials';
import { BatonError } from '../domain/errors';
import { holderNote } from '../domain/reservations/advice';
import { relativeTime } from '../domain/reservations/duration';
import { checkPath } from '../domain/reservations/policy';
import type { Conflict } from '../schemas/reservations';
import type { Change } from './git';

/** The reservation book answers at most this many paths per check (CheckInput's limit). */
const PATHS_PER_CHECK = 1000;

export interface Blocked {
  path: string;
  /** The git status of the change (M, A, D, R100 ...), to say "renamed from" in the report. */
  change: Change;
  conflicts: Conflict[];
}

/**
 * Asks the project, through the Baton server, which of these paths another member holds exclusively:
 * one read-only check per 1,000 paths (one for any ordinary commit), answered from the reservation
 * book's index, never a listing of all reservations. The caller's own leases never count (the server
 * knows who calls from the token). Paths no reservation can name (see checkPath) are left out rather
 * than failing the commit. NOT_FOUND when the project does not exist (a mistyped key, most likely).
 */
export async function findBlocked(api: BatonApi, project: string, changes: Change[]): Promise<Blocked[]> {
  const byPath = new Map<string, Change>();
  for (const change of changes) {
    for (const p of change.paths) {
      try {
        checkPath(p);
        byPath.set(p, change);
      } catch {
        // e.g. a file name with a backslash: no reservation pattern can name it.
      }
    }
  }
  const paths = [...byPath.keys()];
  const blocked: Blocked[] = [];
  for (let i = 0; i < paths.length; i += PATHS_PER_CHECK) {
    const answer = await api.project(project).reservations.check({ paths: paths.slice(i, i + PATHS_PER_CHECK), exclusive: true });
    for (const r of answer.results) {
      // A staged path is a file, so nothing is under it: only a lease covering the file itself counts. The
      // book checks a path as a reservation of it would be, and a file without an extension (`Makefile`,
      // `bin/baton`, `.env`) has a directory's form, so it is checked with everything under it: without
      // this filter a lease on `**/*.md` would block every commit of such a file (via `Makefile/a.md`).
      // For a path with an extension it changes nothing (the book reads it as that one file). The test
      // is exact: overlapWitness returns a common path with the fewest segments, and the only path the
      // checked one covers at its own depth is itself, so the example is the path exactly when the lease
      // covers the path.
      const conflicts = r.conflicts.filter((c) => c.exclusive && c.example === r.target);
      if (conflicts.length) blocked.push({ path: r.target, change: byPath.get(r.target)!, conflicts });
    }
  }
  return blocked;
}

/**
 * The token the guard checks with: BATON_TOKEN, else the agent named by BATON_AGENT / `git config
 * baton.agent` in the agents' store, else a human's (BATON_HUMAN_TOKEN, or the only human login saved
 * for this project). Undefined when this shell has none.
 */
export function guardToken(env: NodeJS.ProcessEnv, project: string, agent: string | undefined): { token: string; name?: string } | undefined {
  if (env.BATON_TOKEN) return { token: env.BATON_TOKEN, name: agent };
  const scope = scopeKey(loadCliConfig(env).server, project);
  if (agent) {
    const saved = CredentialStore.open('agents', env).get(scope, agent);
    if (saved) return saved;
  }
  if (env.BATON_HUMAN_TOKEN) return { token: env.BATON_HUMAN_TOKEN };
  const humans = CredentialStore.open('humans', env);
  const names = humans.names(scope);
  return names.length === 1 ? humans.get(scope, names[0]!) : undefined;
}

/** details.reason of the UNAUTHORIZED error when this shell has no token at all (nothing was asked). */
export const NO_IDENTITY = 'no-identity';

/** Check with the guard's own (short) timeout. */
export async function checkChanges(options: { env: NodeJS.ProcessEnv; project: string; changes: Change[]; asAgent?: string; timeoutMs: number }): Promise<Blocked[]> {
  const identity = guardToken(options.env, options.project, options.asAgent);
  if (!identity) {
    throw new BatonError(
      'UNAUTHORIZED',
      `no identity for project ${options.project}: set BATON_AGENT and BATON_TOKEN (or \`git config baton.agent <name>\` with a token saved by \`baton register\`), or \`baton login\` as a human`,
      { reason: NO_IDENTITY },
    );
  }
  const api = new BatonApi({ baseUrl: loadCliConfig(options.env).server, token: identity.token, member: identity.name, timeoutMs: options.timeoutMs });
  return findBlocked(api, options.project, options.changes);
}

/**
 * The report a blocked (or warned) commit prints: each file, who holds it, which pattern, until when, the
 * holder's reason, and (when the pattern is not the file's own path) the rule that makes it cover the
 * file, on a line of its own as in `baton reserve`'s conflict report.
 */
export function describeBlocked(blocked: Blocked[], now = Date.now()): string {
  const lines: string[] = [];
  for (const b of blocked) {
    const renamed = b.change.paths.length === 2 ? ` (${b.change.status.startsWith('C') ? 'copy' : 'rename'} ${b.change.paths[0]} -> ${b.change.paths[1]})` : '';
    lines.push(`  ${b.path}${renamed}`);
    for (const c of b.conflicts) {
      lines.push(`    held by ${c.holder}${holderNote(c)}: pattern ${c.heldPattern}, until ${c.expiresAt} (${relativeTime(c.expiresAt, now)}), reason "${c.reason}" [${c.reservationId}]`);
      if (c.heldPattern !== b.path) lines.push(`      because ${c.rule}`);
    }
  }
  return lines.join('\n');
}
