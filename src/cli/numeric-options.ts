import { BatonError } from '../domain/errors';

/**
 * Parsers for numeric flags (commander's option argParser). They run while commander parses argv,
 * before any action, so what they throw reaches main()'s handler, which prints it the CLI way
 * (`error [INVALID_INPUT] --limit: ...`, exit 2). The message names the flag as the user typed it,
 * not the field the server validates (`limit: expected number, received NaN`). Ranges above the
 * minimum (e.g. at most 500) stay the server's to check, so they are written once.
 */

/** `--limit 20`: a whole number, 1 or more. */
export function positiveWholeNumber(flag: string): (text: string) => number {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 1) {
      throw new BatonError('INVALID_INPUT', `${flag}: must be a positive whole number (got "${text}"), e.g. ${flag} 20.`);
    }
    return n;
  };
}

/** `--wait 30`: a number of seconds, 0 or more (fractions allowed). */
export function nonNegativeSeconds(flag: string): (text: string) => number {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new BatonError('INVALID_INPUT', `${flag}: must be a number of seconds, 0 or more (got "${text}"), e.g. ${flag} 30.`);
    }
    return n;
  };
}

/** `--max-revisions 2`: a whole number, 0 or more. */
export function wholeNumber(flag: string): (text: string) => number {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 0) {
      throw new BatonError('INVALID_INPUT', `${flag}: must be a whole number, 0 or more (got "${text}"), e.g. ${flag} 2.`);
    }
    return n;
  };
}
