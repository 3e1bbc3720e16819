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
 * compared as a string, which is exact: a file (`src/a.ts`) only equals itself, a directory (`src/api`,
 * `config.d/`) is itself or anything under it (see glob.ts for which is which). Globs go to picomatch.
 */
export function compileMatcher(parsed: ParsedGlob): (path: string) => boolean {
  if (parsed.form === 'file') {
    const self = parsed.pattern;
    return (path) => path === self;
  }
  if (parsed.form === 'directory') {
    const self = parsed.pattern.endsWith('/') ? parsed.pattern.slice(0, -1) : parsed.pattern;
    const below = `${self}/`;
    return (path) => path === self || path.startsWith(below);
  }
  const matchers = picomatchSources(parsed).map((source) => picomatch(source, PICOMATCH_OPTIONS));
  return (path) => matchers.some((m) => m(path));
}
