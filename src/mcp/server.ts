import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BatonError } from '../domain/errors';
import { errorResult, type Tool } from './toolbox';
import type { McpSession } from './session';
import { agentTools, type OnRegistered } from './tools/agents';
import { reservationTools } from './tools/reservations';
import { messageTools } from './tools/messages';
import { patternTools } from './tools/patterns';
import { emergencyTools } from './tools/emergency';

const INSTRUCTIONS = [
  'Baton coordinates the agents and humans working on this codebase.',
  'Start with `register` (or `login` with a saved name and token); the session then acts as you.',
  'Before editing files, `reserve` them (a conflict names who holds them and why); `release` when done.',
  'Read your `inbox` (it can wait for new mail), answer with `reply`, and report pattern steps with `progress`, `done` (with a handoff) or `fail`.',
].join(' ');

export interface ToolOptions {
  onRegistered?: OnRegistered;
}

/** Every Baton tool, grouped by what it is about. */
export function batonTools(options: ToolOptions = {}): Tool[] {
  return [...agentTools(options.onRegistered), ...reservationTools(), ...messageTools(), ...patternTools(), ...emergencyTools()];
}

/**
 * One MCP server for one session. It is built on the SDK's low-level Server (not McpServer) so the
 * arguments are validated by Baton's own schemas and a mistake reads as it does in the CLI, instead of
 * the SDK's generic "Input validation error".
 */
export function createMcpServer(session: McpSession, tools: Tool[], version = '0.1.0'): Server {
  const server = new Server({ name: 'baton', title: 'Baton', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const byName = new Map(tools.map((t) => [t.name, t]));
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map((t) => t.listing) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) return errorResult(new BatonError('NOT_FOUND', `No tool named "${request.params.name}"; the tools are ${[...byName.keys()].join(', ')}.`));
    return tool.call(request.params.arguments, { session, signal: extra.signal });
  });
  return server;
}
