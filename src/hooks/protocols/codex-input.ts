/**
 * Codex's hook input as zod schemas (the documented fields; see codex.ts for the sources). Loaded only
 * when the fast reader in codex.ts does not recognise an input: these decide whether it is acceptable
 * and, when it is not, say which field is wrong.
 */
import { z } from 'zod';
import { patchedPaths } from '../apply-patch';
import { HookInputError, parseInput, type HookEvent, type ParsedEvent } from '../protocol';

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

export function parseCodexInput(event: HookEvent, input: unknown): ParsedEvent {
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
