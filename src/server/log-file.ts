import fs from 'node:fs';

/**
 * A loaded server or worker logs every refused update, often with a stack trace or a whole history
 * (tens of MB per busy hour): past LOG_ROTATE_BYTES a log is moved to `<file>.1` (replacing the
 * previous one) when the process that writes it starts.
 */
export const LOG_ROTATE_BYTES = 64 * 1024 * 1024;

export function rotateLog(file: string, maxBytes = LOG_ROTATE_BYTES): void {
  try {
    if (fs.statSync(file).size > maxBytes) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}
