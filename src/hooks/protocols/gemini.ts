/**
 * Gemini CLI's command-hook protocol. Sources: google-gemini/gemini-cli docs/hooks/reference.md ("Global
 * hook mechanics", "Tool hooks", "Agent hooks") and docs/hooks/index.md ("Matchers", "Event-specific
 * fields", "Tool name mapping"), published at https://geminicli.com/docs/hooks/.
 *
 * - Input: JSON on stdin with session_id, transcript_path, cwd, hook_event_name and timestamp, plus
 *   tool_name / tool_input (BeforeTool, AfterTool, which adds tool_response), prompt (BeforeAgent), prompt,
 *   prompt_response and stop_hook_active (AfterAgent).
 * - The file-editing tools are `write_file` and `replace`; both name their file in `tool_input.file_path`.
 * - Exit 0: stdout is parsed as JSON and must hold nothing but that JSON ("Silence is Mandatory"). Exit
 *   2: blocks, with stderr as the reason. Other codes: a warning; the CLI goes on.
 * - BeforeTool: `decision: "deny"` (alias "block") with `reason` prevents the tool; the reason is sent to
 *   the agent as the tool's error and the turn goes on.
 * - AfterTool and BeforeAgent: `hookSpecificOutput.additionalContext` is appended for the agent.
 * - AfterAgent (the stop): `decision: "deny"` rejects the final response and sends `reason` to the agent
 *   as a new prompt; `stop_hook_active` says this is already such a retry.
 * - `systemMessage` is shown to the user.
 */
import { z } from 'zod';
import { EMPTY_OUTPUT, HookInputError, jsonLine, parseInput, type HookEvent, type HookProtocol, type ParsedEvent } from '../protocol';

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
const EDIT_TOOLS = ['write_file', 'replace'];

export const GEMINI_EVENTS = {
  'pre-tool': { agentEvent: 'BeforeTool', matcher: EDIT_TOOLS.join('|') },
  'post-tool': { agentEvent: 'AfterTool', matcher: '*' },
  prompt: { agentEvent: 'BeforeAgent', matcher: undefined },
  stop: { agentEvent: 'AfterAgent', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

function parse(event: HookEvent, input: unknown): ParsedEvent {
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

export const gemini: HookProtocol = {
  program: 'gemini',
  parse,
  format(event, answer) {
    if (answer.kind === 'deny') return { ...EMPTY_OUTPUT, stdout: jsonLine({ decision: 'deny', reason: answer.reason }) };
    const systemMessage = answer.notice ? { systemMessage: answer.notice } : {};
    const { context } = answer;
    if (context && event === 'stop') return { ...EMPTY_OUTPUT, stdout: jsonLine({ decision: 'deny', reason: context, ...systemMessage }) };
    if (context && event === 'pre-tool') return { ...EMPTY_OUTPUT, stdout: jsonLine({ systemMessage: [answer.notice, context].filter(Boolean).join('\n') }) };
    if (context) return { ...EMPTY_OUTPUT, stdout: jsonLine({ hookSpecificOutput: { hookEventName: GEMINI_EVENTS[event].agentEvent, additionalContext: context }, ...systemMessage }) };
    // stdout is parsed as JSON on exit 0: an empty object says "nothing to add" (the writing-hooks guide's own example).
    return { ...EMPTY_OUTPUT, stdout: jsonLine(systemMessage) };
  },
};
