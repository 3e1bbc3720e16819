import type { RunningApi } from '../../src/api/main';
import type { ConsoleOptions } from '../../src/api/console/plugin';
import type { TestContext } from '../support/temporal';
import { startApi } from '../../src/api/main';

/** One key for every server of a test: sessions signed by one are verified by the others. */
export const TEST_SESSION_KEYS = ['test-session-key-0123456789abcdefghijklmnop'];

/** A Baton server for the context's task queue with the console's options (a fixed session key). */
export async function startConsoleApi(ctx: TestContext, options: Partial<ConsoleOptions> = {}, port = 0): Promise<RunningApi> {
  return startApi(ctx.config, ctx.client, { port, host: '127.0.0.1', console: { sessionKeys: TEST_SESSION_KEYS, ...options } });
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A browser's cookie jar and CSRF token, for the console's HTTP endpoints without a browser: keeps
 * what the server sets (name=value only; attributes are for the tests to read from `setCookies`).
 */
export class ConsoleVisitor {
  readonly cookies = new Map<string, string>();
  csrf = '';
  /** Every Set-Cookie header seen, raw, most recent last. */
  readonly setCookies: string[] = [];

  constructor(public base: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if ((options.csrf ?? true) && method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // HTML pages and event streams stay text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** GET /console/session, keeping the CSRF token it gives. */
  async session() {
    const answer = await this.request<{ signedIn: boolean; csrfToken: string; members: { project: string; name: string }[] }>('GET', '/console/session');
    this.csrf = answer.body.csrfToken;
    return answer;
  }

  async signIn(project: string, token: string) {
    if (!this.csrf) await this.session();
    const answer = await this.request<{ signedIn: boolean; csrfToken: string; members: { project: string; name: string }[]; error?: { code: string; message: string } }>('POST', '/console/session', { project, token });
    if (answer.status === 200) this.csrf = answer.body.csrfToken;
    return answer;
  }

  /** The same cookies and token, against another server (the servers share no memory). */
  on(base: string): ConsoleVisitor {
    const other = new ConsoleVisitor(base);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    other.csrf = this.csrf;
    return other;
  }
}

export type { RunningApi };
