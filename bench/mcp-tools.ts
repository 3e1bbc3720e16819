import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@temporalio/client';
import { BatonClient } from '../src/client';
import { loadConfig } from '../src/config';
import { McpSession, type SessionMember } from '../src/mcp/session';
import { batonTools, createMcpServer, TOOL_PROFILES, type ToolProfile } from '../src/mcp/server';
import type { BenchEnv } from './run';

export const name = 'mcp-tools';
export const description = "size of the MCP tools/list answer per tool profile (what every agent session pays in context)";

/** A rough rule for English text and JSON in current tokenizers; the figure is an estimate, not a count. */
export const BYTES_PER_TOKEN = 4;

export interface ToolListSize {
  profile: ToolProfile;
  /** An identified session (opened with a token) or an anonymous one, which is offered `register` too. */
  session: 'identified' | 'anonymous';
  tools: string[];
  /** Bytes of the JSON-RPC answer to tools/list as it goes over the wire (UTF-8, stdio framing without the newline). */
  bytes: number;
  /** bytes / BYTES_PER_TOKEN, rounded up. */
  tokens: number;
}

const SOMEONE: SessionMember = { name: 'BenchAgent', kind: 'agent', epoch: 0 };

/**
 * The size of `tools/list` for each profile (`all`, `core`) and each kind of session, measured on the
 * real MCP server (createMcpServer) through an in-process SDK client: the bytes of the answer message
 * as the transport carries it. Listing never calls Temporal, so without `baton` a client that never
 * connects stands in for one.
 */
export async function measureToolList(baton?: BatonClient): Promise<ToolListSize[]> {
  const temporal = baton ? undefined : new Client();
  const client = baton ?? new BatonClient(temporal!, loadConfig());
  const sizes: ToolListSize[] = [];
  try {
    for (const profile of Object.keys(TOOL_PROFILES) as ToolProfile[]) {
      for (const session of ['identified', 'anonymous'] as const) {
        const server = createMcpServer(new McpSession(client, 'bench', session === 'identified' ? SOMEONE : undefined), batonTools(profile));
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        // The answer to tools/list, as it leaves the server.
        let answer: JSONRPCMessage | undefined;
        const send = serverSide.send.bind(serverSide);
        serverSide.send = (message, options) => {
          if ('result' in message && Array.isArray((message.result as { tools?: unknown }).tools)) answer = message;
          return send(message, options);
        };
        await server.connect(serverSide);
        const mcp = new McpClient({ name: 'bench', version: '0.0.0' });
        await mcp.connect(clientSide);
        const { tools } = await mcp.listTools();
        await mcp.close();
        await server.close();
        if (!answer) throw new Error('tools/list: no answer seen on the transport');
        const bytes = Buffer.byteLength(JSON.stringify(answer), 'utf8');
        sizes.push({ profile, session, tools: tools.map((t) => t.name), bytes, tokens: Math.ceil(bytes / BYTES_PER_TOKEN) });
      }
    }
  } finally {
    await temporal?.connection.close();
  }
  return sizes;
}

/** One line per profile and session, for `npm run bench`. */
export function describeToolList(sizes: ToolListSize[]): string[] {
  const all = sizes.find((s) => s.profile === 'all' && s.session === 'identified');
  return sizes.map((s) => {
    const share = all && s !== all ? `, ${((100 * s.bytes) / all.bytes).toFixed(0)}% of all` : '';
    return `${s.profile.padEnd(4)} ${s.session.padEnd(10)} ${String(s.tools.length).padStart(3)} tools  ${String(s.bytes).padStart(7)} bytes  ~${s.tokens} tokens${share}`;
  });
}

export async function run(env: BenchEnv): Promise<void> {
  for (const line of describeToolList(await measureToolList(env.baton))) env.log(line);
}

if (require.main === module) {
  measureToolList()
    .then((sizes) => {
      for (const line of describeToolList(sizes)) console.log(line);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
