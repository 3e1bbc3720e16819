import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BatonClient } from '../../src/client';
import { McpSession, type SessionMember } from '../../src/mcp/session';
import { batonTools, createMcpServer, type ToolProfile } from '../../src/mcp/server';

/**
 * An SDK MCP client connected in-process to a fresh Baton MCP server (one session) acting as
 * `identity`, the member the Baton server would have verified from a token; none for a session that
 * must `register` first.
 */
export async function connectInProcess(baton: BatonClient, project: string, identity?: SessionMember, profile: ToolProfile = 'all'): Promise<Client> {
  const server = createMcpServer(new McpSession(baton, project, identity), batonTools(profile));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'baton-test', version: '0.0.0' });
  await client.connect(clientSide);
  return client;
}

/** An agent's session identity, as the server verifies it from a token issued at registration (epoch 0). */
export const agent = (name: string, epoch = 0): SessionMember => ({ name, kind: 'agent', epoch });

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured answer of a successful call (fails the test with the tool's text otherwise). */
export async function ok<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${text(result)}`);
  return result.structuredContent as T;
}

export const text = (result: CallToolResult): string => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** Tool names a session lists, in the order listed. */
export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name);
}
