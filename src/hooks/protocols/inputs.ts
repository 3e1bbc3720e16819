/**
 * Every protocol's zod reading of hook input, in one module: the hook bundle (dist/baton-hooks.cjs)
 * loads it from a file of its own (dist/baton-hook-inputs.cjs, with zod) only when a fast reader does
 * not recognise an input (scripts/build-cli.mjs maps each protocol's `./<name>-input` here).
 */
export { parseClaudeCodeInput } from './claude-code-input';
export { parseCodexInput } from './codex-input';
export { parseGeminiInput } from './gemini-input';
export { parseGenericInput } from './generic-input';
