import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { POSTGRES_USER } from './postgres';
import { TEMPORAL_SERVER_VERSION, type ClusterPaths } from './layout';
import { TEMPORAL_DATABASE, VISIBILITY_DATABASE } from './temporal-config';

/**
 * Creates Temporal's two databases and brings their schema to the server's version with Temporal's
 * own SQL tool and the schema files embedded in it (postgresql/v12/...), as Temporal's docs and
 * auto-setup image do: create-database, setup-schema -v 0.0, update-schema. A stamp file records the
 * server version the schema was set up for, so later starts skip it (a few seconds each).
 */
const SCHEMAS = [
  { database: TEMPORAL_DATABASE, embedded: 'postgresql/v12/temporal' },
  { database: VISIBILITY_DATABASE, embedded: 'postgresql/v12/visibility' },
];

export function setupSchema(options: { paths: ClusterPaths; postgresPort: number; log: (line: string) => void }): boolean {
  const { paths, postgresPort, log } = options;
  if (readStamp(paths) === TEMPORAL_SERVER_VERSION) return false;
  log(`Setting up Temporal's schema (${SCHEMAS.map((s) => s.database).join(', ')}) on PostgreSQL ...`);
  const connect = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '--port', String(postgresPort), '--user', POSTGRES_USER];
  for (const { database, embedded } of SCHEMAS) {
    const base = [...connect, '--db', database];
    const created = runTool(paths, [...base, 'create-database'], { allow: /already exists/i });
    if (!created) log(`  database ${database} already exists`);
    runTool(paths, [...base, 'setup-schema', '-v', '0.0']);
    runTool(paths, [...base, 'update-schema', '--schema-name', embedded]);
  }
  fs.writeFileSync(paths.schemaStamp, `${TEMPORAL_SERVER_VERSION}\n`);
  return true;
}

function readStamp(paths: ClusterPaths): string | undefined {
  try {
    return fs.readFileSync(paths.schemaStamp, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs the SQL tool; false when it failed in an allowed way (e.g. the database exists already). */
function runTool(paths: ClusterPaths, args: string[], options: { allow?: RegExp } = {}): boolean {
  const out = spawnSync(paths.sqlToolBinary, args, { encoding: 'utf8', timeout: 120_000 });
  if (out.status === 0) return true;
  const text = `${out.stdout}\n${out.stderr}`.trim();
  if (options.allow?.test(text)) return false;
  throw new Error(`Temporal's SQL tool failed: sql ${args.join(' ')}\n${text.split('\n').slice(-8).join('\n')}`);
}
