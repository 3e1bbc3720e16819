/**
 * Where each agent reads its project hooks and what Baton's entries look like there. All three agents
 * share one layout, `{ "hooks": { "<Event>": [ { "matcher"?, "hooks": [ { "type": "command", "command",
 * "timeout" } ] } ] } }`, and differ in file, event names, matchers and the timeout's unit:
 * - Claude Code: .claude/settings.json (project settings, shared with the team); `timeout` in seconds.
 *   Source: https://code.claude.com/docs/en/hooks ("Configuration", "Matcher patterns"); the matcher is
 *   an exact list of tool names ("Edit|Write") or a regex, "*" matches every tool.
 * - Codex: .codex/hooks.json, which Codex discovers next to the project's .codex/config.toml layer, loaded
 *   only for a trusted project; `timeout` in seconds. The file's root may hold only `description` and
 *   `hooks` (HooksFile is deny_unknown_fields), so Baton marks nothing there. Source:
 *   https://developers.openai.com/codex/hooks ("Where Codex looks for hooks", "Review and trust hooks") and
 *   openai/codex codex-rs/config/src/hook_config.rs. Inline [hooks] tables in .codex/config.toml are only
 *   read here, to warn: Codex loads both forms and warns when one layer has both.
 * - Gemini CLI: .gemini/settings.json (project settings, read only in a trusted folder); `timeout` in
 *   milliseconds; `name` identifies a hook for `/hooks enable|disable`. Source: google-gemini/gemini-cli
 *   docs/hooks/index.md ("Configuration", "Managing hooks").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { HookEvent, Program } from './protocol';
import { CLAUDE_CODE_EVENTS } from './protocols/claude-code';
import { CODEX_EVENTS } from './protocols/codex';
import { GEMINI_EVENTS } from './protocols/gemini';

export type InstallableProgram = Exclude<Program, 'generic'>;

/** Seconds an agent waits for one Baton hook before giving up on it (the runner itself gives up after 3 s). */
export const HOOK_TIMEOUT_SECONDS = 10;

export interface InstallTarget {
  program: InstallableProgram;
  /** The settings file, relative to the repository root. */
  file: string;
  events: Record<HookEvent, { agentEvent: string; matcher: string | undefined }>;
  /** Baton's handler for `event`, running `command`. */
  handler(command: string, event: HookEvent): Record<string, unknown>;
  /** Reasons the installed hooks would not run, read from the agent's settings. */
  warnings(repoDir: string, settings: Record<string, unknown>): string[];
  /** What the person has to do besides installing. */
  notes: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const INSTALL_TARGETS: Record<InstallableProgram, InstallTarget> = {
  'claude-code': {
    program: 'claude-code',
    file: '.claude/settings.json',
    events: CLAUDE_CODE_EVENTS,
    handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS }),
    warnings: (_repoDir, settings) => (settings.disableAllHooks === true ? ['.claude/settings.json sets "disableAllHooks": true: Claude Code runs no hooks, Baton\'s included.'] : []),
    notes: ['Claude Code reads hooks when a session starts: restart sessions that are running (`/hooks` in Claude Code lists what is active).'],
  },
  codex: {
    program: 'codex',
    file: '.codex/hooks.json',
    events: CODEX_EVENTS,
    handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS }),
    warnings: (repoDir) => codexConfigWarnings(path.join(repoDir, '.codex', 'config.toml')),
    notes: [
      'Codex runs a project\'s hooks only when the project is trusted, and each new or changed hook only after you review it: open `/hooks` in Codex and trust Baton\'s hooks.',
    ],
  },
  gemini: {
    program: 'gemini',
    file: '.gemini/settings.json',
    events: GEMINI_EVENTS,
    handler: (command, event) => ({
      name: `baton-${event}`,
      type: 'command',
      command,
      timeout: HOOK_TIMEOUT_SECONDS * 1000,
      description: event === 'pre-tool' ? 'Baton: refuse edits of files another agent reserved' : 'Baton: show mail, handoffs and expiring leases',
    }),
    warnings: (_repoDir, settings) => geminiWarnings(settings),
    notes: ['Gemini CLI reads .gemini/settings.json only in a trusted folder; `/hooks panel` in Gemini CLI lists what runs.'],
  },
};

/** What .codex/config.toml says that matters to Baton's hooks.json (read only; Baton never edits it). */
function codexConfigWarnings(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  let config: Record<string, unknown>;
  try {
    config = parseToml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return [`could not read .codex/config.toml (${(err as Error).message.split('\n')[0]}); Codex may not start until it is fixed.`];
  }
  const warnings: string[] = [];
  const features = isObject(config.features) ? config.features : {};
  if (features.hooks === false || features.codex_hooks === false) warnings.push('.codex/config.toml turns hooks off ([features] hooks = false): Codex runs no hooks, Baton\'s included.');
  if (isObject(config.hooks) && Object.keys(config.hooks).length) {
    const baton = JSON.stringify(config.hooks).includes('hooks run codex');
    warnings.push(
      baton
        ? '.codex/config.toml has Baton hook entries in [hooks]; `baton hooks` manages only .codex/hooks.json: remove them from config.toml by hand.'
        : '.codex/config.toml also declares [hooks]: Codex runs both those and .codex/hooks.json, and warns that one layer uses two forms.',
    );
  }
  return warnings;
}

function geminiWarnings(settings: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  const hooksConfig = isObject(settings.hooksConfig) ? settings.hooksConfig : {};
  const tools = isObject(settings.tools) ? settings.tools : {};
  if (hooksConfig.enabled === false || tools.enableHooks === false) warnings.push('.gemini/settings.json turns the hooks system off (hooksConfig.enabled = false): Gemini CLI runs no hooks, Baton\'s included.');
  const hooks = isObject(settings.hooks) ? settings.hooks : {};
  const disabled = [hooksConfig.disabled, hooks.disabled].flatMap((d) => (Array.isArray(d) ? d : []));
  const ours = disabled.filter((name) => typeof name === 'string' && name.startsWith('baton-'));
  if (ours.length) warnings.push(`.gemini/settings.json disables ${ours.join(', ')} (hooks disabled list); \`/hooks enable <name>\` in Gemini CLI turns them back on.`);
  return warnings;
}
