/**
 * Smoke tests of proxmox against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { nfsClientNodes } from '@homelab/core/render';
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('proxmox')!;

describeSmoke('proxmox', [
  ...serviceSmokeRows(home, service),
  ...home.site.nodes.map((n) => ({ kind: 'tcp' as const, host: n.ip, port: 8006, title: `${n.name} answers on the Proxmox VE API (${n.ip}:8006)` })),
  // The NFS server the host mounts reach (a stalled export shows up here first).
  ...(nfsClientNodes(home.services).length ? [{ kind: 'tcp' as const, host: home.site.storage.nfs.server, port: 2049, title: `NFS server of the host mounts answers (${home.site.storage.nfs.server}:2049)` }] : []),
]);
