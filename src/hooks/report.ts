/**
 * What the hooks say, in words an agent can act on: why an edit is refused and what to do instead, and
 * the digest of things waiting for it. Plain text, no colours: it ends up in the agent's context.
 */
import type { AttentionItem, HookConflict } from './backend';

/** "in 29m", "in 1h 59m", "in 2h": rounded to the nearest minute, hours only when they are whole. */
export function timeFromNow(iso: string, now: number): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (Number.isNaN(minutes)) return 'at an unknown time';
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes}m`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `in ${h}h ${m}m` : `in ${h}h`;
}

const quote = (s: string) => JSON.stringify(s);

/**
 * The refusal: every blocked path with the lease in its way (holder, pattern, expiry, reason, the rule
 * that matched), then the three ways forward: wait, ask the holder, or have a human force-release.
 */
export function denyReason(conflicts: HookConflict[], now: number): string {
  const paths = [...new Set(conflicts.map((c) => c.path))];
  const holders = [...new Set(conflicts.map((c) => c.holder))];
  const lines = [
    `Baton refused this edit: ${paths.length === 1 ? `${paths[0]} is` : `${paths.length} files are`} under ${holders.length === 1 ? `${holders[0]}'s` : 'other members\''} exclusive reservation.`,
  ];
  for (const c of conflicts) {
    const state = c.holderState && c.holderState !== 'active' ? ` (${c.holder} is ${c.holderState})` : '';
    lines.push(
      `  ${c.path}: held by ${c.holder}${state} via ${quote(c.pattern)} until ${c.expiresAt} (${timeFromNow(c.expiresAt, now)}), reason ${quote(c.reason)}${c.reservationId ? ` [${c.reservationId}]` : ''}`,
    );
    if (c.rule) lines.push(`    rule: ${c.rule}`);
  }
  // A path is free when every lease over it has ended; the first path to be free is the soonest.
  const freeAt = paths.map((p) => Math.max(...conflicts.filter((c) => c.path === p).map((c) => Date.parse(c.expiresAt))));
  const soonest = { expiresAt: new Date(Math.min(...freeAt)).toISOString() };
  const reachable = holders.filter((h) => !conflicts.some((c) => c.holder === h && (c.holderState === 'retired' || c.holderState === 'idle')));
  const gone = holders.filter((h) => !reachable.includes(h));
  const ids = [...new Set(conflicts.map((c) => c.reservationId).filter(Boolean))];
  const forceRelease = ids.length ? `baton force-release ${ids.join(' ')}` : `baton force-release --holder ${holders[0]}`;
  lines.push('Do not edit these files now. Instead:');
  lines.push(`  - work on something else and retry after the lease expires (${timeFromNow(soonest.expiresAt, now)});`);
  for (const h of reachable) {
    const theirs = paths.filter((p) => conflicts.some((c) => c.holder === h && c.path === p));
    lines.push(`  - or ask ${h} to release it: baton send ${h} --subject ${quote(`May I edit ${theirs.join(', ')}?`)} --body ${quote('I need to change these files; please release them when you can.')}`);
    // Under the default contact policy (auto) a member who shares no thread or reservation with the
    // holder is refused; a contact request reaches them whatever their policy.
    lines.push(`    (if ${h}'s contact policy refuses you: baton contact request ${h} --note ${quote(`May I edit ${theirs.join(', ')}?`)})`);
  }
  lines.push(
    `  - or${gone.length ? ` (${gone.join(', ')} will not answer)` : ', if the holder is gone,'} ask a human to run: ${forceRelease} --reason ${quote('<why>')}`,
  );
  return lines.join('\n');
}

const LABELS: Record<AttentionItem['kind'], string> = {
  mail: 'mail',
  handoff: 'handoff',
  decision: 'decision',
  'lease-expiring': 'lease expiring',
  'lease-expired': 'lease expired',
};

/** The digest shown after a tool call, with a prompt, or at a stop (where it asks the agent to deal with it first). */
export function attentionDigest(items: AttentionItem[], atStop: boolean, more = 0): string {
  const lines = [`Baton: ${items.length === 1 ? '1 item needs' : `${items.length} items need`} your attention (each is shown once):`];
  for (const item of items) {
    const label = `${item.urgent ? 'urgent ' : ''}${LABELS[item.kind]}`;
    lines.push(`  - [${label}] ${item.summary}${item.action ? ` -> ${item.action}` : ''}`);
  }
  if (more > 0) lines.push(`  - and ${more} more: baton inbox --unread`);
  if (atStop) lines.push('Deal with these (or say why they can wait) before you finish.');
  return lines.join('\n');
}
