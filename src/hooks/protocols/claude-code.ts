/**
 * Claude Code's command-hook protocol. Source for every rule below: the hooks reference,
 * https://code.claude.com/docs/en/hooks (sections "Common input fields", "PreToolUse", "PostToolUse",
 * "UserPromptSubmit", "Stop", "Exit code output", "JSON output", "PreToolUse decision control").
 *
 * - Input: one JSON object on stdin with session_id, transcript_path, cwd, permission_mode and
 *   hook_event_name, plus per event: tool_name / tool_input / tool_use_id (PreToolUse, PostToolUse, which
 *   adds tool_response), prompt (UserPromptSubmit), stop_hook_active (Stop). File paths in tool_input are
 *   absolute: Write and Edit (and MultiEdit) carry `file_path`, NotebookEdit carries `notebook_path`.
 * - Exit 0: stdout is parsed as JSON. Exit 2: a blocking error, stderr goes to Claude (and stdout is
 *   ignored). Any other code: a non-blocking error shown to the user; the call goes on. Baton always
 *   answers with exit 0 and JSON, so a crash in Baton (exit 1) never blocks anyone.
 * - PreToolUse deny: `hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny",
 *   permissionDecisionReason }`; the reason is shown to Claude. Baton never answers "allow": that would
 *   skip the person's permission prompt, and a reservation check is no reason to approve an edit.
 * - PostToolUse and UserPromptSubmit: `hookSpecificOutput.additionalContext` is added to Claude's context.
 * - Stop: `decision: "block"` with `reason` keeps Claude going, with the reason as its instruction;
 *   `stop_hook_active` is true when a stop hook already did so in this turn.
 * - `systemMessage` (any event) is shown to the user, not to Claude.
 */
import { isObject, nonEmptyString, optionalBoolean, optionalStrings } from '../plain-json';
import { EMPTY_OUTPUT, jsonLine, type HookAnswer, type HookEvent, type HookOutput, type HookProtocol, type ParsedEvent } from '../protocol';

/** The editing tools and the field of tool_input that names their file (tools reference: Write, Edit, MultiEdit, NotebookEdit). */
export const EDIT_TOOLS: Readonly<Record<string, 'file_path' | 'notebook_path'>> = { Write: 'file_path', Edit: 'file_path', MultiEdit: 'file_path', NotebookEdit: 'notebook_path' };

/** The field naming the file a tool edits, or undefined for a tool that edits none (own keys only: "constructor" is no tool). */
export const editField = (tool: string) => (Object.hasOwn(EDIT_TOOLS, tool) ? EDIT_TOOLS[tool] : undefined);

/** The hooks `baton hooks install claude-code` writes: agent event, matcher, Baton event. */
export const CLAUDE_CODE_EVENTS = {
  'pre-tool': { agentEvent: 'PreToolUse', matcher: Object.keys(EDIT_TOOLS).join('|') },
  'post-tool': { agentEvent: 'PostToolUse', matcher: '*' },
  prompt: { agentEvent: 'UserPromptSubmit', matcher: undefined },
  stop: { agentEvent: 'Stop', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

const COMMON = ['session_id', 'transcript_path', 'cwd', 'permission_mode'] as const;

/**
 * The documented input read without zod (see ../plain-json.ts); undefined for anything else, which the
 * schemas in claude-code-input.ts then decide on.
 */
export function readClaudeCode(event: HookEvent, input: unknown): ParsedEvent | undefined {
  if (!isObject(input) || !optionalStrings(input, COMMON)) return undefined;
  const cwd = input.cwd as string | undefined;
  switch (event) {
    case 'pre-tool': {
      if (input.hook_event_name !== 'PreToolUse' || typeof input.tool_name !== 'string' || !isObject(input.tool_input) || !optionalStrings(input, ['tool_use_id'])) return undefined;
      const field = editField(input.tool_name);
      if (!field) return { event: 'before-tool', tool: input.tool_name, cwd };
      const file = input.tool_input[field];
      return nonEmptyString(file) ? { event: 'before-edit', tool: input.tool_name, touched: [file], cwd } : undefined;
    }
    case 'post-tool':
      if (input.hook_event_name !== 'PostToolUse' || typeof input.tool_name !== 'string' || !isObject(input.tool_input) || !optionalStrings(input, ['tool_use_id'])) return undefined;
      return { event: 'after-tool', tool: input.tool_name, cwd };
    case 'prompt':
      return input.hook_event_name === 'UserPromptSubmit' && optionalStrings(input, ['prompt']) ? { event: 'prompt', cwd } : undefined;
    case 'stop':
      return input.hook_event_name === 'Stop' && optionalBoolean(input.stop_hook_active) ? { event: 'stop', continued: input.stop_hook_active === true, cwd } : undefined;
    default:
      return undefined;
  }
}

function parse(event: HookEvent, input: unknown): ParsedEvent {
  const read = readClaudeCode(event, input);
  if (read) return read;
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- zod only for inputs the fast reader does not recognise */
  return (require('./claude-code-input') as typeof import('./claude-code-input')).parseClaudeCodeInput(event, input);
}

/**
 * Claude Code's answer for `answer` at `event`. Context that Claude Code has no field for at that event (a
 * PreToolUse that goes ahead) goes to the person as a systemMessage instead.
 */
export function formatClaudeStyle(agentEvent: (event: HookEvent) => string, event: HookEvent, answer: HookAnswer): HookOutput {
  if (answer.kind === 'deny') {
    return { ...EMPTY_OUTPUT, stdout: jsonLine({ hookSpecificOutput: { hookEventName: agentEvent(event), permissionDecision: 'deny', permissionDecisionReason: answer.reason } }) };
  }
  const { context, notice } = answer;
  if (!context && !notice) return EMPTY_OUTPUT;
  const systemMessage = notice ? { systemMessage: notice } : {};
  if (event === 'stop') {
    return { ...EMPTY_OUTPUT, stdout: jsonLine(context ? { decision: 'block', reason: context, ...systemMessage } : systemMessage) };
  }
  if (event === 'pre-tool') {
    return { ...EMPTY_OUTPUT, stdout: jsonLine({ systemMessage: [notice, context].filter(Boolean).join('\n') }) };
  }
  const hookSpecificOutput = context ? { hookSpecificOutput: { hookEventName: agentEvent(event), additionalContext: context } } : {};
  return { ...EMPTY_OUTPUT, stdout: jsonLine({ ...hookSpecificOutput, ...systemMessage }) };
}

export const claudeCode: HookProtocol = {
  program: 'claude-code',
  parse,
  format: (event, answer) => formatClaudeStyle((e) => CLAUDE_CODE_EVENTS[e].agentEvent, event, answer),
};
