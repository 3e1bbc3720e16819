import fs from 'node:fs';
import path from 'node:path';

/**
 * Counts the refusals a burst drew from the cluster, for the suites' reports: they are visible only in
 * the server's logs, since the client resends them. Each refused request is logged once by the history
 * service as a "service failures" line (the frontend logs some of them again, so only history counts).
 */
export const REFUSED = /concurrent in-flight updates/;
export const ABORTED = /workflow update was aborted/i;

export function countRefusals(logsDir: string, pattern: RegExp): number {
  let n = 0;
  const file = path.join(logsDir, 'history.log');
  if (!fs.existsSync(file)) return 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.includes('"service failures"') && pattern.test(line)) n++;
  return n;
}
