/**
 * The files a Codex `apply_patch` call touches, read from its patch envelope. The grammar (from the tool's
 * own description in openai/codex, codex-rs/core/src/tools/handlers/apply_patch.rs):
 *
 *   *** Begin Patch
 *   *** Add File: <path>          (then "+" lines)
 *   *** Delete File: <path>
 *   *** Update File: <path>
 *   *** Move to: <new path>       (optional, right after Update File: a rename)
 *   @@ ... hunks ...
 *   *** End Patch
 *
 * Only the headers matter here: both sides of a move are touched. Hunk lines start with " ", "-", "+" or
 * "@@", so a "*** " line is always a header. Paths are relative to the session's cwd ("File references can
 * only be relative, NEVER ABSOLUTE"), but absolute ones are kept and resolved like any other.
 * Written by hand because no npm package parses this format; it is five header prefixes.
 */
const HEADERS = ['*** Add File: ', '*** Delete File: ', '*** Update File: ', '*** Move to: '];

export function patchedPaths(patch: string): string[] {
  const paths: string[] = [];
  for (const raw of patch.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const header = HEADERS.find((h) => line.startsWith(h));
    if (!header) continue;
    const path = line.slice(header.length).trim();
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}
