import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatonError } from '../domain/errors';

/**
 * Where the CLI keeps tokens: two files per OS user, never one. Agents' tokens (saved by `baton
 * register`) in `credentials.json`; humans' tokens (saved by `baton init` and `baton login`) in
 * `humans.json`, which no agent command reads. Both are JSON, mode 0600 in a 0700 directory, written
 * atomically (a temporary file renamed over the old one), and never replaced when they fail to parse:
 * tokens are shown once, so losing the file loses the identities.
 *
 *   $BATON_CREDENTIALS        (default $XDG_CONFIG_HOME/baton/credentials.json, else ~/.config/baton/...)
 *   $BATON_HUMAN_CREDENTIALS  (default .../baton/humans.json)
 *
 * Entries are scoped by Baton server and project: `<server> <project>` -> { name: token }.
 */
export type StoreKind = 'agents' | 'humans';

interface StoreFile {
  version: 2;
  scopes: Record<string, Record<string, string>>;
}

function configDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'baton');
}

export function storePath(kind: StoreKind, env: NodeJS.ProcessEnv = process.env): string {
  if (kind === 'agents') return path.resolve(env.BATON_CREDENTIALS || path.join(configDir(env), 'credentials.json'));
  return path.resolve(env.BATON_HUMAN_CREDENTIALS || path.join(configDir(env), 'humans.json'));
}

export const scopeKey = (server: string, project: string) => `${server} ${project}`;

/** A credentials store on disk. Read errors other than "no file yet" stop the command. */
export class CredentialStore {
  constructor(
    readonly kind: StoreKind,
    readonly file: string,
  ) {}

  static open(kind: StoreKind, env: NodeJS.ProcessEnv = process.env): CredentialStore {
    return new CredentialStore(kind, storePath(kind, env));
  }

  private read(): StoreFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 2, scopes: {} };
      throw new BatonError('INTERNAL', `Cannot read ${this.file}: ${(err as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoreFile>;
      if (parsed && parsed.version === 2 && parsed.scopes && typeof parsed.scopes === 'object') return parsed as StoreFile;
      throw new Error('not a Baton credentials file (version 2)');
    } catch (err) {
      throw new BatonError(
        'INVALID_STATE',
        `${this.file} is not a valid Baton credentials file (${(err as Error).message}). Baton will not overwrite it: the tokens in it are shown only once. Repair it, or move it away to start a new one.`,
      );
    }
  }

  /**
   * Fails (as reading does) when the file cannot be read or parsed. Call it before asking the server
   * for a token that is shown once: a token issued and then not saved is lost.
   */
  assertReadable(): void {
    this.read();
  }

  /** Names saved for this server and project. */
  names(scope: string): string[] {
    return Object.keys(this.read().scopes[scope] ?? {});
  }

  get(scope: string, name: string): { name: string; token: string } | undefined {
    const members = this.read().scopes[scope] ?? {};
    const key = Object.keys(members).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? { name: key, token: members[key]! } : undefined;
  }

  save(scope: string, name: string, token: string): void {
    const all = this.read();
    const members = (all.scopes[scope] ??= {});
    for (const k of Object.keys(members)) if (k.toLowerCase() === name.toLowerCase()) delete members[k];
    members[name] = token;
    this.write(all);
  }

  forget(scope: string, name: string): boolean {
    const all = this.read();
    const members = all.scopes[scope];
    const key = members && Object.keys(members).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!members || !key) return false;
    delete members[key];
    if (Object.keys(members).length === 0) delete all.scopes[scope];
    this.write(all);
    return true;
  }

  private write(all: StoreFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }
}
