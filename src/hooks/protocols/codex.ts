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
import { patchedPaths } from '../apply-patch';
import { isObject, nonEmptyString, optionalBoolean, optionalStrings } from '../plain-json';
import { EMPTY_OUTPUT, jsonLine, type HookEvent, type HookProtocol, type ParsedEvent } from '../protocol';
import { formatClaudeStyle } from './claude-code';

export const CODEX_EVENTS = {
  'pre-tool': { agentEvent: 'PreToolUse', matcher: 'apply_patch' },
  'post-tool': { agentEvent: 'PostToolUse', matcher: undefined },
  prompt: { agentEvent: 'UserPromptSubmit', matcher: undefined },
  stop: { agentEvent: 'Stop', matcher: undefined },
} as const satisfies Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;

const COMMON = ['session_id', 'turn_id', 'cwd', 'model', 'permission_mode'] as const;

/**
 * The documented input read without zod (see ../plain-json.ts); undefined for anything else, which the
 * schemas in codex-input.ts then decide on.
 */
export function readCodex(event: HookEvent, input: unknown): ParsedEvent | undefined {
  if (!isObject(input) || !optionalStrings(input, COMMON, ['transcript_path'])) return undefined;
  const cwd = input.cwd as string | undefined;
  const toolCall = (name: string) => input.hook_event_name === name && typeof input.tool_name === 'string' && 'tool_input' in input && optionalStrings(input, ['tool_use_id']);
  switch (event) {
    case 'pre-tool': {
      if (!toolCall('PreToolUse')) return undefined;
      const tool = input.tool_name as string;
      if (tool !== 'apply_patch') return { event: 'before-tool', tool, cwd };
      const patch = isObject(input.tool_input) ? input.tool_input.command : undefined;
      const touched = nonEmptyString(patch) ? patchedPaths(patch) : [];
      return touched.length ? { event: 'before-edit', tool, touched, cwd } : undefined;
    }
    case 'post-tool':
      return toolCall('PostToolUse') ? { event: 'after-tool', tool: input.tool_name as string, cwd } : undefined;
    case 'prompt':
      return input.hook_event_name === 'UserPromptSubmit' && optionalStrings(input, ['prompt']) ? { event: 'prompt', cwd } : undefined;
    case 'stop':
      return input.hook_event_name === 'Stop' && optionalBoolean(input.stop_hook_active) && optionalStrings(input, [], ['last_assistant_message'])
        ? { event: 'stop', continued: input.stop_hook_active === true, cwd }
        : undefined;
    default:
      return undefined;
  }
}

function parse(event: HookEvent, input: unknown): ParsedEvent {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- zod only for inputs the fast reader does not recognise */
  return readCodex(event, input) ?? (require('./codex-input') as typeof import('./codex-input')).parseCodexInput(event, input);
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
