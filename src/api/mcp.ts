import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { BatonError } from '../domain/errors';
import { ProjectKey } from '../domain/ids';
import { parseInput } from '../domain/validation';
import { McpSession } from '../mcp/session';
import { batonTools, createMcpServer, TOOL_PROFILES, type ToolProfile } from '../mcp/server';
import type { ApiDeps } from './route';
import { errorBody, HTTP_STATUS, toHttpError } from './errors';

export const MCP_PATH = '/mcp';
/** The project of an MCP session: a header (clients that set headers) or a query parameter. */
export const MCP_PROJECT_HEADER = 'x-baton-project';
export const MCP_TOOLS_HEADER = 'x-baton-tools';

interface Live {
  transport: StreamableHTTPServerTransport;
  server: Server;
  session: McpSession;
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * MCP's streamable HTTP transport at /mcp, on the Baton server. A session is opened with the
 * member's bearer token (verified like every API request) and keeps that identity; every later
 * request of the session must carry a token of the same member. A session opened without a token
 * can only `register`, after which it acts as the new agent (and must then send its token).
 * The project comes from `X-Baton-Project` or `?project=`; `X-Baton-Tools: core` (or `?tools=core`)
 * asks for the lean tool profile.
 */
export function mcpRoutes(app: FastifyInstance, deps: ApiDeps & { defaultProject?: string }): void {
  const live = new Map<string, Live>();

  const fail = (reply: FastifyReply, err: unknown) => {
    const error = toHttpError(err);
    return reply.code(HTTP_STATUS[error.code]).send({ jsonrpc: '2.0', ...errorBody(error), id: null });
  };

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: MCP_PATH,
    schema: { hide: true },
    handler: async (request, reply) => {
      try {
        checkOrigin(request);
        const query = request.query as { project?: string; tools?: string };
        const sessionId = header(request, 'mcp-session-id');
        const authorization = request.headers.authorization;
        if (sessionId) {
          const found = live.get(sessionId);
          if (!found) throw new BatonError('NOT_FOUND', 'MCP session not found (the server restarted or the session was closed); start a new session.');
          await checkSameMember(found, authorization, deps);
          reply.hijack();
          await found.transport.handleRequest(request.raw, reply.raw, request.body);
          return;
        }
        if (request.method !== 'POST') throw new BatonError('INVALID_INPUT', 'No mcp-session-id: start a session with an initialize request (POST).');
        const named = header(request, MCP_PROJECT_HEADER) ?? query.project ?? deps.defaultProject;
        if (named === undefined) throw new BatonError('INVALID_INPUT', 'project: this MCP session names no project; send `X-Baton-Project: <key>` (or `?project=<key>`), or start the server with BATON_PROJECT.');
        const project = parseInput(ProjectKey, named, 'project');
        const profile = (header(request, MCP_TOOLS_HEADER) ?? query.tools ?? 'all') as ToolProfile;
        // Own keys only: `in` would take "constructor" or "toString" for a profile.
        if (!Object.hasOwn(TOOL_PROFILES, profile)) throw new BatonError('INVALID_INPUT', `tools: "${profile}" is not a tool profile; use ${Object.keys(TOOL_PROFILES).join(' or ')}.`);
        const caller = authorization ? await deps.auth.verify(project, authorization) : undefined;
        const session = new McpSession(deps.baton, project, caller && { name: caller.name, kind: caller.kind, epoch: caller.epoch });
        const server = createMcpServer(session, batonTools(profile));
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void live.set(id, { transport, server, session }),
        });
        transport.onclose = () => {
          if (transport.sessionId) live.delete(transport.sessionId);
        };
        await server.connect(transport);
        reply.hijack();
        await transport.handleRequest(request.raw, reply.raw, request.body);
        // Not an initialize request: the transport answered 400 and there is no session to keep.
        if (!transport.sessionId) await server.close();
      } catch (err) {
        if (reply.sent || reply.raw.headersSent) return;
        return fail(reply, err);
      }
    },
  });

  // preClose, not onClose: an open session holds a streaming response (the GET stream of server
  // messages), and the server's close waits for every response to end, so the sessions must end first.
  app.addHook('preClose', async () => {
    for (const { server } of [...live.values()]) await server.close();
    live.clear();
  });
}

/**
 * Refuses a request from a web page of another site: FORBIDDEN (403) when an Origin header is present
 * and is not the server's own origin. Browsers send Origin with every cross-origin request; MCP clients
 * outside a browser send none, so they are unaffected. The MCP specification (transports, "Security
 * Warning") asks servers to validate Origin because of DNS rebinding: a page on a name that is made to
 * resolve to 127.0.0.1 reaches a loopback server with matching Origin *and* Host headers, so "own" is
 * taken from the address the connection actually arrived at (plus `localhost` on a loopback address),
 * never from the request's Host header.
 */
function checkOrigin(request: FastifyRequest): void {
  const origin = header(request, 'origin');
  if (origin === undefined) return;
  const socket = request.raw.socket;
  const address = (socket.localAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
  const port = String(socket.localPort ?? '');
  const scheme = `${request.protocol}:`;
  const names = [address.includes(':') ? `[${address}]` : address];
  if (/^127\./.test(address) || address === '::1') names.push('localhost');
  let given: URL | undefined;
  try {
    given = new URL(origin);
  } catch {
    // "null" (sandboxed pages, file: URLs) and other non-URLs are nobody's own origin.
  }
  // URL leaves out a scheme's default port, which a browser's Origin does too.
  const givenPort = given && (given.port || (given.protocol === 'https:' ? '443' : given.protocol === 'http:' ? '80' : ''));
  if (given && given.protocol === scheme && givenPort === port && names.includes(given.hostname)) return;
  const own = names.map((n) => `${scheme}//${n}:${port}`).join(' or ');
  throw new BatonError(
    'FORBIDDEN',
    `Origin ${origin} is not this Baton server's own (${own}): web pages of other sites may not use the MCP endpoint (the MCP specification's protection against DNS rebinding). MCP clients outside a browser send no Origin header.`,
  );
}

/** A session keeps its member: a request with another member's token, or none once known, is refused. */
async function checkSameMember(found: Live, authorization: string | undefined, deps: ApiDeps): Promise<void> {
  const me = found.session.identity;
  if (!me) return;
  if (!authorization) throw new BatonError('UNAUTHORIZED', `This MCP session acts as ${me.name}: send its token (Authorization: Bearer ...) with every request.`);
  const caller = await deps.auth.verify(found.session.projectKey, authorization);
  if (caller.name.toLowerCase() !== me.name.toLowerCase()) throw new BatonError('FORBIDDEN', `This MCP session acts as ${me.name}; ${caller.name}'s token cannot use it.`);
}
