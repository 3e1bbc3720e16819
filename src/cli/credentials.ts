import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { BatonError } from '../domain/errors';
import type { CliRuntime } from './runtime';

/**
 * Where the CLI keeps the tokens `baton register` returned: a 0600 JSON file per OS user
 * ($BATON_CREDENTIALS, else $XDG_CONFIG_HOME/baton/credentials.json, else ~/.config/baton/...), keyed
 * by Temporal address + namespace + project, so several agents of one machine can each pass --as.
 */
interface CredentialsFile {
  [scope: string]: { current?: string; members: Record<string, string> };
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BATON_CREDENTIALS) return path.resolve(env.BATON_CREDENTIALS);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'baton', 'credentials.json');
}

function read(file: string): CredentialsFile {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CredentialsFile;
  } catch {
    return {};
  }
}

function scopeOf(rt: CliRuntime, project: string): string {
  return `${rt.config.address}/${rt.config.namespace}/${project}`;
}

export function saveCredentials(rt: CliRuntime, project: string, name: string, token: string): string {
  const file = credentialsPath();
  const all = read(file);
  const scope = (all[scopeOf(rt, project)] ??= { members: {} });
  scope.members[name] = token;
  scope.current = name;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  return file;
}

export function forgetCredentials(rt: CliRuntime, project: string, name: string): void {
  const file = credentialsPath();
  const all = read(file);
  const scope = all[scopeOf(rt, project)];
  if (!scope) return;
  const key = Object.keys(scope.members).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key) delete scope.members[key];
  if (scope.current?.toLowerCase() === name.toLowerCase()) scope.current = Object.keys(scope.members)[0];
  fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
}

export interface Identity {
  name: string;
  token: string;
}

/**
 * Who runs this command: --as/--token, then BATON_AGENT/BATON_TOKEN, then the saved credentials
 * (--as alone picks a saved member; nothing picks the last one registered here).
 */
export function resolveIdentity(rt: CliRuntime, command: Command): Identity {
  const opts = command.optsWithGlobals() as { as?: string; token?: string };
  const project = rt.project(command);
  const name = opts.as ?? process.env.BATON_AGENT;
  const token = opts.token ?? (opts.as === undefined || opts.as === process.env.BATON_AGENT ? process.env.BATON_TOKEN : undefined);
  if (name && token) return { name, token };
  const scope = read(credentialsPath())[scopeOf(rt, project)];
  if (scope) {
    const wanted = name ?? scope.current;
    const key = wanted ? Object.keys(scope.members).find((k) => k.toLowerCase() === wanted.toLowerCase()) : undefined;
    if (key) return { name: key, token: scope.members[key]! };
  }
  throw new BatonError(
    'UNAUTHORIZED',
    name
      ? `No token for ${name} in project ${project}: pass --token, set BATON_TOKEN, or register with \`baton register\` on this machine.`
      : `Who are you? Register with \`baton register --project ${project}\`, or pass --as <name> --token <token> (or set BATON_AGENT and BATON_TOKEN).`,
  );
}
