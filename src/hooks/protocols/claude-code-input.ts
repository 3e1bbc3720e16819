/**
 * Claude Code's hook input as zod schemas (the documented fields; see claude-code.ts for the sources).
 * Loaded only when the fast reader in claude-code.ts does not recognise an input: these decide whether
 * it is acceptable and, when it is not, say which field is wrong.
 */
import { z } from 'zod';
import { HookInputError, parseInput, type HookEvent, type ParsedEvent } from '../protocol';
import { editField } from './claude-code';

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

/** tool_input of an editing tool: the field that names its file (file_path, or notebook_path for NotebookEdit). */
const pathField = (field: string) => z.looseObject({ [field]: z.string().min(1) });

export function parseClaudeCodeInput(event: HookEvent, input: unknown): ParsedEvent {
  switch (event) {
    case 'pre-tool': {
      const call = parseInput(PreToolUseInput, input, 'PreToolUse input');
      const field = editField(call.tool_name);
      if (!field) return { event: 'before-tool', tool: call.tool_name, cwd: call.cwd };
      const file = parseInput(pathField(field), call.tool_input, `${call.tool_name} tool_input`)[field] as string;
      return { event: 'before-edit', tool: call.tool_name, touched: [file], cwd: call.cwd };
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
