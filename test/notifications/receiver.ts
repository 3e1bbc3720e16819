import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** Wall-clock ms when the request arrived. */
  at: number;
}

/**
 * A local HTTP endpoint standing in for a webhook or Slack: records every POST, and answers each path
 * with the statuses it is told (in turn; 200 once they run out).
 */
export class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private readonly waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const r: Received = { path: req.url ?? '/', body: text ? JSON.parse(text) : undefined, headers: req.headers, at: Date.now() };
        this.received.push(r);
        const status = this.answers.get(r.path)?.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
        for (const w of [...this.waiters]) {
          if (w.match(r)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(r);
          }
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answer the next requests to `path` with these statuses. */
  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses);
  }

  /** The first request (already received or still to come) that matches; fails after `timeoutMs`. */
  next(match: (r: Received) => boolean, timeoutMs = 30_000): Promise<Received> {
    const known = this.received.find(match);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`nothing matching arrived within ${timeoutMs} ms; received: ${JSON.stringify(this.received.map((r) => [r.path, r.body]), null, 1).slice(0, 2000)}`));
        }
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (r: Received) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      this.waiters.push(waiter);
    });
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
