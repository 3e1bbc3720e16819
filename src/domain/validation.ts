import { z } from 'zod';
import { BatonError } from './errors';

/**
 * Turns a zod failure into one sentence per problem that names the field, says why and (where the
 * schema's message does) what to do, e.g. `ttlSeconds: must be at least 60 seconds (got 5)`.
 */
export function describeZodError(error: z.ZodError, what?: string): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : what ?? 'input';
    return `${field}: ${issue.message}`;
  });
  return (what ? `Invalid ${what}: ` : '') + lines.join('; ');
}

/** Parse or throw BatonError('INVALID_INPUT') with a readable message. Use at every boundary. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new BatonError('INVALID_INPUT', describeZodError(result.error, what), { issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
  return result.data;
}
