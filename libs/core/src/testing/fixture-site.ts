/**
 * A fictional homelab for package tests: every feature a catalog package may ask for (Ceph,
 * Kubernetes, WireGuard, a public website, an NAS, passthrough devices, Raspberry Pis), with
 * values of its own: reserved names (example.org), a private subnet (10.20.30.0/24), nodes named
 * rowan, hazel and linden. A package test asserts "the container's address is the site's address
 * for this service" by reading these values, so it holds no fact of any real site and fails the
 * same way for any site the definition is wrong for.
 */
import { DEFAULT_TIER_WEIGHTS } from '../model/tiers.ts';
import type { Site } from '../model/site.ts';
import { FIXTURE_IMAGE_CHECKSUMS } from './fixture-image-checksums.ts';

const GiB = 1024;
const DOMAIN = 'example.org';
const tun = { kind: 'dev', id: '/dev/net/tun', description: 'TUN device' } as const;
const igpu = { kind: 'dev', id: '/dev/dri/renderD128', description: 'integrated GPU' } as const;

export const fixtureSite: Site = {
  name: 'fixture-lab',
  domain: DOMAIN,
  network: { cidr: '10.20.30.0/24', gateway: '10.20.30.254', dns: ['10.20.30.253'], bridge: 'vmbr7' },
  nodes: [
    {
      name: 'rowan', ip: '10.20.30.2', hardware: 'fixture tower', cores: 16, memoryMiB: 64 * GiB,
      disks: [{ kind: 'nvme', sizeGiB: 1024, role: 'system' }, { kind: 'ssd', sizeGiB: 960, role: 'ceph-osd', device: '/dev/disk/by-id/fixture-osd-rowan' }],
      devices: { igpu, tun },
    },
    {
      name: 'hazel', ip: '10.20.30.3', hardware: 'fixture tower', cores: 16, memoryMiB: 64 * GiB,
      disks: [
        { kind: 'nvme', sizeGiB: 1024, role: 'system' },
        { kind: 'ssd', sizeGiB: 960, role: 'ceph-osd', device: '/dev/disk/by-id/fixture-osd-hazel' },
        { kind: 'hdd', sizeGiB: 12288, role: 'passthrough', device: '/dev/disk/by-id/fixture-nas-1' },
      ],
      devices: {
        igpu, tun,
        'rtl-sdr': { kind: 'usb', id: '0bda:2838', path: '/dev/bus/usb/003/007', description: 'SDR receiver' },
        'ha-usb': { kind: 'usb', id: '10c4:ea60', description: 'radio stick' },
      },
    },
    {
      name: 'linden', ip: '10.20.30.4', hardware: 'fixture tower', cores: 16, memoryMiB: 64 * GiB,
      disks: [{ kind: 'nvme', sizeGiB: 1024, role: 'system' }, { kind: 'ssd', sizeGiB: 960, role: 'ceph-osd', device: '/dev/disk/by-id/fixture-osd-linden' }],
      devices: {
        igpu, tun,
        'zigbee-coordinator': { kind: 'usb', id: '1a86:55d4', path: '/dev/ttyACM3', description: 'Zigbee coordinator' },
        'wifi-monitor': { kind: 'usb', id: '0bda:8812', description: 'Wi-Fi adapter with monitor mode' },
      },
    },
  ],
  externalHosts: [
    { name: 'kiosk-pi', ip: '10.20.30.90', hardware: 'Raspberry Pi', cores: 4, memoryMiB: 1024, arch: 'arm64' },
    { name: 'klipper-1', ip: '10.20.30.91', hardware: 'Raspberry Pi', cores: 4, memoryMiB: 1024, arch: 'arm64' },
    { name: 'klipper-2', ip: '10.20.30.92', hardware: 'Raspberry Pi', cores: 4, memoryMiB: 1024, arch: 'arm64' },
  ],
  storage: {
    local: 'fast-lvm',
    images: 'templates',
    ceph: { datastore: 'fixture-rbd', pool: 'fixture-pool', size: 3, minSize: 2, monitors: ['rowan', 'hazel', 'linden'] },
    nfs: { datastore: 'fixture-nas', server: '10.20.30.60', export: '/mnt/vault/share', hostMountPath: '/mnt/pve/fixture-nas' },
  },
  addressPlan: {
    traefik: { node: 'rowan', vmid: 700, ip: '10.20.30.50' },
    authentik: { node: 'rowan', vmid: 701, ip: '10.20.30.51' },
    'recipe-site': { node: 'linden', vmid: 702, ip: '10.20.30.52' },
    arr: { node: 'hazel', vmid: 703, ip: '10.20.30.53' },
    plex: { node: 'linden', vmid: 704, ip: '10.20.30.54' },
    jellyfin: { node: 'rowan', vmid: 705, ip: '10.20.30.55' },
    monitoring: { node: 'rowan', vmid: 706, ip: '10.20.30.56' },
    wireguard: { node: 'rowan', vmid: 707, ip: '10.20.30.57' },
    'sdr-scanner': { node: 'hazel', vmid: 708, ip: '10.20.30.58' },
    kanboard: { node: 'linden', vmid: 709, ip: '10.20.30.59' },
    truenas: { node: 'hazel', vmid: 710, ip: '10.20.30.60' },
    mailcow: { node: 'hazel', vmid: 711, ip: '10.20.30.61' },
    pxe: { node: 'rowan', vmid: 712, ip: '10.20.30.62' },
    zigbee2mqtt: { node: 'linden', vmid: 713, ip: '10.20.30.63' },
    openclaw: { node: 'hazel', vmid: 714, ip: '10.20.30.64' },
    'libby-alert': { node: 'hazel', vmid: 715, ip: '10.20.30.65' },
    'home-assistant': { node: 'hazel', vmid: 716, ip: '10.20.30.66' },
    pwnagotchi: { node: 'linden', vmid: 717, ip: '10.20.30.67' },
    'talos-cp-0': { node: 'rowan', vmid: 720, ip: '10.20.30.70' },
    'talos-worker-0': { node: 'hazel', vmid: 721, ip: '10.20.30.71' },
    'talos-worker-1': { node: 'linden', vmid: 722, ip: '10.20.30.72' },
    piboard: { host: 'kiosk-pi', ip: '10.20.30.90' },
    'klipper-1': { host: 'klipper-1', ip: '10.20.30.91' },
    'klipper-2': { host: 'klipper-2', ip: '10.20.30.92' },
  },
  kubernetes: { apiVip: '10.20.30.80', metallbPool: { start: '10.20.30.200', end: '10.20.30.220' } },
  wireguard: { subnet: '10.77.0.0/24', port: 51999, endpointHost: `vpn.${DOMAIN}` },
  portForwards: [
    { port: 80, protocol: 'tcp', service: 'traefik' },
    { port: 443, protocol: 'tcp', service: 'traefik' },
    { port: 51999, protocol: 'udp', service: 'wireguard' },
  ],
  management: { sources: ['10.20.30.10'] },
  dns: {
    provider: 'cloudflare',
    zone: DOMAIN,
    records: [
      { name: `*.${DOMAIN}`, type: 'A', content: '${var.public_ip}', proxied: false, comment: 'the router' },
      { name: `vpn.${DOMAIN}`, type: 'A', content: '${var.public_ip}', proxied: false, comment: 'the VPN endpoint' },
      { name: DOMAIN, type: 'CNAME', content: 'fixture.pages.example.net', proxied: true, comment: 'the public website' },
      { name: `www.${DOMAIN}`, type: 'CNAME', content: 'fixture.pages.example.net', proxied: true, comment: 'the public website' },
    ],
    publicWebsite: { names: [DOMAIN, `www.${DOMAIN}`], proxied: true, description: 'a website hosted elsewhere' },
  },
  groups: {
    core: { description: 'ingress and identity', alwaysOn: true },
    storage: { description: 'block and file storage', alwaysOn: true },
    security: { description: 'remote access' },
    media: { description: 'media' },
    observability: { description: 'metrics and alerts' },
    'smart-home': { description: 'home automation' },
    apps: { description: 'applications' },
    kubernetes: { description: 'the cluster' },
    special: { description: 'hardware-bound', hardwareBound: true },
  },
  overcommit: { cpu: 4, memory: 2 },
  tiers: DEFAULT_TIER_WEIGHTS,
  providerEnv: { endpoint: 'FIXTURE_PVE_ENDPOINT', apiToken: 'FIXTURE_PVE_TOKEN', adminApiToken: 'FIXTURE_PVE_ADMIN_TOKEN' },
  assumptions: [],
  imageChecksums: FIXTURE_IMAGE_CHECKSUMS,
  identity: { adminGroup: 'fixture-admins' },
  edge: {
    acmeEmail: `certs@${DOMAIN}`,
    backendCas: { truenas: { pemEnv: 'FIXTURE_NAS_CA_PEM', description: 'the CA of the NAS UI certificate' } },
  },
};
