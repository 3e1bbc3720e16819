/**
 * OpenAI Codex CLI's command-hook protocol. Sources: the hooks guide,
 * https://developers.openai.com/codex/hooks, and Codex's own code and generated schemas in openai/codex:
 * codex-rs/hooks/schema/generated/*.command.{input,output}.schema.json, codex-rs/hooks/src/engine/
 * output_parser.rs (how answers are read), codex-rs/hooks/src/events/pre_tool_use.rs, and the apply_patch
 * handler's `pre_tool_use_payload` (codex-rs/core/src/tools/handlers/apply_patch.rs).
 *
 * - Input: JSON on stdin with session_id, turn_id, transcript_path, cwd, hook_event_name, model and
 *   permission_mode, plus tool_name / tool_input / tool_use_id for PreToolUse and PostToolUse (which adds
 *   tool_response), prompt for UserPromptSubmit, stop_hook_active and last_assistant_message for Stop.
 * - File edits are the `apply_patch` tool: tool_name "apply_patch", tool_input `{ "command": <the patch> }`
 *   (whichever of its two wire forms the model used); the touched files are in the patch headers
 *   (apply-patch.ts). Matchers also accept the aliases "Write" and "Edit" for it.
 * - Answers follow Claude Code's shape: PreToolUse deny is `hookSpecificOutput.permissionDecision: "deny"`
 *   with a non-empty `permissionDecisionReason`; `additionalContext` is read for PreToolUse (since
 *   openai/codex#20692), PostToolUse and UserPromptSubmit; Stop continues on `decision: "block"` with a
 *   non-empty `reason`. Codex rejects `permissionDecision: "allow"` without `updatedInput`, and
 *   `suppressOutput` or `continue: false` on PreToolUse, so Baton never sends them.
 * - Exit 2 with stderr blocks too; any other non-zero exit is a failed hook and the call goes on. Baton
 *   answers with exit 0 and JSON.
 */
import { z } from 'zod';
import { patchedPaths } from '../apply-patch';
import { EMPTY_OUTPUT, HookInputError, jsonLine, parseInput, type HookEvent, type HookProtocol, type ParsedEvent } from '../protocol';
import { formatClaudeStyle } from './claude-code';

const Common = z.looseObject({
  session_id: z.string().optional(),
  turn_id: z.string().optional(),
  transcript_path: z.string().nullable().optional(),
  cwd: z.string().optional(),
  model: z.string().optional(),
  permission_mode: z.string().optional(),
});

const ToolCall = Common.extend({ tool_name: z.string(), tool_input: z.unknown(), tool_use_id: z.string().optional() });

export const PreToolUseInput = ToolCall.extend({ hook_event_name: z.literal('PreToolUse') });
export const PostToolUseInput = ToolCall.extend({ hook_event_name: z.literal('PostToolUse'), tool_response: z.unknown().optional() });
export const UserPromptSubmitInput = Common.extend({ hook_event_name: z.literal('UserPromptSubmit'), prompt: z.string().optional() });
export const StopInput = Common.extend({ hook_event_name: z.literal('Stop'), stop_hook_active: z.boolean().optional(), last_assistant_message: z.string().nullable().optional() });

const ApplyPatchInput = z.looseObject({ command: z.string().min(1, 'must hold the patch') });

export const CODEX_EVENTS = {
  'pre-tool': { agentEvent: 'PreToolUse', matcher: 'apply_patch' },
  'post-tool': { agentEvent: 'PostToolUse', matcher: undefined },
  prompt: { agentEvent: 'UserPromptSubmit', matcher: undefined },
  stop: { agentEvent: 'Stop', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

function parse(event: HookEvent, input: unknown): ParsedEvent {
  switch (event) {
    case 'pre-tool': {
      const call = parseInput(PreToolUseInput, input, 'PreToolUse input');
      if (call.tool_name !== 'apply_patch') return { event: 'before-tool', tool: call.tool_name, cwd: call.cwd };
      const touched = patchedPaths(parseInput(ApplyPatchInput, call.tool_input, 'apply_patch tool_input').command);
      if (touched.length === 0) throw new HookInputError('apply_patch tool_input.command names no file (no "*** Add File:", "*** Update File:", "*** Delete File:" or "*** Move to:" header)');
      return { event: 'before-edit', tool: call.tool_name, touched, cwd: call.cwd };
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

export const codex: HookProtocol = {
  program: 'codex',
  parse,
  format(event, answer) {
    // Unlike Claude Code, Codex reads additionalContext on a PreToolUse that goes ahead.
    if (event === 'pre-tool' && answer.kind === 'allow' && answer.context) {
      return {
        ...EMPTY_OUTPUT,
        stdout: jsonLine({
          hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: answer.context },
          ...(answer.notice ? { systemMessage: answer.notice } : {}),
        }),
      };
    }
    return formatClaudeStyle((e) => CODEX_EVENTS[e].agentEvent, event, answer);
  },
};
