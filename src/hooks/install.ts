/**
 * `baton hooks install|uninstall|status`: Baton's entries in an agent's own hook settings, in the
 * repository. Install merges into what is there (other hooks and settings keep their place, comments and
 * formatting), is idempotent (a second install writes nothing), and replaces Baton's entries when they
 * were altered; uninstall removes exactly Baton's entries, and the lists and objects that held nothing
 * else (a list that was there but empty before install goes too: an absent list means the same);
 * status says what is installed, what was altered, and what would stop the agent from running it.
 *
 * Baton's entries are recognised by their command, `... baton hooks run <program> <event> [--auto-reserve]`,
 * so no marker field is needed (Codex refuses unknown keys at the root of hooks.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BatonError } from '../domain/errors';
import { HOOK_EVENTS, type HookEvent, type Program } from './protocol';
import { INSTALL_TARGETS, type InstallTarget, type InstallableProgram } from './install-targets';
import { insert, readJsonc, remove, valueAt } from './jsonc-document';

export type EntryState = 'installed' | 'altered' | 'missing';

export interface EntryStatus {
  event: HookEvent;
  /** The agent's name for the event (PreToolUse, BeforeTool ...). */
  agentEvent: string;
  state: EntryState;
  /** The installed command, when there is one. */
  command?: string;
  autoReserve?: boolean;
  /** What differs from what install writes, for an altered entry. */
  detail?: string;
}

export interface HooksStatus {
  program: Program;
  /** The settings file (absolute); null for the generic protocol, which has none. */
  file: string | null;
  exists: boolean;
  entries: EntryStatus[];
  /** True when this call wrote (or deleted) the file. */
  changed: boolean;
  warnings: string[];
  notes: string[];
}

export interface InstallOptions {
  autoReserve?: boolean;
  /** How the agent starts Baton (default `baton`, found on PATH): e.g. `npx baton` or an absolute path. */
  command?: string;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_COMMAND = 'baton';

/** The generic protocol has no settings file: the agent's wrapper calls Baton itself. */
const GENERIC_NOTES = [
  'The generic protocol has no settings file to write: call Baton from your agent\'s or editor\'s own hook points.',
  'Before an edit:  echo \'{"paths":["src/a.ts"]}\' | baton hooks run generic pre-tool   (exit 2 and {"decision":"deny","reason":...} means do not edit)',
  'After a step:    echo \'{}\' | baton hooks run generic post-tool   ({"decision":"allow","context":...} is for the agent to read)',
  'Also: prompt, stop. Input {event?, tool?, paths?, cwd?, stopHookActive?}; output one JSON line {decision, reason?, context?, notice?}.',
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function commandFor(base: string, program: Program, event: HookEvent, autoReserve: boolean): string {
  return `${base} hooks run ${program} ${event}${autoReserve && event === 'pre-tool' ? ' --auto-reserve' : ''}`;
}

const COMMAND = /^(.*?\S)\s+hooks\s+run\s+(\S+)\s+(\S+)((?:\s+--\S+)*)\s*$/;

/** Reads a handler's command as Baton's: its base, program, event and flags; undefined for anyone else's. */
export function readBatonCommand(command: unknown): { base: string; program: string; event: HookEvent; autoReserve: boolean } | undefined {
  if (typeof command !== 'string') return undefined;
  const m = COMMAND.exec(command);
  if (!m || !/(^|[\s/\\])baton(\.cmd|\.js|\.exe)?$/.test(m[1]!)) return undefined;
  if (!(HOOK_EVENTS as readonly string[]).includes(m[3]!)) return undefined;
  return { base: m[1]!, program: m[2]!, event: m[3] as HookEvent, autoReserve: /(^|\s)--auto-reserve(\s|$)/.test(m[4]!) };
}

interface Found {
  agentEvent: string;
  groupIndex: number;
  handlerIndex: number;
  group: Record<string, unknown>;
  handler: Record<string, unknown>;
  command: NonNullable<ReturnType<typeof readBatonCommand>>;
}

/** Every Baton handler for `program`, wherever it sits under `hooks` (someone may have moved one). */
function findBatonHandlers(settings: Record<string, unknown>, program: Program): Found[] {
  const found: Found[] = [];
  if (!isObject(settings.hooks)) return found;
  for (const [agentEvent, groups] of Object.entries(settings.hooks)) {
    if (!Array.isArray(groups)) continue;
    groups.forEach((group, groupIndex) => {
      if (!isObject(group) || !Array.isArray(group.hooks)) return;
      group.hooks.forEach((handler, handlerIndex) => {
        if (!isObject(handler)) return;
        const command = readBatonCommand(handler.command);
        if (command?.program === program) found.push({ agentEvent, groupIndex, handlerIndex, group, handler, command });
      });
    });
  }
  return found;
}

function entryStatus(target: InstallTarget, found: Found[], event: HookEvent): EntryStatus {
  const { agentEvent, matcher } = target.events[event];
  const mine = found.filter((f) => f.command.event === event);
  if (mine.length === 0) return { event, agentEvent, state: 'missing' };
  const f = mine[0]!;
  const base = { event, agentEvent, command: f.handler.command as string, autoReserve: f.command.autoReserve };
  const differences: string[] = [];
  if (mine.length > 1) differences.push(`${mine.length} Baton entries for this event`);
  if (f.agentEvent !== agentEvent) differences.push(`it sits under "${f.agentEvent}"`);
  if (f.group.matcher !== matcher) differences.push(`matcher is ${JSON.stringify(f.group.matcher)}, not ${JSON.stringify(matcher)}`);
  const expected = target.handler(f.handler.command as string, event);
  for (const [key, value] of Object.entries(expected)) {
    if (JSON.stringify(f.handler[key]) !== JSON.stringify(value)) differences.push(`${key} is ${JSON.stringify(f.handler[key])}, not ${JSON.stringify(value)}`);
  }
  if (f.command.autoReserve && event !== 'pre-tool') differences.push('--auto-reserve only applies before an edit');
  return differences.length ? { ...base, state: 'altered', detail: differences.join('; ') } : { ...base, state: 'installed' };
}

/** Whether `command` can be found on PATH (only checked for a bare command name). */
function onPath(base: string, env: NodeJS.ProcessEnv): boolean | undefined {
  if (!/^[\w.-]+$/.test(base)) return undefined;
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && exts.some((ext) => fs.existsSync(path.join(dir, base + ext))));
}

function describe(target: InstallTarget, repoDir: string, env: NodeJS.ProcessEnv, changed: boolean): HooksStatus {
  const file = path.join(repoDir, target.file);
  const doc = readJsonc(file, target.file);
  const settings = doc.value as Record<string, unknown>;
  const found = findBatonHandlers(settings, target.program);
  const entries = HOOK_EVENTS.map((event) => entryStatus(target, found, event));
  const warnings = target.warnings(repoDir, settings);
  const altered = entries.filter((e) => e.state === 'altered');
  if (altered.length) warnings.push(`Baton's ${altered.map((e) => e.agentEvent).join(', ')} ${altered.length === 1 ? 'entry was' : 'entries were'} changed by hand or by another tool; \`baton hooks install ${target.program}\` restores ${altered.length === 1 ? 'it' : 'them'}.`);
  const bases = [...new Set(found.map((f) => f.command.base))];
  for (const base of bases) {
    if (onPath(base, env) === false) warnings.push(`\`${base}\` is not on PATH here: the agent cannot run Baton's hooks (and edits go ahead unchecked). Put Baton's bin/ on PATH, or install with --command <path to bin/baton>.`);
  }
  return { program: target.program, file, exists: doc.exists, entries, changed, warnings, notes: target.notes };
}

function targetOf(program: Program): InstallTarget | undefined {
  return program === 'generic' ? undefined : INSTALL_TARGETS[program as InstallableProgram];
}

function genericStatus(): HooksStatus {
  return { program: 'generic', file: null, exists: false, entries: [], changed: false, warnings: [], notes: GENERIC_NOTES };
}

/**
 * Text with every Baton handler for the program removed. A group (or event list, or the `hooks` object)
 * that held only Baton's entries goes with them; one that also holds someone else's keeps it.
 */
function withoutBaton(text: string, program: Program): { text: string; removed: boolean } {
  const settings = valueAt(text, []) as Record<string, unknown>;
  const found = findBatonHandlers(settings, program);
  if (found.length === 0) return { text, removed: false };
  const hooks = settings.hooks as Record<string, unknown>;
  const ours = (agentEvent: string, groupIndex: number) => found.filter((f) => f.agentEvent === agentEvent && f.groupIndex === groupIndex);
  const groupIsOurs = (agentEvent: string, group: unknown, groupIndex: number) =>
    isObject(group) && Array.isArray(group.hooks) && group.hooks.length === ours(agentEvent, groupIndex).length;
  const events = [...new Set(found.map((f) => f.agentEvent))];
  const eventIsOurs = (agentEvent: string) => (hooks[agentEvent] as unknown[]).every((g, i) => groupIsOurs(agentEvent, g, i));
  if (Object.keys(hooks).every((k) => events.includes(k) && eventIsOurs(k))) return { text: remove(text, ['hooks']), removed: true };
  let out = text;
  for (const agentEvent of events) {
    if (eventIsOurs(agentEvent)) {
      out = remove(out, ['hooks', agentEvent]);
      continue;
    }
    // Highest indices first, so the earlier ones still point where they did.
    const groups = [...new Set(found.filter((f) => f.agentEvent === agentEvent).map((f) => f.groupIndex))].sort((a, b) => b - a);
    for (const gi of groups) {
      if (groupIsOurs(agentEvent, (hooks[agentEvent] as unknown[])[gi], gi)) {
        out = remove(out, ['hooks', agentEvent, gi]);
        continue;
      }
      for (const f of ours(agentEvent, gi).sort((a, b) => b.handlerIndex - a.handlerIndex)) out = remove(out, ['hooks', agentEvent, gi, 'hooks', f.handlerIndex]);
    }
  }
  return { text: out, removed: true };
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  fs.writeFileSync(file, text.endsWith('\n') ? text : text + eol);
}

/** What `baton hooks status <program>` shows. */
export function status(program: Program, repoDir: string, env: NodeJS.ProcessEnv = process.env): HooksStatus {
  const target = targetOf(program);
  return target ? describe(target, repoDir, env, false) : genericStatus();
}

/** Writes Baton's four hooks into the agent's settings (see the module comment). */
export function install(program: Program, repoDir: string, options: InstallOptions = {}): HooksStatus {
  const target = targetOf(program);
  if (!target) return genericStatus();
  const env = options.env ?? process.env;
  const base = (options.command ?? DEFAULT_COMMAND).trim();
  if (!readBatonCommand(commandFor(base, program, 'stop', false))) {
    throw new BatonError('INVALID_INPUT', `--command ${JSON.stringify(base)} does not run Baton: give the baton command itself, e.g. "baton", "npx baton" or "/opt/baton/bin/baton".`);
  }
  const autoReserve = options.autoReserve ?? false;
  const file = path.join(repoDir, target.file);
  const doc = readJsonc(file, target.file);
  const settings = doc.value as Record<string, unknown>;
  if (settings.hooks !== undefined && !isObject(settings.hooks)) {
    throw new BatonError('INVALID_INPUT', `"hooks" in ${target.file} is not an object; fix it, then install again. Nothing was changed.`);
  }
  const wanted = (event: HookEvent) => commandFor(base, program, event, autoReserve);
  const before = describe(target, repoDir, env, false);
  if (before.entries.every((e) => e.state === 'installed' && e.command === wanted(e.event))) return before;

  let text = withoutBaton(doc.text, program).text;
  for (const event of HOOK_EVENTS) {
    const { agentEvent, matcher } = target.events[event];
    const group = { ...(matcher === undefined ? {} : { matcher }), hooks: [target.handler(wanted(event), event)] };
    const existing = valueAt(text, ['hooks', agentEvent]);
    if (existing !== undefined && !Array.isArray(existing)) {
      throw new BatonError('INVALID_INPUT', `"hooks.${agentEvent}" in ${target.file} is not a list; fix it, then install again. Nothing was changed.`);
    }
    if (Array.isArray(existing)) text = insert(text, ['hooks', agentEvent], undefined, group);
    else if (valueAt(text, ['hooks']) === undefined) text = insert(text, [], 'hooks', { [agentEvent]: [group] });
    else text = insert(text, ['hooks'], agentEvent, [group]);
  }
  write(file, text);
  return describe(target, repoDir, env, true);
}

/** Removes exactly Baton's entries; deletes the settings file when Baton's entries were all it held. */
export function uninstall(program: Program, repoDir: string, env: NodeJS.ProcessEnv = process.env): HooksStatus {
  const target = targetOf(program);
  if (!target) return genericStatus();
  const file = path.join(repoDir, target.file);
  const doc = readJsonc(file, target.file);
  const { text, removed } = withoutBaton(doc.text, program);
  if (!removed) return describe(target, repoDir, env, false);
  const value = valueAt(text, []);
  if (isObject(value) && Object.keys(value).length === 0 && text.replace(/\s/g, '') === '{}') {
    fs.rmSync(file);
    // The directory too, when Baton's file was all it held (.codex/ made by install, say).
    if (fs.readdirSync(path.dirname(file)).length === 0) fs.rmdirSync(path.dirname(file));
  } else {
    write(file, text);
  }
  return describe(target, repoDir, env, true);
}
