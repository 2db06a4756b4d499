import type { ExternalHost, ProxmoxNode } from '@homelab/core';

const GiB = 1024;

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
    disks: [{ kind: 'ssd', sizeGiB: 256, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: '/dev/sdb' }],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel HD 630 (Quick Sync)' },
      // An LXC takes the libusb node; its bus/device numbers are an assumption (see assumptions.ts).
      'rtl-sdr': { kind: 'usb', id: '0bda:2838', path: '/dev/bus/usb/001/002', description: 'RTL-SDR Blog V4' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'pve3', alias: 'thinkcentre3', ip: '192.168.86.31', hardware: 'ThinkCentre Tiny M710q, i5-7500T', cores: 4, memoryMiB: 8 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 256, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: '/dev/sdb' }],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel HD 630 (Quick Sync)' },
      'wifi-monitor': { kind: 'usb', id: '0bda:8812', description: 'USB Wi-Fi adapter with monitor mode (Pwnagotchi)' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'tower1', ip: '192.168.86.130', hardware: 'Custom tower, i7 (6 cores)', cores: 12, memoryMiB: 32 * GiB,
    disks: [
      { kind: 'ssd', sizeGiB: 1024, role: 'system' },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: '/dev/disk/by-id/ata-HDD-OSD-1' },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: '/dev/disk/by-id/ata-HDD-OSD-2' },
      { kind: 'hdd', sizeGiB: 4096, role: 'ceph-osd', device: '/dev/disk/by-id/ata-HDD-OSD-3' },
      { kind: 'hdd', sizeGiB: 8192, role: 'passthrough', device: '/dev/disk/by-id/ata-HDD-NAS-1' },
      { kind: 'hdd', sizeGiB: 8192, role: 'passthrough', device: '/dev/disk/by-id/ata-HDD-NAS-2' },
    ],
    devices: {
      igpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'Intel UHD (VAAPI)' },
      'ha-usb': { kind: 'usb', id: '10c4:ea60', description: 'USB radio stick for Home Assistant' },
      tun: { kind: 'dev', id: '/dev/net/tun', description: 'TUN device (WireGuard clients in containers, e.g. Gluetun)' },
    },
  },
  {
    name: 'zotac', ip: '192.168.86.147', hardware: 'Zotac ZBOX, Ryzen 5', cores: 12, memoryMiB: 16 * GiB,
    disks: [{ kind: 'ssd', sizeGiB: 500, role: 'system' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: '/dev/nvme1n1' }],
    devices: {
      // The CH9102 serial bridge of the ZBDongle-E binds to cdc_acm: /dev/ttyACM0 (see assumptions.ts).
      'zigbee-coordinator': { kind: 'usb', id: '1a86:55d4', path: '/dev/ttyACM0', description: 'Zigbee coordinator (USB)' },
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
