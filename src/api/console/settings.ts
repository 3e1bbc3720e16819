import { BatonError } from '../../domain/errors';
import type { BatonConfig } from '../../config';
import type { ConsoleOptions } from './plugin';
import { sessionKeys, type SessionKeys } from './session-secret';

/**
 * The console's settings from the environment (README, "Configuration"):
 * BATON_SESSION_SECRET (comma-separated keys; the first signs), BATON_SESSION_HOURS (default 12),
 * BATON_PUBLIC_URL (where people reach the server, for links and the Origin check behind a load
 * balancer), BATON_TEMPORAL_UI (the Web UI for links from pattern pages; default: the dev server's
 * on BATON_UI_PORT when Baton runs its own Temporal), BATON_CONSOLE_TICK_MS (default 250).
 */
export function consoleSettings(config: BatonConfig, env: NodeJS.ProcessEnv = process.env, options: { persistSecretIn?: string; temporalUi?: string } = {}): { options: Partial<ConsoleOptions>; keys: SessionKeys } {
  const keys = sessionKeys(env, { persistIn: options.persistSecretIn });
  const number = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new BatonError('INVALID_INPUT', `${name}: "${raw}" must be a number from ${min} to ${max}.`);
    return n;
  };
  const ui = env.BATON_TEMPORAL_UI || options.temporalUi || (config.addressFromEnvironment ? undefined : `http://127.0.0.1:${config.uiPort}`);
  return {
    keys,
    options: {
      sessionKeys: keys.keys,
      sessionHours: number('BATON_SESSION_HOURS', 0.01, 24 * 30),
      tickMs: number('BATON_CONSOLE_TICK_MS', 50, 10_000),
      ...(env.BATON_PUBLIC_URL ? { publicUrl: env.BATON_PUBLIC_URL.replace(/\/+$/, '') } : {}),
      ...(ui ? { temporalUi: { url: ui.replace(/\/+$/, ''), namespace: config.namespace } } : {}),
    },
  };
}

/** One line for the server's start message: where session keys come from, and what that means. */
export function describeKeys(keys: SessionKeys): string {
  if (keys.source === 'environment') return `console sessions signed with BATON_SESSION_SECRET (${keys.keys.length} key${keys.keys.length > 1 ? 's' : ''})`;
  if (keys.source === 'file') return `console sessions signed with the key in ${keys.file}`;
  return 'console sessions signed with a key made for this process: they end when it stops, and other servers do not accept them (set BATON_SESSION_SECRET)';
}
