import { z } from 'zod';
import type { CallToolResult, Tool as ToolListing } from '@modelcontextprotocol/sdk/types.js';
import { BatonError } from '../domain/errors';
import { parseInput } from '../domain/validation';
import { toBatonError } from '../client/errors';
import type { McpSession } from './session';

/** What a tool answers: a line for the model to read, and the data (JSON) behind it. */
export interface ToolAnswer {
  summary: string;
  data?: unknown;
}

/** What a tool gets besides its input. */
export interface ToolCall {
  session: McpSession;
  /** Aborted when the MCP client cancels the call or disconnects (long waits stop early). */
  signal: AbortSignal;
}

type Shape = z.ZodRawShape;

export interface ToolSpec<S extends z.ZodObject<Shape>> {
  name: string;
  title: string;
  description: string;
  /** The shared schema of the call (src/schemas/**): the tool's input schema is derived from it. */
  schema: S;
  /** Names the input in error messages, as the client does ("Invalid reservation request: ..."). */
  what: string;
  /**
   * Fields the server fills from the session and never offers to the agent (the actor and its token).
   * Filled before parsing, so a missing identity fails with the session's hint, not a schema error.
   */
  fill?: { [K in keyof S['shape']]?: (call: ToolCall) => unknown };
  /** Extra fields the MCP tool offers on top of the shared schema (e.g. `project` on register). */
  extra?: Shape;
  readOnly?: boolean;
  run(input: z.output<S>, call: ToolCall, extra: Record<string, unknown>): Promise<ToolAnswer>;
}

/** A tool with its types erased, ready for the server's list and call handlers. */
export interface Tool {
  name: string;
  listing: ToolListing;
  call(args: Record<string, unknown> | undefined, call: ToolCall): Promise<CallToolResult>;
}

/**
 * Declares an MCP tool from a shared zod schema. The listing's JSON Schema is the schema minus the
 * fields the server fills; the call parses the agent's arguments (plus the filled fields) with the
 * very schema the client and the workflow use, so an invalid argument reads exactly as it does in the
 * CLI. Unknown argument names are refused rather than silently dropped, because an agent that writes
 * `ttl` for `ttlSeconds` should learn it.
 */
export function defineTool<S extends z.ZodObject<Shape>>(spec: ToolSpec<S>): Tool {
  const hidden = new Set(Object.keys(spec.fill ?? {}));
  const offeredShape: Record<string, z.core.$ZodType> = { ...spec.extra };
  for (const [key, field] of Object.entries(spec.schema.shape)) if (!hidden.has(key)) offeredShape[key] = field as z.core.$ZodType;
  // The offered object has no refinements (zod cannot omit fields from a refined object); the full
  // schema, refinements included, runs on every call.
  const offered = z.object(offeredShape);
  const extraKeys = Object.keys(spec.extra ?? {});
  const inputSchema = z.toJSONSchema(offered, { io: 'input', unrepresentable: 'any' }) as ToolListing['inputSchema'];
  delete (inputSchema as Record<string, unknown>).$schema;

  return {
    name: spec.name,
    listing: {
      name: spec.name,
      title: spec.title,
      description: spec.description,
      inputSchema,
      annotations: { title: spec.title, readOnlyHint: spec.readOnly ?? false, openWorldHint: false },
    },
    async call(args, call) {
      try {
        const given = args ?? {};
        const unknown = Object.keys(given).filter((k) => !(k in offeredShape));
        if (unknown.length) {
          throw new BatonError(
            'INVALID_INPUT',
            `Invalid ${spec.what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${Object.keys(offeredShape).join(', ')}.`,
          );
        }
        const extra: Record<string, unknown> = {};
        const base: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(given)) (extraKeys.includes(key) ? extra : base)[key] = value;
        if (extraKeys.length) Object.assign(extra, parseInput(z.object(spec.extra!), extra, spec.what));
        for (const [key, fill] of Object.entries(spec.fill ?? {})) base[key] = (fill as (c: ToolCall) => unknown)(call);
        const input = parseInput(spec.schema, base, spec.what);
        return toResult(await spec.run(input, call, extra));
      } catch (err) {
        return errorResult(err);
      }
    },
  };
}

function toResult(answer: ToolAnswer): CallToolResult {
  const text = answer.data === undefined ? answer.summary : `${answer.summary}\n${JSON.stringify(answer.data, null, 2)}`;
  const structured = answer.data !== null && typeof answer.data === 'object' && !Array.isArray(answer.data) ? (answer.data as Record<string, unknown>) : undefined;
  return { content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}) };
}

/** A BatonError as a tool error: the same code and message the CLI prints, for the model to act on. */
export function errorResult(err: unknown): CallToolResult {
  const error = toBatonError(err);
  return {
    isError: true,
    content: [{ type: 'text', text: `[${error.code}] ${error.message}` }],
    structuredContent: { error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } },
  };
}
