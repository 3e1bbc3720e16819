import { relativeTime } from './duration';

/**
 * What a lease's holder is told before and at its expiry (README, "Expiry warnings"): the rule for when,
 * and the words, with the command that deals with it. Pure, so the reservation book (a workflow) and
 * the tests share it.
 */

/** A lease as a notice names it. Times in ms (workflow time). */
export interface NoticeLease {
  id: string;
  pattern: string;
  expiresAt: number;
}

/**
 * How long before expiry a lease of `ttlMs` is announced: the project's `leaseWarningSeconds`, or 10% of
 * the TTL when that is shorter (a 5-minute lease 30 s ahead: a 10-minute warning would come at once).
 * Undefined when the setting is 0 (only the expiry itself is told).
 */
export function warningLeadMs(ttlMs: number, leaseWarningSeconds: number): number | undefined {
  if (leaseWarningSeconds <= 0 || ttlMs <= 0) return undefined;
  return Math.min(leaseWarningSeconds * 1000, Math.floor(ttlMs / 10));
}

export interface NoticeText {
  subject: string;
  body: string;
}

const ids = (leases: NoticeLease[]) => leases.map((l) => l.id).join(' ');
const quoted = (leases: NoticeLease[]) => leases.map((l) => JSON.stringify(l.pattern)).join(' ');
const names = (leases: NoticeLease[]) => (leases.length === 1 ? leases[0]!.pattern : `${leases.length} reservations`);

/** "Your reservation of src/a.ts expires in 10m", with each lease, its expiry, and `baton renew <ids>`. */
export function expiringNotice(project: string, leases: NoticeLease[], now: number): NoticeText {
  const soonest = Math.min(...leases.map((l) => l.expiresAt));
  const subject = leases.length === 1 ? `Your reservation of ${leases[0]!.pattern} expires ${relativeTime(soonest, now)}` : `${leases.length} of your reservations expire, the first ${relativeTime(soonest, now)}`;
  const lines = leases.map((l) => `  ${l.pattern}  (${l.id}) until ${new Date(l.expiresAt).toISOString()} (${relativeTime(l.expiresAt, now)})`);
  return {
    subject,
    body: [
      `In project ${project}, ${leases.length === 1 ? 'this lease runs' : 'these leases run'} out soon; after that any agent may take ${leases.length === 1 ? 'it' : 'them'}:`,
      ...lines,
      '',
      `Still editing? Renew: baton renew ${ids(leases)} --ttl 1h`,
      `Done? Release: baton release ${ids(leases)}`,
    ].join('\n'),
  };
}

/** "Your reservation of src/a.ts expired", with how to take the files again. */
export function expiredNotice(project: string, leases: NoticeLease[]): NoticeText {
  return {
    subject: `Your reservation of ${names(leases)} expired`,
    body: [
      `In project ${project}, ${leases.length === 1 ? 'this lease' : 'these leases'} expired and ${leases.length === 1 ? 'is' : 'are'} free for anyone now:`,
      ...leases.map((l) => `  ${l.pattern}  (${l.id}) at ${new Date(l.expiresAt).toISOString()}`),
      '',
      `Still editing? Check, then reserve again: baton check ${quoted(leases)} && baton reserve ${quoted(leases)} --reason "..." --ttl 1h`,
      'Next time renew before expiry: baton renew <ids> --ttl 1h',
    ].join('\n'),
  };
}
