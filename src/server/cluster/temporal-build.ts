import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { shown, TEMPORAL_SERVER_VERSION, type ClusterPaths } from './layout';

/**
 * Temporal's multi-service server and its SQL schema tool, built from the Go module proxy with
 * `go install` (Temporal publishes no other package a registry serves). Every Go cache lives under
 * .baton/cluster/go, so the first build (~8 minutes, ~4 GB) is paid once per clone and a rebuild
 * from the caches takes about half a minute; binaries that already answer with the right version are
 * not rebuilt at all.
 */
export const TEMPORAL_SERVER_PACKAGES = [`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`];

/** Packages a cold build of TEMPORAL_SERVER_VERSION compiles (measured: 1,758), for progress lines. */
const PACKAGES_IN_COLD_BUILD = 1758;

export interface TemporalBinaries {
  server: string;
  sqlTool: string;
  version: string;
}

/** The version the built server reports (`server --version` prints "temporal version 1.32.1"), if it runs. */
export function builtServerVersion(paths: ClusterPaths): string | undefined {
  if (!fs.existsSync(paths.serverBinary) || !fs.existsSync(paths.sqlToolBinary)) return undefined;
  const out = spawnSync(paths.serverBinary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return out.status === 0 ? /(\d+\.\d+\.\d+)/.exec(out.stdout)?.[1] : undefined;
}

export interface BuildOptions {
  paths: ClusterPaths;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Rebuild even when the binaries answer with the right version (to time a warm rebuild). */
  force?: boolean;
  /** How often a progress line is printed while go works (ms). */
  progressEveryMs?: number;
  /** Aborting kills `go install` (its caches stay valid: the next build resumes from them). */
  signal?: AbortSignal;
}

/** Builds the binaries unless they are there; says what happens, since a cold build takes minutes. */
export async function buildTemporalServer(options: BuildOptions): Promise<TemporalBinaries> {
  const { paths, log } = options;
  const wanted = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
  const have = builtServerVersion(paths);
  if (have === wanted && !options.force) return { server: paths.serverBinary, sqlTool: paths.sqlToolBinary, version: have };

  const env = options.env ?? process.env;
  const go = findGo(env);
  const cold = !fs.existsSync(path.join(paths.go.modCache, 'go.temporal.io', `server@${TEMPORAL_SERVER_VERSION}`));
  log(
    cold
      ? `Building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (first time: about 8 minutes and ~4 GB of Go caches in ${shown(paths.go.root)}) ...`
      : `Rebuilding Temporal server ${TEMPORAL_SERVER_VERSION} from the Go caches (about 30 s) ...`,
  );
  for (const dir of [paths.go.path, paths.go.modCache, paths.go.buildCache, paths.go.bin]) fs.mkdirSync(dir, { recursive: true });

  const started = Date.now();
  const counts = { modules: 0, packages: 0 };
  let lastLines: string[] = [];
  const child = spawn(go, ['install', '-v', ...TEMPORAL_SERVER_PACKAGES], {
    env: {
      ...env,
      GOPATH: paths.go.path,
      GOMODCACHE: paths.go.modCache,
      GOCACHE: paths.go.buildCache,
      GOBIN: paths.go.bin,
      GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  const onLine = (line: string) => {
    if (!line.trim()) return;
    // `go install -v` prints "go: downloading <module>" while fetching and one import path per compiled package.
    if (line.startsWith('go: downloading')) counts.modules++;
    else if (!line.startsWith('go: ')) counts.packages++;
    lastLines = [...lastLines.slice(-19), line];
  };
  let pending = '';
  const collect = (chunk: Buffer) => {
    const text = pending + chunk.toString();
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setInterval(() => {
    const phase = counts.packages === 0 ? `fetching modules (${counts.modules} so far)` : `compiling (${counts.packages} of ~${PACKAGES_IN_COLD_BUILD} packages, ${counts.modules} modules fetched)`;
    log(`  ... ${formatSeconds(Date.now() - started)}: ${phase}`);
  }, options.progressEveryMs ?? 20_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearInterval(timer));
  options.signal?.throwIfAborted();
  onLine(pending);
  if (code !== 0) {
    throw new Error(
      `go install ${TEMPORAL_SERVER_PACKAGES.join(' ')} failed (exit ${code}). Its last lines:\n${lastLines.join('\n')}\n` +
        'A newer server tag needs a newer Go than this machine has; this one is pinned to a release that builds with Go 1.26.8 (the minimum its go.mod names).',
    );
  }
  const version = builtServerVersion(paths);
  if (version !== wanted) throw new Error(`go install finished, but ${paths.serverBinary} reports version ${version ?? '(none)'} instead of ${wanted}.`);
  log(`Built Temporal server ${version} in ${formatSeconds(Date.now() - started)} (${counts.packages} packages compiled, ${counts.modules} modules fetched).`);
  return { server: paths.serverBinary, sqlTool: paths.sqlToolBinary, version };
}

function findGo(env: NodeJS.ProcessEnv): string {
  for (const dir of [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/local/go/bin']) {
    const candidate = path.join(dir, 'go');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error('Building the Temporal server needs Go 1.26.8 or newer (`go` on PATH); none was found. Install Go, then run again.');
}

export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
