import fs from 'node:fs';
import path from 'node:path';
import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import { rotateLog } from './server/log-file';

/**
 * Sends the Temporal SDK's log (the worker's, and its native core's, which by default prints straight
 * to the console) to `file` instead of the terminal. On a busy cluster the core warns about every
 * workflow task the server dropped and may dump a whole history at ERROR: megabytes a minute that bury
 * what `npm start` tells its user. Call once per process, before any worker or native connection.
 *
 * Lines: `<ISO time> <LEVEL> <message> <metadata as JSON>`.
 */
export function installRuntimeLog(options: { file: string; level?: LogLevel }): void {
  const level = options.level ?? 'WARN';
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  rotateLog(options.file);
  const out = fs.createWriteStream(options.file, { flags: 'a' });
  const write = (entry: LogEntry) => {
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const meta = entry.meta && Object.keys(entry.meta).length ? ` ${safeJson(entry.meta)}` : '';
    out.write(`${at} ${entry.level} ${entry.message}${meta}\n`);
  };
  Runtime.install({
    logger: new DefaultLogger(level, write),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: level }), forward: {} } },
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  } catch {
    return '(unprintable metadata)';
  }
}
