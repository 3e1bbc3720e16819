import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { projectWorkflowId } from '../domain/ids';
import { BatonError } from '../domain/errors';
import { checkPath } from '../domain/reservations/policy';
import { toBatonError } from '../client/errors';
import type { CheckInput, Conflict } from '../schemas/reservations';
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
 * failing the commit. NOT_FOUND when the project does not exist (a mistyped key, most likely).
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
      // A mistyped project key must not pass every commit in silence: the hook says "not checked".
      if ((err as Error).name === 'WorkflowNotFoundError') throw new BatonError('NOT_FOUND', `no such project ${project}`, { project });
      throw toBatonError(err);
    });
    if (!answer.ok) throw new BatonError(answer.code, answer.message);
    for (const r of answer.value.results) {
      const conflicts = r.conflicts.filter((c) => c.exclusive);
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

const until = (iso: string, now: number): string => {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  return `${iso} (${minutes >= 60 ? `in ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m` : `in ${Math.max(minutes, 0)}m`})`;
};

/** The report a blocked (or warned) commit prints: each file, who holds it, which pattern, until when, why. */
export function describeBlocked(blocked: Blocked[], now = Date.now()): string {
  const lines: string[] = [];
  for (const b of blocked) {
    const renamed = b.change.paths.length === 2 ? ` (${b.change.status.startsWith('C') ? 'copy' : 'rename'} ${b.change.paths[0]} -> ${b.change.paths[1]})` : '';
    lines.push(`  ${b.path}${renamed}`);
    for (const c of b.conflicts) {
      lines.push(`    held by ${c.holder}: pattern ${c.heldPattern}, until ${until(c.expiresAt, now)}, reason "${c.reason}" [${c.reservationId}]`);
    }
  }
  return lines.join('\n');
}
