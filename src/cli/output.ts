import pc from 'picocolors';
import { BatonError, EXIT_CODES } from '../domain/errors';

/**
 * How the CLI speaks: tables and colours for people (colours only on a TTY, NO_COLOR respected by
 * picocolors), JSON for scripts, errors on stderr with an exit code a script can branch on.
 */
const colorEnabled = process.env.FORCE_COLOR
  ? process.env.FORCE_COLOR !== '0'
  : !process.env.NO_COLOR && Boolean(process.stdout.isTTY) && process.env.TERM !== 'dumb';
/**
 * Our own decision, not picocolors' default: that one also colours whenever `CI` is set, which puts
 * escape codes into pipes and logs.
 */
export const colors = pc.createColors(colorEnabled);

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Colour applied after padding, so alignment ignores escape codes. */
  color?: (text: string, row: T) => string;
}

export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const header = columns.map((c, i) => colors.bold(c.header.padEnd(widths[i]!))).join('  ');
  const body = cells.map((r, ri) =>
    r
      .map((text, i) => {
        const padded = i === r.length - 1 ? text : text.padEnd(widths[i]!);
        const color = columns[i]!.color;
        return color ? color(padded, rows[ri]!) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
  return [header.trimEnd(), ...body].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** "in 2h", "in 1h 59m", "3d 4h ago": one implementation, shared with the git guard's report. */
export { relativeTime } from '../domain/reservations/duration';

/** Print an error for a person (or as JSON with --json) and exit with its documented code. */
export function exitWithError(err: unknown, json = false): never {
  const error = err instanceof BatonError ? err : new BatonError('INTERNAL', err instanceof Error ? err.message : String(err));
  if (json) {
    process.stderr.write(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }) + '\n');
  } else {
    process.stderr.write(`${colors.red('error')} ${colors.dim(`[${error.code}]`)} ${error.message}\n`);
    if (error.code === 'INTERNAL' && process.env.BATON_DEBUG && err instanceof Error && err.stack) process.stderr.write(colors.dim(err.stack) + '\n');
  }
  process.exit(EXIT_CODES[error.code]);
}
