/**
 * The NFS stall check on every Proxmox host. The seed's failure chain ends in "Proxmox host NFS
 * mount stalls": a hung NFS mount makes statfs block, so node_exporter's filesystem collector
 * cannot be trusted to report it. A systemd timer runs `stat -t` on the host mount point under
 * `timeout` every minute and writes two gauges to node_exporter's textfile collector directory:
 * `homelab_nfs_mount_responsive` (1/0) and the time the check finished. If the check itself hangs
 * in uninterruptible I/O, the timer does not start another run and the timestamp goes stale, which
 * the NfsMountStalled alert also catches.
 */
import { generatedHeader, shellQuote, systemdUnit, type ConfigFile } from '@homelab/core';
import { NFS_LAST_CHECK_METRIC, NFS_RESPONSIVE_METRIC } from './alerts.ts';

/** Debian's prometheus-node-exporter reads *.prom files here by default. */
export const TEXTFILE_DIR = '/var/lib/prometheus/node-exporter';
export const CHECK_SCRIPT = '/usr/local/lib/homelab/nfs-mount-check.sh';
export const CHECK_UNIT = 'homelab-nfs-mount-check';
const STAT_TIMEOUT_SECONDS = 10;

export function nfsCheckScript(pkg: { name: string; version: string }, mountPoint: string): string {
  const header = generatedHeader(pkg, 'NFS mount responsiveness check for the node_exporter textfile collector.').map((l) => `# ${l}`);
  return `#!/bin/sh
${header.join('\n')}
set -u
mount_point=${shellQuote(mountPoint)}
out_dir=${shellQuote(TEXTFILE_DIR)}
tmp="$out_dir/.nfs-mount.prom.$$"
# A stalled hard NFS mount blocks stat(2); -k sends SIGKILL if SIGTERM is not enough.
if timeout -k 5 ${STAT_TIMEOUT_SECONDS} stat -t "$mount_point" >/dev/null 2>&1; then responsive=1; else responsive=0; fi
mkdir -p "$out_dir"
{
  echo '# HELP ${NFS_RESPONSIVE_METRIC} 1 when stat of the NFS mount point answered within ${STAT_TIMEOUT_SECONDS} seconds.'
  echo '# TYPE ${NFS_RESPONSIVE_METRIC} gauge'
  echo "${NFS_RESPONSIVE_METRIC}{mountpoint=\\"$mount_point\\"} $responsive"
  echo '# HELP ${NFS_LAST_CHECK_METRIC} Unix time the NFS mount check last finished.'
  echo '# TYPE ${NFS_LAST_CHECK_METRIC} gauge'
  echo "${NFS_LAST_CHECK_METRIC}{mountpoint=\\"$mount_point\\"} $(date +%s)"
} > "$tmp"
mv "$tmp" "$out_dir/nfs-mount.prom"
`;
}

/** The script, its oneshot service and the timer, for one Proxmox host. */
export function nfsCheckFiles(pkg: { name: string; version: string }, host: string, mountPoint: string): ConfigFile[] {
  const header = generatedHeader(pkg, 'NFS mount stall check (node_exporter textfile collector).');
  const hostLevel = { reason: `the check watches the node's own NFS mount ${mountPoint}, which only the node can see stall` };
  return [
    { path: CHECK_SCRIPT, host, hostLevel, mode: '0755', format: 'shell', content: nfsCheckScript(pkg, mountPoint) },
    {
      path: `/etc/systemd/system/${CHECK_UNIT}.service`, host, hostLevel, mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: `Check that the NFS mount ${mountPoint} answers`, After: 'remote-fs.target' },
        Service: { Type: 'oneshot', ExecStart: CHECK_SCRIPT, TimeoutStartSec: '5min' },
      }, header),
    },
    {
      path: `/etc/systemd/system/${CHECK_UNIT}.timer`, host, hostLevel, mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: `Run ${CHECK_UNIT} every minute` },
        Timer: { OnBootSec: '1min', OnUnitActiveSec: '1min', AccuracySec: '5s' },
        Install: { WantedBy: 'timers.target' },
      }, header),
    },
  ];
}
