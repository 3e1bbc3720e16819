/**
 * The page's calls to the Baton server: the same /v1 API as the CLI, authenticated by the session
 * cookie (http-only, sent by the browser), plus the CSRF token on every change.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** The token from GET /console/session (it changes when the session does). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export async function call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'INTERNAL', `The server answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'INTERNAL', error?.message ?? `The server answered ${res.status}.`, error?.details);
  }
  return json as T;
}

/** A path under a project of the /v1 API. */
export const inProject = (project: string, rest: string) => `/v1/projects/${encodeURIComponent(project)}${rest}`;

/** `/patterns/<pattern>/<id>` of a run's workflow id (`baton/<project>/<pattern>/<id>`). */
export const runApiPath = (workflowId: string) => `/patterns/${workflowId.split('/').slice(-2).map(encodeURIComponent).join('/')}`;
