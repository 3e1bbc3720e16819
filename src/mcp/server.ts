import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BatonError } from '../domain/errors';
import { errorResult, type Tool } from './toolbox';
import type { McpSession } from './session';
import { agentTools } from './tools/agents';
import { reservationTools } from './tools/reservations';
import { messageTools } from './tools/messages';
import { patternTools } from '../patterns/mcp';

const INSTRUCTIONS = [
  'Baton coordinates the agents and humans working on this codebase.',
  'The session acts as the member whose token opened it; in a session opened without one, call `register` first.',
  'Before editing files, `reserve` them (a conflict names who holds them and why); `release` when done.',
  'Read your `inbox` (it can wait for new mail), answer with `reply`, and report pattern steps with `progress`, `done` (with a handoff) or `fail`.',
].join(' ');

/**
 * Tool profiles. Every tool's listing costs an agent's context on every session, so agents that only
 * coordinate edits and mail can ask for the lean `core` profile.
 */
export const TOOL_PROFILES = {
  all: undefined,
  core: ['reserve', 'check', 'release', 'send', 'inbox', 'done'],
} as const;
export type ToolProfile = keyof typeof TOOL_PROFILES;

/** Baton's tools for a profile, grouped by what they are about. */
export function batonTools(profile: ToolProfile = 'all'): Tool[] {
  const all = [...agentTools(), ...reservationTools(), ...messageTools(), ...patternTools()];
  const names: readonly string[] | undefined = TOOL_PROFILES[profile];
  return names ? all.filter((t) => names.includes(t.name)) : all;
}

/**
 * One MCP server for one session. It is built on the SDK's low-level Server (not McpServer) so the
 * arguments are validated by Baton's own schemas and a mistake reads as it does in the CLI, instead of
 * the SDK's generic "Input validation error".
 */
export function createMcpServer(session: McpSession, tools: Tool[], version = '0.1.0'): Server {
  const server = new Server({ name: 'baton', title: 'Baton', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  // `register` is offered only to a session that has no identity yet; everything else needs one.
  const register = agentTools().find((t) => t.name === 'register')!;
  const offered = () => (session.identity ? tools.filter((t) => t.name !== 'register') : [register, ...tools.filter((t) => t.name !== 'register')]);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: offered().map((t) => t.listing) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const available = offered();
    const tool = available.find((t) => t.name === request.params.name);
    if (!tool) return errorResult(new BatonError('NOT_FOUND', `No tool named "${request.params.name}" in this session; the tools are ${available.map((t) => t.name).join(', ')}.`));
    if (tool !== register) {
      try {
        session.actor();
      } catch (err) {
        return errorResult(err);
      }
    }
    return tool.call(request.params.arguments, { session, signal: extra.signal });
  });
  return server;
}
