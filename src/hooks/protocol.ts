/**
 * The contract every agent protocol module fulfils: read the agent's hook input (JSON on stdin) into one
 * agent-neutral event, and write Baton's answer back in the agent's own words (stdout, stderr, exit code).
 * The runner (run.ts) decides; the protocol modules (protocols/*.ts) only translate.
 */
import type { z } from 'zod';

/** The agents Baton installs hooks for; `generic` is Baton's own protocol for everything else. */
export const PROGRAMS = ['claude-code', 'codex', 'gemini', 'generic'] as const;
export type Program = (typeof PROGRAMS)[number];

/**
 * The events as the installed commands name them (`baton hooks run <program> <event>`), one vocabulary for
 * every agent: before a tool call, after it, when the person submits a prompt, when the agent stops.
 */
export const HOOK_EVENTS = ['pre-tool', 'post-tool', 'prompt', 'stop'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/**
 * What the agent is doing, whatever the agent. `touched` are the paths as the agent gave them (absolute,
 * or relative to `cwd`); the runner turns them into repo-relative paths (touched-paths.ts).
 * - before-edit: a file-editing tool is about to run (Edit, Write, apply_patch, write_file ...);
 * - before-tool: any other tool is about to run (passed through, never checked);
 * - after-tool, prompt: a moment to show the agent what needs its attention;
 * - stop: the agent is about to end its turn; `continued` is true when a stop hook already kept it going
 *   once in this turn (the runner then lets it stop, so no agent loops on Baton).
 */
export type ParsedEvent =
  | { event: 'before-edit'; tool: string; touched: string[]; cwd: string | undefined }
  | { event: 'before-tool'; tool: string; cwd: string | undefined }
  | { event: 'after-tool'; tool: string; cwd: string | undefined }
  | { event: 'prompt'; cwd: string | undefined }
  | { event: 'stop'; continued: boolean; cwd: string | undefined };

/**
 * Baton's answer, before translation:
 * - allow: let the call (or the stop) go; `context` is shown to the agent, `notice` to the person;
 * - deny: refuse the tool call, telling the agent `reason` (only for before-edit).
 * At a stop, context can only reach the agent by keeping it going one more turn; each protocol says how.
 */
export type HookAnswer = { kind: 'allow'; context?: string; notice?: string } | { kind: 'deny'; reason: string };

/** Exactly what the hook process prints and how it exits. */
export interface HookOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The agent's input was not what its documented protocol promises (or was meant for another event). */
export class HookInputError extends Error {
  override readonly name = 'HookInputError';
}

/** One agent's hook protocol: its input schemas and its answer format. */
export interface HookProtocol {
  program: Program;
  /** Throws HookInputError when the input does not match the documented schema for this event. */
  parse(event: HookEvent, input: unknown): ParsedEvent;
  format(event: HookEvent, answer: HookAnswer): HookOutput;
}

/** Reads a zod result into a HookInputError that says which field was wrong. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the input';
  throw new HookInputError(`${what}: ${where} ${issue.message}`);
}

/** Compact JSON plus the newline agents expect at the end of a hook's output. */
export const jsonLine = (value: unknown): string => JSON.stringify(value) + '\n';

export const EMPTY_OUTPUT: HookOutput = { stdout: '', stderr: '', exitCode: 0 };
