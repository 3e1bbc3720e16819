/** The hook protocols by program: the one place that lists them. */
import type { HookProtocol, Program } from '../protocol';
import { claudeCode } from './claude-code';
import { codex } from './codex';
import { gemini } from './gemini';
import { generic } from './generic';

export const PROTOCOLS: Record<Program, HookProtocol> = {
  'claude-code': claudeCode,
  codex,
  gemini,
  generic,
};
