import type { ReservationView } from '../schemas/console';

/** A folder of the reservation map: its leases (patterns ending here) and sub-folders. */
export interface TreeNode {
  /** The segment(s) shown: folders with one child and no lease are merged ("src/api/"). */
  label: string;
  path: string;
  leases: ReservationView[];
  children: TreeNode[];
}

/**
 * The reservation map as a tree of paths: each lease hangs at the folder its pattern names, so
 * `src/api/**` and `src/api/users.ts` sit under `src/api`. Glob segments stay as written. Sorted by
 * name; single-child folders without leases are merged, so deep paths stay short.
 */
export function reservationTree(reservations: ReservationView[]): TreeNode {
  const root: TreeNode = { label: '', path: '', leases: [], children: [] };
  for (const r of reservations) {
    const segments = r.pattern.split('/').filter(Boolean);
    // The lease sits at its last literal folder; the rest of the pattern is shown on the lease.
    const folders = segments.slice(0, -1);
    let node = root;
    for (const segment of folders) {
      let child = node.children.find((c) => c.label === segment);
      if (!child) {
        child = { label: segment, path: node.path ? `${node.path}/${segment}` : segment, leases: [], children: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.leases.push(r);
  }
  return merge(sort(root));
}

function sort(node: TreeNode): TreeNode {
  node.children.sort((a, b) => a.label.localeCompare(b.label));
  node.leases.sort((a, b) => a.pattern.localeCompare(b.pattern));
  node.children.forEach(sort);
  return node;
}

function merge(node: TreeNode): TreeNode {
  node.children = node.children.map((child) => {
    let c = child;
    while (c.leases.length === 0 && c.children.length === 1) {
      const only = c.children[0]!;
      c = { ...only, label: `${c.label}/${only.label}` };
    }
    return merge(c);
  });
  return node;
}

/** Leases in the tree (for counts). */
export function leaseCount(node: TreeNode): number {
  return node.leases.length + node.children.reduce((n, c) => n + leaseCount(c), 0);
}
