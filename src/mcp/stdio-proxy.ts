import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioProxyOptions {
  /** The Baton server's MCP endpoint, e.g. http://127.0.0.1:7300/mcp. */
  url: string;
  project: string;
  /** The member's token; absent for an agent that will call `register`. */
  token?: string;
  /** Who the token belongs to (X-Baton-Member). */
  member?: string;
  /** Tool profile (`core` for the lean set). */
  tools?: string;
  /** After a successful `register` through this proxy: the new agent and its token (the CLI saves them). */
  onRegistered?(name: string, token: string): void;
  /** Diagnostics (stderr): never stdout, which carries the protocol. */
  log?(line: string): void;
}

/**
 * `baton mcp` over stdio: a transparent pipe between an agent that spawns it (stdio) and the Baton
 * server's MCP endpoint (streamable HTTP), so the same tools and the same identity checks serve both.
 * The token travels in the Authorization header; after `register` the proxy sends the new token.
 * Resolves when the agent closes stdin.
 */
export async function proxyStdio(options: StdioProxyOptions): Promise<void> {
  let token = options.token;
  let member = options.member;
  const registerCalls = new Set<string | number>();
  const stdio = new StdioServerTransport();
  const http = new StreamableHTTPClientTransport(new URL(options.url), {
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-baton-project', options.project);
      if (options.tools) headers.set('x-baton-tools', options.tools);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (member) headers.set('x-baton-member', member);
      return fetch(input, { ...init, headers });
    },
  });

  const closed = new Promise<void>((resolve) => {
    stdio.onclose = () => resolve();
    // The SDK's stdio transport does not notice the end of stdin by itself.
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });

  stdio.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && message.method === 'tools/call' && 'id' in message && (message.params as { name?: string } | undefined)?.name === 'register') registerCalls.add(message.id);
    http.send(message).catch((err: unknown) => {
      if (!('id' in message) || !('method' in message)) return;
      const text = err instanceof Error ? err.message : String(err);
      void stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `[UNAVAILABLE] Cannot reach the Baton server's MCP endpoint at ${options.url} (${text}). Start Baton with \`npm start\`, or set BATON_SERVER.` } });
    });
  };
  http.onmessage = (message: JSONRPCMessage) => {
    if ('id' in message && 'result' in message && registerCalls.delete(message.id)) {
      const data = (message.result as { isError?: boolean; structuredContent?: { name?: string; token?: string } }) ?? {};
      if (!data.isError && data.structuredContent?.token && data.structuredContent.name) {
        token = data.structuredContent.token;
        member = data.structuredContent.name;
        options.onRegistered?.(member, token);
      }
    }
    void stdio.send(message);
  };
  let closing = false;
  // Closing aborts the stream of server messages, which the transport reports as an error: not news.
  http.onerror = (err) => {
    if (!closing) options.log?.(`baton mcp: ${err.message}`);
  };

  await http.start();
  await stdio.start();
  await closed;
  closing = true;
  await http.close().catch(() => undefined);
  await stdio.close().catch(() => undefined);
}
