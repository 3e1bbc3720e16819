/**
 * What the CLI needs to know, from the environment only (no Temporal configuration: the CLI talks to
 * the Baton server, never to Temporal).
 */
export interface CliConfig {
  /** The Baton server (BATON_SERVER), e.g. http://127.0.0.1:7300. */
  server: string;
  /** Default project key when a command is not given one (BATON_PROJECT). */
  project: string | undefined;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7300';

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return { server: (env.BATON_SERVER || DEFAULT_SERVER_URL).replace(/\/+$/, ''), project: env.BATON_PROJECT || undefined };
}
