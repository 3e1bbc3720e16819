import type { ReservationView } from '../../schemas/console';
import { call, inProject } from '../api';
import { reservationTree, type TreeNode } from '../reservation-tree';
import { span } from '../time';
import { ActionDialog } from './action-dialog';

/** A lease this close to its end is highlighted (it may be about to free its files). */
const EXPIRING_MS = 5 * 60_000;

/**
 * The live reservation map: a tree of the reserved paths, each lease with its holder, exclusive or
 * shared, its reason and a countdown; overlaps between holders (shared leases) and leases about to
 * expire are highlighted. A human may force-release a lease (with a reason, after confirming).
 */
export function ReservationMap({ project, reservations, total, now }: { project: string; reservations: ReservationView[]; total: number; now: number }) {
  const live = reservations.filter((r) => Date.parse(r.expiresAt) > now);
  if (live.length === 0) return <p class="empty">No reservations: every file is free.</p>;
  const tree = reservationTree(live);
  return (
    <div class="tree" data-testid="reservation-map">
      {total > reservations.length && <p class="muted">Showing {reservations.length} of {total} reservations.</p>}
      <Folder node={tree} project={project} now={now} root />
    </div>
  );
}

function Folder({ node, project, now, root }: { node: TreeNode; project: string; now: number; root?: boolean }) {
  return (
    <ul class={root ? 'root' : ''}>
      {node.leases.map((r) => (
        <Lease key={r.id} r={r} project={project} now={now} />
      ))}
      {node.children.map((c) => (
        <li key={c.path} class="folder">
          <span class="folder-name">{c.label}/</span>
          <Folder node={c} project={project} now={now} />
        </li>
      ))}
    </ul>
  );
}

function Lease({ r, project, now }: { r: ReservationView; project: string; now: number }) {
  const left = Date.parse(r.expiresAt) - now;
  const expiring = left < EXPIRING_MS;
  const name = r.pattern.split('/').filter(Boolean).pop() ?? r.pattern;
  return (
    <li class={`lease ${expiring ? 'expiring' : ''} ${r.overlaps.length ? 'conflict' : ''}`} data-testid="lease" data-pattern={r.pattern} data-holder={r.holder}>
      <div class="lease-line">
        <code class="pattern" title={r.pattern}>
          {name}
        </code>
        {name === '**' && <span class="muted small">everything below</span>}
        <span class="holder">{r.holder}</span>
        <span class={`badge ${r.exclusive ? 'exclusive' : 'shared'}`}>{r.exclusive ? 'exclusive' : 'shared'}</span>
        <span class={`countdown ${expiring ? 'warn' : ''}`} title={`expires ${r.expiresAt}`} data-testid="countdown">
          {left > 0 ? span(left) : 'expired'}
        </span>
        <ActionDialog
          small
          danger
          label="Force-release"
          title={`Force-release ${r.pattern}?`}
          intro={
            <p>
              {r.holder}'s {r.exclusive ? 'exclusive' : 'shared'} lease ends now; {r.holder} is told why, and the audit trail records it.
            </p>
          }
          confirmLabel="Force-release"
          action={async (form) => {
            const result = await call<{ released: unknown[]; notified: string[] }>('POST', inProject(project, '/reservations/force-release'), { ids: [r.id], reason: String(form.get('reason') ?? '') });
            return `Released ${result.released.length} reservation(s); told ${result.notified.join(', ') || 'nobody'}.`;
          }}
        >
          <label>
            Reason (sent to {r.holder})
            <input name="reason" required minLength={1} placeholder="e.g. the agent crashed" />
          </label>
        </ActionDialog>
      </div>
      <div class="lease-reason">{r.reason}</div>
      {r.overlaps.length > 0 && (
        <div class="lease-conflict">
          overlaps {r.overlaps.map((o) => `${o.holder}'s lease${o.example ? ` (both cover ${o.example})` : ''}`).join('; ')}
        </div>
      )}
      {r.via && <div class="muted small">for {r.via}</div>}
    </li>
  );
}
