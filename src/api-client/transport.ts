import http from 'node:http';
import https from 'node:https';
import { BatonError, isErrorCode } from '../domain/errors';

export interface TransportOptions {
  /** The Baton server, e.g. http://127.0.0.1:7300 (BATON_SERVER). */
  baseUrl: string;
  /** Bearer token of the member acting (bt_... or bh_...). */
  token?: string;
  /** Who the caller believes the token is (X-Baton-Member): the server refuses a token of someone else. */
  member?: string;
  /** Per request, ms (long-poll requests pass their own). */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sees the answer's headers (e.g. a list's `x-baton-next`). */
  onHeaders?: (headers: http.IncomingHttpHeaders) => void;
}

/**
 * JSON over HTTP to the Baton server with node's own http module: the CLI loads in milliseconds
 * (no fetch/undici, no Temporal client). Errors come back as the server's BatonError (same code and
 * message); an unreachable server is UNAVAILABLE with what to do.
 */
export class Transport {
  private readonly base: URL;

  constructor(readonly options: TransportOptions) {
    try {
      this.base = new URL(options.baseUrl);
    } catch {
      throw new BatonError('INVALID_INPUT', `BATON_SERVER: "${options.baseUrl}" is not a URL (like http://127.0.0.1:7300).`);
    }
  }

  get baseUrl(): string {
    return this.base.origin;
  }

  request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // `new URL` resolves "." and ".." segments away, which would send the request to another route: a
    // key, name or id spelt "." or ".." (even percent-encoded) is refused before anything is sent.
    const dotted = path.split('?')[0]!.split('/').find((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
    if (dotted !== undefined) return Promise.reject(new BatonError('INVALID_INPUT', `"${decodeURIComponent(dotted)}" is not a project key, name or id (it would change the request's path); check what you passed.`));
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.member) headers['x-baton-member'] = this.options.member;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = lib.request(url, { method, headers, signal: options.signal }, (res) => {
        options.onHeaders?.(res.headers);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            return reject(new BatonError('INTERNAL', `The Baton server at ${this.baseUrl} answered ${res.statusCode} with something that is not JSON: ${text.slice(0, 200)}`));
          }
          if ((res.statusCode ?? 500) < 400) return resolve(json as T);
          const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
          if (error && isErrorCode(error.code)) return reject(new BatonError(error.code, String(error.message), error.details));
          reject(new BatonError('INTERNAL', `The Baton server at ${this.baseUrl} answered ${res.statusCode}: ${text.slice(0, 200)}`));
        });
        res.on('error', (err) => reject(unreachable(this.baseUrl, err)));
      });
      req.setTimeout(timeoutMs, () => req.destroy(new BatonError('TIMEOUT', `The Baton server at ${this.baseUrl} did not answer within ${Math.round(timeoutMs / 1000)}s.`)));
      req.on('error', (err) => reject(err instanceof BatonError ? err : options.signal?.aborted ? new BatonError('TIMEOUT', 'Cancelled.') : unreachable(this.baseUrl, err)));
      req.end(payload);
    });
  }
}

function unreachable(baseUrl: string, err: Error): BatonError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  return new BatonError('UNAVAILABLE', `Cannot reach the Baton server at ${baseUrl} (${code}). Start Baton with \`npm start\`, or set BATON_SERVER to the server's URL.`);
}
