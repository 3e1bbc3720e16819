import picomatch from 'picomatch/posix';
import { picomatchSources, type ParsedGlob } from './glob';

/**
 * picomatch options that give Baton's glob meaning (see glob.ts): dotfiles are ordinary files, and
 * `!`, `+`, `@`, `(` ... are literal characters of file names (Next.js `app/(auth)/page.tsx`, `c++`).
 * The posix build is used so matching does not depend on the platform (it also runs in workflow code).
 */
export const PICOMATCH_OPTIONS = { dot: true, noextglob: true, nonegate: true, nobrace: true, windows: false } as const;

/**
 * A predicate for concrete repo-relative paths, built from an already checked pattern. A plain path is
 * the path itself or anything under it, which a string comparison says exactly; globs go to picomatch.
 */
export function compileMatcher(parsed: ParsedGlob): (path: string) => boolean {
  if (parsed.plainPath) {
    const self = parsed.pattern;
    const below = `${self}/`;
    return (path) => path === self || path.startsWith(below);
  }
  const matchers = picomatchSources(parsed).map((source) => picomatch(source, PICOMATCH_OPTIONS));
  return (path) => matchers.some((m) => m(path));
}
