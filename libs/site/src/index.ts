/**
 * @homelab/site: this homelab's physical facts. A different homelab is a different copy of this
 * library; libs/core holds none of these values.
 */
import { DEFAULT_TIER_WEIGHTS, type Site } from '@homelab/core';
import { ADDRESS_PLAN } from './address-plan.ts';
import { ASSUMPTIONS } from './assumptions.ts';
import { EXTERNAL_HOSTS, NODES } from './nodes.ts';

export const DOMAIN = 'woodhead.tech';

export const site: Site = {
  name: 'woodhead-homelab',
  domain: DOMAIN,
  network: { cidr: '192.168.86.0/24', gateway: '192.168.86.1', dns: ['192.168.86.1'], bridge: 'vmbr0' },
  nodes: NODES,
  externalHosts: EXTERNAL_HOSTS,
  storage: {
    local: 'local-lvm',
    images: 'local',
    // Monitors and managers on three machines of three kinds (assumptions.ts, packages/ceph (monitors)).
    ceph: { datastore: 'ceph-rbd', pool: 'rbd-k8s', size: 3, minSize: 2, monitors: ['pve1', 'tower1', 'zotac'] },
    nfs: { datastore: 'truenas-media', server: '192.168.86.40', export: '/mnt/tank/media', hostMountPath: '/mnt/pve/truenas-media' },
  },
  addressPlan: ADDRESS_PLAN,
  kubernetes: { apiVip: '192.168.86.100', metallbPool: { start: '192.168.86.150', end: '192.168.86.199' } },
  wireguard: { subnet: '10.10.0.0/24', port: 51820, endpointHost: `wg.${DOMAIN}` },
  portForwards: [
    { port: 80, protocol: 'tcp', service: 'traefik' },
    { port: 443, protocol: 'tcp', service: 'traefik' },
    { port: 51820, protocol: 'udp', service: 'wireguard' },
  ],
  // Where deploys and SSH come from. Nobody has written down the operator's machine, so this is
  // the LAN and the VPN (assumptions.ts, management.sources); narrow it to that machine's address.
  management: { sources: ['192.168.86.0/24', '10.10.0.0/24'] },
  dns: {
    provider: 'cloudflare',
    zone: DOMAIN,
    records: [
      { name: `*.${DOMAIN}`, type: 'A', content: '${var.public_ip}', proxied: false, comment: 'DNS-only: Traefik terminates TLS and sees real client IPs' },
      { name: `wg.${DOMAIN}`, type: 'A', content: '${var.public_ip}', proxied: false, comment: 'DNS-only: Cloudflare does not proxy UDP (WireGuard)' },
      { name: DOMAIN, type: 'CNAME', content: 'woodhead-tech.pages.dev', proxied: true, comment: 'Cloudflare Pages site' },
      { name: `www.${DOMAIN}`, type: 'CNAME', content: 'woodhead-tech.pages.dev', proxied: true, comment: 'Cloudflare Pages site' },
    ],
    publicWebsite: { names: [DOMAIN, `www.${DOMAIN}`], proxied: true, description: 'the Cloudflare Pages site woodhead-tech.pages.dev' },
  },
  groups: {
    core: { description: 'Ingress and identity every other service routes through', alwaysOn: true },
    storage: { description: 'Ceph and TrueNAS: block and file storage', alwaysOn: true },
    security: { description: 'Remote access VPN' },
    media: { description: 'ARR stack and media servers' },
    observability: { description: 'Metrics, dashboards, alerting' },
    'smart-home': { description: 'Home automation' },
    apps: { description: 'Self-hosted applications' },
    kubernetes: { description: 'Talos Kubernetes cluster' },
    special: { description: 'Hardware-bound services (USB or PCI passthrough): managed one by one', hardwareBound: true },
  },
  overcommit: { cpu: 3, memory: 2 },
  tiers: DEFAULT_TIER_WEIGHTS,
  providerEnv: { endpoint: 'PROXMOX_VE_ENDPOINT', apiToken: 'PROXMOX_VE_API_TOKEN', adminApiToken: 'PROXMOX_VE_ADMIN_API_TOKEN' },
  assumptions: ASSUMPTIONS,
  identity: { adminGroup: 'homelab-admins' },
  edge: {
    acmeEmail: `admin@${DOMAIN}`,
    // No preload: the apex is a Cloudflare Pages site this repository does not serve.
    hsts: { maxAgeSeconds: 31_536_000, includeSubdomains: true, preload: false },
    backendCas: {
      truenas: { pemEnv: 'TRUENAS_CA_PEM', description: 'the CA that signed the TrueNAS UI certificate (System > Certificates)' },
    },
  },
};

export default site;
export { ADDRESS_PLAN, ASSUMPTIONS, EXTERNAL_HOSTS, NODES };
