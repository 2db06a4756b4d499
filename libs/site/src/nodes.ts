import { unmeasured, type ExternalHost, type ProxmoxNode } from '@homelab/core/model';

const GiB = 1024;

// Hardware facts the seed does not give are unmeasured inputs (what they are, how to measure
// them): synthesis leaves out what needs them, the plan lists them, deploy refuses the services
// that wait for them. `npx homelab discover` reads them from the cluster, ready to paste here.
/** The OSD SSD of a ThinkCentre: the seed's hardware table lists only the 256 GB system SSD. */
const osdSsd = () => unmeasured('stable path of the Ceph OSD SSD, a second disk the seed\'s hardware table does not list: `ls -l /dev/disk/by-id/` on the node');
/** One of tower1's HDDs: the seed says "1 TB SSD + HDDs", neither their number nor their ids. */
const towerHdd = (what: string) => unmeasured(`stable path of ${what} (the seed says only "HDDs"): \`ls -l /dev/disk/by-id/\` on the node, match the size and serial`);

/** The five Proxmox VE nodes (seed: Cluster Topology and Hardware Inventory). */
export const NODES: readonly ProxmoxNode[] = [
  {
    name: 'pve1', alias: 'thinkcentre1', ip: '192.168.86.29', hardware: 'ThinkCentre Tiny M710q, i5-7500T', cores: 4, memoryMiB: 8 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 256, role: 'system' }],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel HD 630 (Quick Sync)' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'pve2', alias: 'thinkcentre2', ip: '192.168.86.30', hardware: 'ThinkCentre Tiny M710q, i5-7500T', cores: 4, memoryMiB: 8 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 256, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: osdSsd() }],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel HD 630 (Quick Sync)' },
      // The RTL-SDR Blog V4 is a Realtek RTL2838 (0bda:2838); an LXC takes its libusb node, whose
      // bus/device numbers only the node knows (and they change when the stick is re-plugged).
      'rtl-sdr': { kind: 'usb', id: '0bda:2838', path: unmeasured('libusb node /dev/bus/usb/BBB/DDD of the RTL-SDR: `lsusb -d 0bda:2838` on the node gives bus BBB and device DDD'), description: 'RTL-SDR Blog V4' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'pve3', alias: 'thinkcentre3', ip: '192.168.86.31', hardware: 'ThinkCentre Tiny M710q, i5-7500T', cores: 4, memoryMiB: 8 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 256, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: osdSsd() }],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel HD 630 (Quick Sync)' },
      'wifi-monitor': { kind: 'usb', id: unmeasured('USB vendor:product of the monitor-mode Wi-Fi adapter (the seed names no adapter): `lsusb` on the node'), description: 'USB Wi-Fi adapter with monitor mode (Pwnagotchi)' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'tower1', ip: '192.168.86.130', hardware: 'Custom tower, i7 (6 cores)', cores: 12, memoryMiB: 32 * GiB,
    disks: [
      { kind: 'ssd', sizeGiB: 1024, role: 'system' },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: towerHdd('HDD OSD 1 of 3') },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: towerHdd('HDD OSD 2 of 3') },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: towerHdd('HDD OSD 3 of 3') },
      { kind: 'hdd', sizeGiB: 8192, role: 'passthrough', device: towerHdd('TrueNAS HDD 1 of 2') },
      { kind: 'hdd', sizeGiB: 8192, role: 'passthrough', device: towerHdd('TrueNAS HDD 2 of 2') },
    ],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel UHD (VAAPI)' },
      'ha-usb': { kind: 'usb', id: unmeasured('USB vendor:product of the radio stick Home Assistant uses (the seed names no device): `lsusb` on the node'), description: 'USB radio stick for Home Assistant' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'zotac', ip: '192.168.86.147', hardware: 'Zotac ZBOX, Ryzen 5', cores: 12, memoryMiB: 16 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 500, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: osdSsd() }],
    devices: {
      // The seed names no stick: its USB id and its serial node (stable under /dev/serial/by-id/)
      // are measured on zotac.
      'zigbee-coordinator': {
        kind: 'usb',
        id: unmeasured('USB vendor:product of the Zigbee coordinator (the seed names no stick): `lsusb` on the node'),
        path: unmeasured('serial device node of the Zigbee coordinator: `ls -l /dev/serial/by-id/` on the node (the stable by-id link)'),
        description: 'Zigbee coordinator (USB)',
      },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
];

/** The Raspberry Pis: not Proxmox guests, configured over SSH. */
export const EXTERNAL_HOSTS: readonly ExternalHost[] = [
  { name: 'pi-piboard', ip: '192.168.86.131', hardware: 'Raspberry Pi 3B, Waveshare 5" display', cores: 4, memoryMiB: 1024, arch: 'arm64' },
  { name: 'klipper-1', ip: '192.168.86.132', hardware: 'Raspberry Pi 3B', cores: 4, memoryMiB: 1024, arch: 'arm64' },
  { name: 'klipper-2', ip: '192.168.86.133', hardware: 'Raspberry Pi 3B', cores: 4, memoryMiB: 1024, arch: 'arm64' },
];
