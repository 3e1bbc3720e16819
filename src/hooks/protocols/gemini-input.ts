/**
 * Gemini CLI's hook input as zod schemas (the documented fields; see gemini.ts for the sources). Loaded
 * only when the fast reader in gemini.ts does not recognise an input: these decide whether it is
 * acceptable and, when it is not, say which field is wrong.
 */
import { z } from 'zod';
import { HookInputError, parseInput, type HookEvent, type ParsedEvent } from '../protocol';
import { EDIT_TOOLS } from './gemini';

const Common = z.looseObject({
  session_id: z.string().optional(),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
  timestamp: z.string().optional(),
});

const ToolCall = Common.extend({ tool_name: z.string(), tool_input: z.record(z.string(), z.unknown()), mcp_context: z.unknown().optional() });

export const BeforeToolInput = ToolCall.extend({ hook_event_name: z.literal('BeforeTool') });
export const AfterToolInput = ToolCall.extend({ hook_event_name: z.literal('AfterTool'), tool_response: z.unknown().optional() });
export const BeforeAgentInput = Common.extend({ hook_event_name: z.literal('BeforeAgent'), prompt: z.string().optional() });
export const AfterAgentInput = Common.extend({ hook_event_name: z.literal('AfterAgent'), stop_hook_active: z.boolean().optional() });

const FilePath = z.looseObject({ file_path: z.string().min(1) });

export function parseGeminiInput(event: HookEvent, input: unknown): ParsedEvent {
  switch (event) {
    case 'pre-tool': {
      const call = parseInput(BeforeToolInput, input, 'BeforeTool input');
      if (!EDIT_TOOLS.includes(call.tool_name)) return { event: 'before-tool', tool: call.tool_name, cwd: call.cwd };
      const file = parseInput(FilePath, call.tool_input, `${call.tool_name} tool_input`).file_path;
      return { event: 'before-edit', tool: call.tool_name, touched: [file], cwd: call.cwd };
    }
    case 'post-tool': {
      const call = parseInput(AfterToolInput, input, 'AfterTool input');
      return { event: 'after-tool', tool: call.tool_name, cwd: call.cwd };
    }
    case 'prompt':
      return { event: 'prompt', cwd: parseInput(BeforeAgentInput, input, 'BeforeAgent input').cwd };
    case 'stop': {
      const stop = parseInput(AfterAgentInput, input, 'AfterAgent input');
      return { event: 'stop', continued: stop.stop_hook_active === true, cwd: stop.cwd };
    }
    default:
      throw new HookInputError(`unknown event ${String(event)}`);
  }
}
