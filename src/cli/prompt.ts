import { BatonError } from '../domain/errors';

/**
 * Ask on the terminal; `secret` hides what is typed (tokens). Fails clearly when there is no terminal:
 * `otherwise` says exactly how to give the answer without one (default: a vague pointer to --help).
 */
export async function ask(question: string, options: { secret?: boolean; what: string; otherwise?: string }): Promise<string> {
  if (!process.stdin.isTTY) throw new BatonError('INVALID_INPUT', `${options.what}: no terminal to ask on; ${options.otherwise ?? 'pass it as an option or environment variable (see --help)'}.`);
  const { read } = await import('read');
  const answer = await read({ prompt: question, silent: options.secret ?? false, replace: options.secret ? '*' : undefined, output: process.stderr });
  return answer.trim();
}
