/**
 * The NFS share as the Proxmox hosts see it: which nodes mount it (derived from the services that
 * declare nfsMounts, never listed by hand), and the systemd units that mount it on those hosts.
 *
 * NFS is mounted on the host and bind-mounted into the containers (guest-config.ts), so a stalled
 * share is recovered on the host. The units are native systemd units rather than an fstab line;
 * the fstab options one would write map onto them as follows:
 * - `x-systemd.automount`: the `.automount` unit. The share is mounted on first access, so a node
 *   that boots before the NAS VM is up does not fail its boot, and a container start that touches
 *   the path waits for the mount instead of binding the empty directory beneath it (which would
 *   let a download client fill the node's root disk).
 * - `nofail`: the automount is WantedBy remote-fs.target, not RequiredBy.
 * - `_netdev`: After/Wants network-online.target (systemd also infers it for Type=nfs).
 * - `hard`: I/O blocks and retries while the server is away instead of returning errors to
 *   applications that do not expect them (no half-written media files). The price is the seed's
 *   failure mode: processes hang until the server answers or the mount is lazily unmounted on the
 *   host (docs/runbooks/ceph-osd-restart.md).
 */
import type { NormalizedService } from '../model/service.ts';
import type { ProxmoxNode, Site } from '../model/site.ts';
import { systemdUnit } from './systemd.ts';

/** The Proxmox node each NFS-mounting service's guest runs on (its own, or the one it shares). */
export function nfsConsumers(services: readonly NormalizedService[]): { service: NormalizedService; node: ProxmoxNode }[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: { service: NormalizedService; node: ProxmoxNode }[] = [];
  for (const s of services) {
    if (s.nfsMounts.length === 0) continue;
    const owner = s.sharesGuestWith ? byName.get(s.sharesGuestWith) : s;
    const nodes = new Map<string, ProxmoxNode>();
    if (owner?.node) nodes.set(owner.node.name, owner.node);
    for (const g of owner?.guests ?? []) if (g.node) nodes.set(g.node.name, g.node);
    for (const node of nodes.values()) out.push({ service: s, node });
  }
  return out.sort((a, b) => a.node.name.localeCompare(b.node.name) || a.service.name.localeCompare(b.service.name));
}

/** Distinct nodes that mount the share, sorted by name. */
export function nfsClientNodes(services: readonly NormalizedService[]): ProxmoxNode[] {
  const nodes = new Map(nfsConsumers(services).map((c) => [c.node.name, c.node]));
  return [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `systemd-escape --path`: `/mnt/pve/nas-media` → `mnt-pve-nas\x2dmedia`. */
export function systemdEscapePath(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return '-';
  return trimmed.split('/').map((part) => [...part].map((ch, i) => {
    if (/[A-Za-z0-9:_]/.test(ch) || (ch === '.' && i > 0)) return ch;
    return [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  }).join('')).join('-');
}

/** Mount options for the host-level media mount; see the file comment for why each is there. */
export const NFS_HOST_MOUNT_OPTIONS = ['nfsvers=4.2', 'hard', 'proto=tcp', 'timeo=600', 'retrans=2', 'noatime'] as const;

export interface NfsMountUnits {
  readonly mountName: string;
  readonly automountName: string;
  readonly mount: string;
  readonly automount: string;
}

/** The `.mount` + `.automount` pair for the site's NFS share at its host mount path. */
export function nfsHostMountUnits(site: Site, header: readonly string[]): NfsMountUnits {
  const { server, export: exportPath, hostMountPath } = site.storage.nfs;
  const base = systemdEscapePath(hostMountPath);
  const mount = systemdUnit({
    Unit: {
      Description: `NFS share ${server}:${exportPath}, bind-mounted into this node's containers`,
      Documentation: 'man:nfs(5) man:systemd.mount(5)',
      Wants: 'network-online.target',
      After: 'network-online.target',
    },
    // TimeoutSec bounds a mount attempt (not the I/O of a mounted share); the automount retries.
    Mount: { What: `${server}:${exportPath}`, Where: hostMountPath, Type: 'nfs', Options: NFS_HOST_MOUNT_OPTIONS.join(','), TimeoutSec: 60 },
  }, header);
  const automount = systemdUnit({
    Unit: { Description: `Mount ${hostMountPath} on first access`, Documentation: 'man:systemd.automount(5)' },
    // Never unmount on idle: containers hold bind mounts of it.
    Automount: { Where: hostMountPath, TimeoutIdleSec: 0 },
    Install: { WantedBy: 'remote-fs.target' },
  }, header);
  return { mountName: `${base}.mount`, automountName: `${base}.automount`, mount, automount };
}
