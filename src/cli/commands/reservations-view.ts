import { colors, relativeTime, table } from '../output';
import { EXIT_CODES } from '../../domain/errors';
import { conflictAdvice, holderNote } from '../../domain/reservations/advice';
import type { AuditEntry, Conflict, Reservation } from '../../schemas/reservations';

// How the reservation commands present answers; shared by the reservation family.

const mode = (exclusive: boolean) => (exclusive ? 'exclusive' : 'shared');
const clip = (text: string, max = 48) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function reservationTable(rows: Reservation[]): string {
  return table(rows, [
    { header: 'ID', value: (r) => r.id, color: (t) => colors.dim(t) },
    { header: 'HOLDER', value: (r) => r.holder, color: (t) => colors.cyan(t) },
    { header: 'PATTERN', value: (r) => r.pattern },
    { header: 'MODE', value: (r) => mode(r.exclusive), color: (t, r) => (r.exclusive ? colors.yellow(t) : t) },
    { header: 'EXPIRES', value: (r) => relativeTime(r.expiresAt) },
    { header: 'REASON', value: (r) => clip(r.reason) },
  ]);
}

/** Who holds what, until when, why it overlaps and why they hold it: the readable form of a conflict answer. */
export function conflictReport(conflicts: Conflict[], nothingReserved: boolean): string {
  const lines = conflicts.map((c) => {
    const until = `${new Date(c.expiresAt).toISOString().slice(11, 16)} UTC (${relativeTime(c.expiresAt)})`;
    return (
      `  ${colors.bold(c.pattern)} overlaps ${colors.bold(c.heldPattern)}, held ${mode(c.exclusive)} by ${colors.cyan(c.holder)}${holderNote(c)} until ${until}\n` +
      (c.pattern === c.heldPattern ? '' : `    because ${c.rule}\n`) +
      `    reason: "${c.reason}"  ${colors.dim(`[${c.reservationId}]`)}`
    );
  });
  const head = nothingReserved
    ? `${colors.red('conflict')}: nothing was reserved (a reserve is all-or-nothing); ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}:`
    : `${colors.red('conflict')}: ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}:`;
  const hint = colors.dim(`${conflictAdvice(conflicts)} \`baton check <paths>\` tells you when they are free.`);
  return [head, ...lines, hint].join('\n');
}

/** Exit 3 (conflict) after the answer was printed, letting the action close its connection first. */
export function exitWithConflict(): void {
  process.exitCode = EXIT_CODES.CONFLICT;
}

export function auditTable(entries: AuditEntry[]): string {
  return table(entries, [
    { header: '#', value: (e) => String(e.seq), color: (t) => colors.dim(t) },
    { header: 'AT', value: (e) => e.at.replace('T', ' ').slice(0, 19) },
    { header: 'ACTION', value: (e) => e.action, color: (t, e) => (e.action === 'force-release' ? colors.red(t) : e.action === 'grant' ? colors.green(t) : t) },
    { header: 'BY', value: (e) => e.by },
    { header: 'HOLDER', value: (e) => e.holder, color: (t) => colors.cyan(t) },
    { header: 'PATTERNS', value: (e) => clip(e.patterns.join(' ') + (e.count > e.patterns.length ? ` (+${e.count - e.patterns.length})` : ''), 60) },
    { header: 'REASON', value: (e) => clip(e.reason ?? '') },
  ]);
}
