/**
 * Baton's generic hook protocol as zod schemas (see generic.ts). The input schema is loaded only when the
 * fast reader in generic.ts does not recognise an input: it decides whether the input is acceptable and,
 * when it is not, says which field is wrong.
 */
import { z } from 'zod';
import { HOOK_EVENTS, parseInput } from '../protocol';

export const GenericInput = z.object({
  event: z.enum(HOOK_EVENTS).optional(),
  tool: z.string().optional(),
  paths: z.array(z.string().min(1, 'must not be empty')).optional(),
  cwd: z.string().optional(),
  stopHookActive: z.boolean().optional(),
});
export type GenericInput = z.infer<typeof GenericInput>;

export const GenericOutput = z.object({
  decision: z.enum(['allow', 'deny']),
  reason: z.string().optional(),
  context: z.string().optional(),
  notice: z.string().optional(),
});
export type GenericOutput = z.infer<typeof GenericOutput>;

export const parseGenericInput = (input: unknown): GenericInput => parseInput(GenericInput, input, 'generic hook input');
