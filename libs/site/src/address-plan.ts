import type { Placement } from '@homelab/core';

/**
 * Which service gets which VMID, IP and node. From the seed's Service Catalog and Kubernetes
 * tables; entries marked in assumptions.ts fill what the seed leaves out. Units that share a
 * guest (AlertMind in the monitoring LXC) have no entry of their own: they declare sharesGuestWith.
 */
export const ADDRESS_PLAN: Readonly<Record<string, Placement>> = {
  traefik: { node: 'pve1', vmid: 200, ip: '192.168.86.20' },
  'recipe-site': { node: 'pve3', vmid: 201, ip: '192.168.86.21' },
  arr: { node: 'pve2', vmid: 202, ip: '192.168.86.22' },
  plex: { node: 'pve3', vmid: 203, ip: '192.168.86.23' },
  jellyfin: { node: 'tower1', vmid: 204, ip: '192.168.86.24' },
  monitoring: { node: 'pve1', vmid: 205, ip: '192.168.86.25' },
  authentik: { node: 'pve1', vmid: 207, ip: '192.168.86.28' },
  wireguard: { node: 'pve1', vmid: 208, ip: '192.168.86.39' },
  'sdr-scanner': { node: 'pve2', vmid: 210, ip: '192.168.86.32' },
  kanboard: { node: 'pve3', vmid: 211, ip: '192.168.86.33' },
  mailcow: { node: 'tower1', vmid: 212, ip: '192.168.86.34' },
  pxe: { node: 'pve1', vmid: 213, ip: '192.168.86.35' },
  zigbee2mqtt: { node: 'zotac', vmid: 214, ip: '192.168.86.36' },
  openclaw: { node: 'pve2', vmid: 215, ip: '192.168.86.37' },
  'libby-alert': { node: 'pve2', vmid: 216, ip: '192.168.86.38' },
  truenas: { node: 'tower1', vmid: 300, ip: '192.168.86.40' },
  'home-assistant': { node: 'tower1', vmid: 301, ip: '192.168.86.41' },
  pwnagotchi: { node: 'pve3', vmid: 302, ip: '192.168.86.42' },
  'talos-cp-0': { node: 'tower1', vmid: 400, ip: '192.168.86.101' },
  'talos-worker-0': { node: 'pve2', vmid: 411, ip: '192.168.86.111' },
  'talos-worker-1': { node: 'pve3', vmid: 412, ip: '192.168.86.112' },
  'talos-worker-2': { node: 'zotac', vmid: 413, ip: '192.168.86.113' },
  piboard: { host: 'pi-piboard', ip: '192.168.86.131' },
  'klipper-1': { host: 'klipper-1', ip: '192.168.86.132' },
  'klipper-2': { host: 'klipper-2', ip: '192.168.86.133' },
};
