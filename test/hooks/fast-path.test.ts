import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readClaudeCode } from '../../src/hooks/protocols/claude-code';
import { parseClaudeCodeInput } from '../../src/hooks/protocols/claude-code-input';
import { readCodex } from '../../src/hooks/protocols/codex';
import { parseCodexInput } from '../../src/hooks/protocols/codex-input';
import { readGemini } from '../../src/hooks/protocols/gemini';
import { parseGeminiInput } from '../../src/hooks/protocols/gemini-input';
import { readGeneric } from '../../src/hooks/protocols/generic';
import { parseGenericInput } from '../../src/hooks/protocols/generic-input';
import type { HookEvent, ParsedEvent } from '../../src/hooks/protocol';

/**
 * The hooks read an agent's common input without zod (src/hooks/plain-json.ts) and leave the rest to
 * the zod schemas. The fast reading must never accept what a schema refuses, nor read it differently:
 * checked on each documented input and on every variation that drops a field or gives it another type.
 */
const patch = '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** End Patch\n';
const common = { session_id: 's', transcript_path: '/t.jsonl', cwd: '/repo' };

const documented: Record<string, Record<HookEvent, unknown[]>> = {
  'claude-code': {
    'pre-tool': [
      { ...common, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: '/repo/a.ts', content: '' }, tool_use_id: 't' },
      { ...common, hook_event_name: 'PreToolUse', tool_name: 'NotebookEdit', tool_input: { notebook_path: '/repo/n.ipynb', new_source: '' } },
      { ...common, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } },
    ],
    'post-tool': [{ ...common, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: '/repo/a.ts' }, tool_response: { success: true } }],
    prompt: [{ ...common, hook_event_name: 'UserPromptSubmit', prompt: 'go' }],
    stop: [{ ...common, hook_event_name: 'Stop', stop_hook_active: true }],
  },
  codex: {
    'pre-tool': [
      { ...common, turn_id: 'u', model: 'gpt-5', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: patch }, tool_use_id: 'c' },
      { ...common, transcript_path: null, hook_event_name: 'PreToolUse', tool_name: 'shell', tool_input: { command: ['ls'] } },
    ],
    'post-tool': [{ ...common, hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_input: { command: patch }, tool_response: 'ok' }],
    prompt: [{ ...common, hook_event_name: 'UserPromptSubmit', prompt: 'go' }],
    stop: [{ ...common, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: null }],
  },
  gemini: {
    'pre-tool': [
      { ...common, timestamp: '2030-01-01T00:00:00Z', hook_event_name: 'BeforeTool', tool_name: 'write_file', tool_input: { file_path: '/repo/a.ts', content: '' } },
      { ...common, hook_event_name: 'BeforeTool', tool_name: 'run_shell_command', tool_input: { command: 'ls' } },
    ],
    'post-tool': [{ ...common, hook_event_name: 'AfterTool', tool_name: 'replace', tool_input: { file_path: '/repo/a.ts' }, tool_response: {} }],
    prompt: [{ ...common, hook_event_name: 'BeforeAgent', prompt: 'go' }],
    stop: [{ ...common, hook_event_name: 'AfterAgent', stop_hook_active: false }],
  },
};

const readers: Record<string, { fast: (e: HookEvent, i: unknown) => ParsedEvent | undefined; schema: (e: HookEvent, i: unknown) => ParsedEvent }> = {
  'claude-code': { fast: readClaudeCode, schema: parseClaudeCodeInput },
  codex: { fast: readCodex, schema: parseCodexInput },
  gemini: { fast: readGemini, schema: parseGeminiInput },
};

const ODD_VALUES: unknown[] = [undefined, null, 0, true, '', 'constructor', [], {}, ['x'], { file_path: 3 }];

/** The input, and every input with one field (at the top or in tool_input) removed or replaced by an odd value. */
function variations(input: Record<string, unknown>): unknown[] {
  const out: unknown[] = [input, null, [], 'text'];
  for (const key of Object.keys(input)) {
    for (const value of ODD_VALUES) out.push({ ...input, [key]: value });
    const inner = input[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      for (const k of Object.keys(inner)) for (const value of ODD_VALUES) out.push({ ...input, [key]: { ...inner, [k]: value } });
    }
  }
  for (const tool of ['constructor', 'toString', '__proto__']) out.push({ ...input, tool_name: tool });
  return out;
}

const schemaReading = (read: () => ParsedEvent): ParsedEvent | 'refused' => {
  try {
    return read();
  } catch {
    return 'refused';
  }
};

describe('the hooks\' fast reading agrees with the zod schemas', () => {
  for (const [program, events] of Object.entries(documented)) {
    it(`${program}: reads every documented input without zod, and each variation as the schema does or not at all`, () => {
      const { fast, schema } = readers[program]!;
      let checked = 0;
      for (const [event, inputs] of Object.entries(events) as [HookEvent, Record<string, unknown>[]][]) {
        for (const input of inputs) {
          expect(fast(event, input)).toEqual(schema(event, input));
          for (const variation of variations(input)) {
            const quick = fast(event, variation);
            if (quick === undefined) continue;
            checked++;
            expect({ variation, reading: schemaReading(() => schema(event, variation)) }).toEqual({ variation, reading: quick });
          }
        }
      }
      expect(checked).toBeGreaterThan(50);
    });
  }

  it('generic: the same for Baton\'s own protocol', () => {
    const input = { event: 'pre-tool', tool: 'edit', paths: ['src/a.ts', '/abs/b.ts'], cwd: '/repo', stopHookActive: false };
    expect(readGeneric(input)).toEqual(parseGenericInput(input));
    let checked = 0;
    for (const variation of [...variations(input), { paths: ['a', ''] }, { event: 'later' }, { extra: 1 }]) {
      const quick = readGeneric(variation);
      if (quick === undefined) continue;
      checked++;
      expect({ variation, reading: schemaReading(() => parseGenericInput(variation) as unknown as ParsedEvent) }).toEqual({ variation, reading: quick });
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('runs a documented hook call without loading zod, and loads it to explain a malformed one', () => {
    const script = `
      const { runHook } = require('./src/hooks/run');
      const backend = { check: async () => ({ conflicts: [] }), reserve: async () => { throw new Error('no'); }, attention: async () => ({ items: [] }) };
      const zod = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/zod/'));
      const input = (tool) => JSON.stringify({ session_id: 's', cwd: process.cwd(), hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: tool });
      (async () => {
        await runHook('claude-code', 'pre-tool', input({ file_path: process.cwd() + '/src/a.ts', content: '' }), backend, { cwd: process.cwd() });
        await runHook('generic', 'pre-tool', JSON.stringify({ paths: ['src/a.ts'] }), backend, { cwd: process.cwd() });
        const before = zod();
        const out = await runHook('claude-code', 'pre-tool', input({ content: 'no path' }), backend, { cwd: process.cwd() });
        process.stdout.write(JSON.stringify({ before, after: zod(), notice: JSON.parse(out.stdout).systemMessage }));
      })();
    `;
    const root = path.resolve(__dirname, '../..');
    const answer = JSON.parse(execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: root, encoding: 'utf8' })) as { before: boolean; after: boolean; notice: string };
    expect(answer).toEqual({ before: false, after: true, notice: expect.stringContaining('Write tool_input: file_path') });
  });
});
