/**
 * The NFS stall check on every Proxmox host. The seed's failure chain ends in "Proxmox host NFS
 * mount stalls": a hung NFS mount makes statfs block, so node_exporter's filesystem collector
 * cannot be trusted to report it. A systemd timer runs `stat -t` on the host mount point under
 * `timeout` every minute and writes two gauges to node_exporter's textfile collector directory:
 * `homelab_nfs_mount_responsive` (1/0) and the time the check finished. If the check itself hangs
 * in uninterruptible I/O, the timer does not start another run and the timestamp goes stale, which
 * the NfsMountStalled alert also catches.
 */
import { renderScript, type ConfigFile } from '@homelab/core/model';
import { generatedHeader, systemdUnit } from '@homelab/core/render';
import { NFS_LAST_CHECK_METRIC, NFS_RESPONSIVE_METRIC } from './alerts.ts';

/** Debian's prometheus-node-exporter reads *.prom files here by default. */
export const TEXTFILE_DIR = '/var/lib/prometheus/node-exporter';
export const CHECK_SCRIPT = '/usr/local/lib/homelab/nfs-mount-check.sh';
export const CHECK_UNIT = 'homelab-nfs-mount-check';
const STAT_TIMEOUT_SECONDS = 10;
/** The check's source beside this package (found from the module, so it ships with it). */
const CHECK_SCRIPT_SOURCE = new URL('../scripts/nfs-mount-check.sh', import.meta.url);

export function nfsCheckScript(pkg: { name: string; version: string }, mountPoint: string): string {
  return renderScript(CHECK_SCRIPT_SOURCE, {
    header: generatedHeader(pkg, 'NFS mount responsiveness check for the node_exporter textfile collector.'),
    values: {
      mount_point: mountPoint,
      out_dir: TEXTFILE_DIR,
      stat_timeout: STAT_TIMEOUT_SECONDS,
      responsive_metric: NFS_RESPONSIVE_METRIC,
      last_check_metric: NFS_LAST_CHECK_METRIC,
    },
  });
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
