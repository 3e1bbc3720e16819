import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { projectWorkflowId } from '../domain/ids';
import { BatonError } from '../domain/errors';
import { relativeTime } from '../domain/reservations/duration';
import { checkPath } from '../domain/reservations/policy';
import { toBatonError } from '../client/errors';
import type { CheckInput, CheckResult, Conflict } from '../schemas/reservations';
import { checkReservationsQuery } from '../workflows/project/reservations-api';
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
 * Asks the project which of these paths another member holds exclusively: one read-only query per
 * 1,000 paths (one for any ordinary commit), answered from the reservation book's index, never a
 * listing of all reservations. Paths no reservation can name (see checkPath) are left out rather than
 * failing the commit. A project that does not exist yet holds nothing.
 */
export async function findBlocked(client: Client, project: string, changes: Change[], asAgent: string | undefined, timeoutMs: number): Promise<Blocked[]> {
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
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  for (let i = 0; i < paths.length; i += PATHS_PER_CHECK) {
    const input: CheckInput = { paths: paths.slice(i, i + PATHS_PER_CHECK), asAgent, exclusive: true };
    const answer = await withTimeout(
      handle.query(checkReservationsQuery, input),
      timeoutMs,
      'the project did not answer (is a Baton worker running? `npm start` runs one)',
    ).catch((err: unknown) => {
      if ((err as Error).name === 'WorkflowNotFoundError') return { ok: true as const, value: { clear: true, results: [] } satisfies CheckResult };
      throw toBatonError(err);
    });
    if (!answer.ok) throw new BatonError(answer.code, answer.message);
    for (const r of answer.value.results) {
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

/** Connect with the guard's own (short) timeout, check, close. */
export async function checkChanges(options: { env: NodeJS.ProcessEnv; project: string; changes: Change[]; asAgent?: string; timeoutMs: number }): Promise<Blocked[]> {
  const config = loadConfig(options.env);
  const connection = await withTimeout(
    Connection.connect({ ...config.connectionOptions, connectTimeout: options.timeoutMs } as Parameters<typeof Connection.connect>[0]),
    options.timeoutMs,
    'no connection',
  ).catch((err: unknown) => {
    throw new BatonError('UNAVAILABLE', `cannot reach Temporal at ${config.address} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  });
  try {
    return await findBlocked(new Client({ connection, namespace: config.namespace }), options.project, options.changes, options.asAgent, options.timeoutMs);
  } finally {
    await connection.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BatonError('TIMEOUT', `${what} within ${ms / 1000}s (BATON_GUARD_TIMEOUT_MS)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
      lines.push(`    held by ${c.holder}: pattern ${c.heldPattern}, until ${c.expiresAt} (${relativeTime(c.expiresAt, now)}), reason "${c.reason}" [${c.reservationId}]`);
      if (c.heldPattern !== b.path) lines.push(`      because ${c.rule}`);
    }
  }
  return lines.join('\n');
}
