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
import { z } from 'zod';
import { EMPTY_OUTPUT, HookInputError, jsonLine, parseInput, type HookAnswer, type HookEvent, type HookOutput, type HookProtocol, type ParsedEvent } from '../protocol';

const Common = z.looseObject({
  session_id: z.string().optional(),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
  permission_mode: z.string().optional(),
});

const ToolCall = Common.extend({
  tool_name: z.string(),
  tool_input: z.record(z.string(), z.unknown()),
  tool_use_id: z.string().optional(),
});

export const PreToolUseInput = ToolCall.extend({ hook_event_name: z.literal('PreToolUse') });
export const PostToolUseInput = ToolCall.extend({ hook_event_name: z.literal('PostToolUse'), tool_response: z.unknown().optional() });
export const UserPromptSubmitInput = Common.extend({ hook_event_name: z.literal('UserPromptSubmit'), prompt: z.string().optional() });
export const StopInput = Common.extend({ hook_event_name: z.literal('Stop'), stop_hook_active: z.boolean().optional() });

/** The editing tools and the field that names their file (tools reference: Write, Edit, MultiEdit, NotebookEdit). */
const FilePath = z.looseObject({ file_path: z.string().min(1) });
const NotebookPath = z.looseObject({ notebook_path: z.string().min(1) });
const EDIT_TOOLS: Record<string, (input: unknown) => string> = {
  Write: (input) => parseInput(FilePath, input, 'Write tool_input').file_path,
  Edit: (input) => parseInput(FilePath, input, 'Edit tool_input').file_path,
  MultiEdit: (input) => parseInput(FilePath, input, 'MultiEdit tool_input').file_path,
  NotebookEdit: (input) => parseInput(NotebookPath, input, 'NotebookEdit tool_input').notebook_path,
};

/** The hooks `baton hooks install claude-code` writes: agent event, matcher, Baton event. */
export const CLAUDE_CODE_EVENTS = {
  'pre-tool': { agentEvent: 'PreToolUse', matcher: Object.keys(EDIT_TOOLS).join('|') },
  'post-tool': { agentEvent: 'PostToolUse', matcher: '*' },
  prompt: { agentEvent: 'UserPromptSubmit', matcher: undefined },
  stop: { agentEvent: 'Stop', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

function parse(event: HookEvent, input: unknown): ParsedEvent {
  switch (event) {
    case 'pre-tool': {
      const call = parseInput(PreToolUseInput, input, 'PreToolUse input');
      const pathOf = EDIT_TOOLS[call.tool_name];
      if (!pathOf) return { event: 'before-tool', tool: call.tool_name, cwd: call.cwd };
      return { event: 'before-edit', tool: call.tool_name, touched: [pathOf(call.tool_input)], cwd: call.cwd };
    }
    case 'post-tool': {
      const call = parseInput(PostToolUseInput, input, 'PostToolUse input');
      return { event: 'after-tool', tool: call.tool_name, cwd: call.cwd };
    }
    case 'prompt':
      return { event: 'prompt', cwd: parseInput(UserPromptSubmitInput, input, 'UserPromptSubmit input').cwd };
    case 'stop': {
      const stop = parseInput(StopInput, input, 'Stop input');
      return { event: 'stop', continued: stop.stop_hook_active === true, cwd: stop.cwd };
    }
    default:
      throw new HookInputError(`unknown event ${String(event)}`);
  }
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
