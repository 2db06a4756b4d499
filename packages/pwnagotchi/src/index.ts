import { defineService } from '@homelab/core/model';

/**
 * The seed says only "Pwnagotchi" on pve3. This provisions the VM with the monitor-mode Wi-Fi
 * adapter passed through; Pwnagotchi itself (bettercap + pwnagotchi, built for Raspberry Pi
 * images) is installed by hand on the Debian cloud image. No route: its web UI is a status
 * display with basic auth, reachable on the LAN only. See README and docs/decisions.md.
 */
export default defineService({
  name: 'pwnagotchi',
  description: 'Pwnagotchi: Wi-Fi handshake capture with a monitor-mode USB adapter',
  kind: 'vm',
  os: 'debian-12-vm',
  // Not in the seed's weight table: a hobby workload, first to yield (libs/site assumptions).
  tier: 'minimal',
  // USB passthrough binds it to pve3.
  group: 'special',
  resources: { cores: 1, memoryMiB: 1024, balloonMiB: 512, disks: [{ storage: 'local', sizeGiB: 16 }] },
  devices: [{ device: 'wifi-monitor' }],
});
