/** What the Baton server answered: the HTTP status and the parsed JSON body. */
export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

/** Baton's error body (src/api/errors.ts). */
export interface ErrorAnswer {
  error: { code: string; message: string; details?: unknown };
}

/**
 * One request to a Baton server as a client would send it (bearer token, JSON body), for tests that
 * assert the HTTP status as well as Baton's error code; BatonApi (src/api-client) keeps only the code.
 */
export async function call<T = unknown>(baseUrl: string, method: string, path: string, options: { token?: string; member?: string; body?: unknown } = {}): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.member) headers['x-baton-member'] = options.member;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
