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
import { isObject, nonEmptyString, optionalBoolean, optionalStrings } from '../plain-json';
import { EMPTY_OUTPUT, jsonLine, type HookEvent, type HookProtocol, type ParsedEvent } from '../protocol';

/** The file-editing tools; both name their file in tool_input.file_path. */
export const EDIT_TOOLS = ['write_file', 'replace'];

export const GEMINI_EVENTS = {
  'pre-tool': { agentEvent: 'BeforeTool', matcher: EDIT_TOOLS.join('|') },
  'post-tool': { agentEvent: 'AfterTool', matcher: '*' },
  prompt: { agentEvent: 'BeforeAgent', matcher: undefined },
  stop: { agentEvent: 'AfterAgent', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

const COMMON = ['session_id', 'transcript_path', 'cwd', 'timestamp'] as const;

/**
 * The documented input read without zod (see ../plain-json.ts); undefined for anything else, which the
 * schemas in gemini-input.ts then decide on.
 */
export function readGemini(event: HookEvent, input: unknown): ParsedEvent | undefined {
  if (!isObject(input) || !optionalStrings(input, COMMON)) return undefined;
  const cwd = input.cwd as string | undefined;
  const toolCall = (name: string) => input.hook_event_name === name && typeof input.tool_name === 'string' && isObject(input.tool_input);
  switch (event) {
    case 'pre-tool': {
      if (!toolCall('BeforeTool')) return undefined;
      const tool = input.tool_name as string;
      if (!EDIT_TOOLS.includes(tool)) return { event: 'before-tool', tool, cwd };
      const file = (input.tool_input as Record<string, unknown>).file_path;
      return nonEmptyString(file) ? { event: 'before-edit', tool, touched: [file], cwd } : undefined;
    }
    case 'post-tool':
      return toolCall('AfterTool') ? { event: 'after-tool', tool: input.tool_name as string, cwd } : undefined;
    case 'prompt':
      return input.hook_event_name === 'BeforeAgent' && optionalStrings(input, ['prompt']) ? { event: 'prompt', cwd } : undefined;
    case 'stop':
      return input.hook_event_name === 'AfterAgent' && optionalBoolean(input.stop_hook_active) ? { event: 'stop', continued: input.stop_hook_active === true, cwd } : undefined;
    default:
      return undefined;
  }
}

function parse(event: HookEvent, input: unknown): ParsedEvent {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- zod only for inputs the fast reader does not recognise */
  return readGemini(event, input) ?? (require('./gemini-input') as typeof import('./gemini-input')).parseGeminiInput(event, input);
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
