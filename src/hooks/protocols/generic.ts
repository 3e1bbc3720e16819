/**
 * Baton's own hook protocol, for any agent or script that can run a command around its edits (Cursor,
 * Aider wrappers, editor plugins, CI bots). Designed after the agents' protocols above, without their
 * per-tool inputs: the caller names the paths itself.
 *
 * Input (JSON on stdin; every field optional except as noted):
 *   { "event": "pre-tool" | "post-tool" | "prompt" | "stop",   // or given as `baton hooks run generic <event>`
 *     "tool": "edit",                 // free text, for the record
 *     "paths": ["src/a.ts", "/abs/repo/src/b.ts"],   // pre-tool: the files about to change; absolute or relative to cwd
 *     "cwd": "/abs/repo",             // default: the hook process's working directory
 *     "stopHookActive": false }       // stop: true when a previous stop answer already kept the caller going
 *
 * Output: one JSON line on stdout, always,
 *   { "decision": "allow" | "deny", "reason"?: string, "context"?: string, "notice"?: string }
 * - decision "deny" only before an edit: do not make it; `reason` says why and what to do (show it to the agent).
 * - context: text for the agent (mail, handoffs, leases about to expire); notice: text for the person.
 * Exit code: 0 allow, 2 deny (the agents' convention, so a wrapper may look at either).
 * A pre-tool call without paths edits nothing and is allowed unchecked.
 */
import { isObject, nonEmptyString, optionalBoolean, optionalStrings } from '../plain-json';
import { HOOK_EVENTS, HookInputError, jsonLine, type HookEvent, type HookProtocol, type ParsedEvent } from '../protocol';
import type { GenericInput, GenericOutput } from './generic-input';

/**
 * The input read without zod (see ../plain-json.ts); undefined for anything else, which the schema in
 * generic-input.ts then decides on.
 */
export function readGeneric(input: unknown): GenericInput | undefined {
  if (!isObject(input) || !optionalStrings(input, ['tool', 'cwd']) || !optionalBoolean(input.stopHookActive)) return undefined;
  if (input.event !== undefined && !(HOOK_EVENTS as readonly unknown[]).includes(input.event)) return undefined;
  if (input.paths !== undefined && !(Array.isArray(input.paths) && input.paths.every(nonEmptyString))) return undefined;
  const out: GenericInput = {};
  for (const key of ['event', 'tool', 'paths', 'cwd', 'stopHookActive'] as const) if (input[key] !== undefined) (out as Record<string, unknown>)[key] = input[key];
  return out;
}

function read(input: unknown): GenericInput {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- zod only for inputs the fast reader does not recognise */
  return readGeneric(input) ?? (require('./generic-input') as typeof import('./generic-input')).parseGenericInput(input);
}

/** The event a generic call is about: the input's own, else the command line's; both must agree when both are given. */
export function genericEvent(commandLine: HookEvent | undefined, input: unknown): HookEvent {
  const own = read(input).event;
  if (own && commandLine && own !== commandLine) throw new HookInputError(`the input says event "${own}" but the command says "${commandLine}"`);
  const event = own ?? commandLine;
  if (!event) throw new HookInputError(`say which event this is: "event" in the input, or \`baton hooks run generic <${HOOK_EVENTS.join('|')}>\``);
  return event;
}

function parse(event: HookEvent, input: unknown): ParsedEvent {
  const call = read(input);
  const tool = call.tool ?? 'edit';
  switch (event) {
    case 'pre-tool':
      return call.paths?.length ? { event: 'before-edit', tool, touched: call.paths, cwd: call.cwd } : { event: 'before-tool', tool, cwd: call.cwd };
    case 'post-tool':
      return { event: 'after-tool', tool, cwd: call.cwd };
    case 'prompt':
      return { event: 'prompt', cwd: call.cwd };
    case 'stop':
      return { event: 'stop', continued: call.stopHookActive === true, cwd: call.cwd };
    default:
      throw new HookInputError(`unknown event ${String(event)}`);
  }
}

export const generic: HookProtocol = {
  program: 'generic',
  parse,
  format(_event, answer) {
    const out: GenericOutput =
      answer.kind === 'deny'
        ? { decision: 'deny', reason: answer.reason }
        : { decision: 'allow', ...(answer.context ? { context: answer.context } : {}), ...(answer.notice ? { notice: answer.notice } : {}) };
    return { stdout: jsonLine(out), stderr: '', exitCode: answer.kind === 'deny' ? 2 : 0 };
  },
};
