import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpSession } from './session';
import { createMcpServer } from './server';
import type { Tool } from './toolbox';

/**
 * Serve one session over stdin/stdout (the agent spawned us). Resolves when the agent closes stdin or
 * the transport closes, so the caller can close the Temporal connection and exit.
 */
export async function serveStdio(session: McpSession, tools: Tool[]): Promise<void> {
  const server = createMcpServer(session, tools);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The SDK's stdio transport does not notice the end of stdin by itself.
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
