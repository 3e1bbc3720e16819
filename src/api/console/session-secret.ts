import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BatonError } from '../../domain/errors';

/** Where the keys that sign console session cookies came from (the server says so at start). */
export interface SessionKeys {
  /** The first key signs; every key verifies (rotate by putting the new key first). */
  keys: string[];
  source: 'environment' | 'file' | 'ephemeral';
  file?: string;
}

const MIN_KEY_LENGTH = 32;
export const SESSION_SECRET_FILE = 'session-secret';

/**
 * The keys of BATON_SESSION_SECRET (comma-separated, each at least 32 characters). Every Baton server
 * behind one load balancer needs the same value: a session signed by one is then verified by all.
 * Without it, `npm start` keeps a generated key in `<BATON_HOME>/session-secret` (mode 0600), and a
 * lone `baton server` makes one for its own lifetime (sessions end when it restarts).
 */
export function sessionKeys(env: NodeJS.ProcessEnv = process.env, options: { persistIn?: string } = {}): SessionKeys {
  const configured = env.BATON_SESSION_SECRET?.trim();
  if (configured) {
    const keys = configured.split(',').map((k) => k.trim()).filter(Boolean);
    const short = keys.findIndex((k) => k.length < MIN_KEY_LENGTH);
    if (short >= 0) {
      throw new BatonError('INVALID_INPUT', `BATON_SESSION_SECRET: key ${short + 1} is ${keys[short]!.length} characters; each key needs at least ${MIN_KEY_LENGTH} (e.g. \`openssl rand -base64 32\`).`);
    }
    return { keys, source: 'environment' };
  }
  if (options.persistIn) {
    const file = path.join(options.persistIn, SESSION_SECRET_FILE);
    try {
      const stored = fs.readFileSync(file, 'utf8').trim();
      if (stored.length >= MIN_KEY_LENGTH) return { keys: [stored], source: 'file', file };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const key = randomBytes(32).toString('base64url');
    fs.mkdirSync(options.persistIn, { recursive: true });
    // wx: two processes starting at once keep the first key written.
    try {
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return sessionKeys(env, options);
      throw err;
    }
    return { keys: [key], source: 'file', file };
  }
  return { keys: [randomBytes(32).toString('base64url')], source: 'ephemeral' };
}
