import { BatonError } from '../domain/errors';

/**
 * Errors name the fields of the request (`whatWasDone is empty`, `ttlSeconds: must be positive`): the
 * workflow and the API speak in fields. A person at the CLI typed flags, so a command rewrites the
 * field names it knows into its flags (`--what is empty`). Only a field name standing where an error
 * names a field is rewritten (at the start, or after ": ", "; " or "("), never the same word in prose.
 */
export function inFlagWords<T>(flags: Record<string, string>, call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    if (!(err instanceof BatonError) || err.code !== 'INVALID_INPUT') throw err;
    let message = err.message;
    for (const [field, flag] of Object.entries(flags)) {
      message = message.replace(new RegExp(`(^|: |; |\\()${field}(?=[ :.,;)])`, 'g'), `$1${flag}`);
    }
    throw message === err.message ? err : new BatonError(err.code, message, err.details);
  });
}
