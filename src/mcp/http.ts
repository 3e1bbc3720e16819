import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { BatonClient } from '../client';
import { toBatonError } from '../client/errors';
import { McpSession } from './session';
import { createMcpServer } from './server';
import type { Tool } from './toolbox';

export const MCP_PATH = '/mcp';
/** Headers an HTTP client may send when it opens a session, instead of calling `login`. */
export const IDENTITY_HEADERS = { agent: 'x-baton-agent', token: 'x-baton-token', project: 'x-baton-project' } as const;

export interface HttpServerOptions {
  baton: BatonClient;
  tools: Tool[];
  /** Default project for sessions that do not name one. */
  project?: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  sessions(): number;
  close(): Promise<void>;
}

interface Live {
  transport: StreamableHTTPServerTransport;
  server: Server;
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Streamable HTTP on 127.0.0.1 only, for several agents sharing one server. Every MCP session gets
 * its own McpSession (its own identity, set by the identity headers, `register` or `login`) and its
 * own SDK Server. Requests whose Host or Origin is not this loopback address are refused, so a web
 * page cannot reach the server through DNS rebinding.
 */
export async function serveHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const live = new Map<string, Live>();
  let port = options.port;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  const reply = (res: http.ServerResponse, status: number, message: string, code = -32000): void => {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
  };

  async function openSession(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const session = new McpSession(options.baton, { project: header(req, IDENTITY_HEADERS.project) ?? options.project });
    const name = header(req, IDENTITY_HEADERS.agent);
    const token = header(req, IDENTITY_HEADERS.token);
    if (name || token) {
      try {
        if (!name || !token) throw new Error(`send both ${IDENTITY_HEADERS.agent} and ${IDENTITY_HEADERS.token}, or neither`);
        await session.login(name, token);
      } catch (err) {
        const error = toBatonError(err);
        return reply(res, error.code === 'UNAVAILABLE' ? 503 : 401, `[${error.code === 'INTERNAL' ? 'UNAUTHORIZED' : error.code}] ${error.message}`);
      }
    }
    const server = createMcpServer(session, options.tools);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void live.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId) live.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // Not an initialize request: the transport answered 400 and no session exists to keep.
    if (!transport.sessionId) await server.close();
  }

  const httpServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== MCP_PATH) return reply(res, 404, `Not found; the MCP endpoint is ${MCP_PATH}`);
      const host = header(req, 'host');
      const origin = header(req, 'origin');
      if (!host || !allowedHosts().includes(host) || (origin && !allowedHosts().some((h) => origin === `http://${h}`))) {
        return reply(res, 403, 'Forbidden: Baton\'s MCP server answers only to loopback clients (Host/Origin 127.0.0.1 or localhost).');
      }
      const id = header(req, 'mcp-session-id');
      if (id) {
        const session = live.get(id);
        if (!session) return reply(res, 404, 'Session not found (the server restarted or the session was closed); start a new session.', -32001);
        return session.transport.handleRequest(req, res);
      }
      if (req.method !== 'POST') return reply(res, 400, 'Bad request: no mcp-session-id; start a session with an initialize request.');
      return openSession(req, res);
    })().catch((err: unknown) => reply(res, 500, `Internal error: ${err instanceof Error ? err.message : String(err)}`, -32603));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (httpServer.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${MCP_PATH}`,
    port,
    sessions: () => live.size,
    async close() {
      for (const { server } of [...live.values()]) await server.close();
      live.clear();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
