/**
 * `pvesh get /cluster/status` as a node answers it: a standalone node lists only itself; a
 * cluster member adds one `cluster` entry (name, quorate) and an entry per member.
 */
export interface ClusterView {
  /** Undefined on a standalone node. */
  readonly cluster?: { readonly name: string; readonly quorate: boolean };
  readonly members: readonly { readonly name: string; readonly ip?: string; readonly online: boolean }[];
}

interface Entry { readonly type?: string; readonly name?: string; readonly ip?: string; readonly online?: number | boolean; readonly quorate?: number | boolean }

const yes = (v: unknown): boolean => v === 1 || v === true || v === '1';

export function clusterView(entries: unknown): ClusterView {
  const list = Array.isArray(entries) ? (entries as Entry[]) : [];
  const cluster = list.find((e) => e.type === 'cluster');
  return {
    ...(cluster ? { cluster: { name: String(cluster.name ?? ''), quorate: yes(cluster.quorate) } } : {}),
    members: list.filter((e) => e.type === 'node' && e.name).map((e) => ({ name: e.name!, ...(e.ip ? { ip: e.ip } : {}), online: yes(e.online) })),
  };
}

/** Corosync's and `pvecm create`'s limit on a cluster name. */
export const CLUSTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?$/;
