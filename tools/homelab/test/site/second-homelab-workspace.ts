/**
 * A second homelab, of our own making, as a throwaway workspace: its own site module (another
 * domain, another subnet, three nodes with other names, no Ceph, no Kubernetes, no WireGuard, no
 * public website on the apex, deSEC as its DNS provider, its own groups and an OS image of its
 * own), copies of three of this repository's packages (traefik, authentik, kanboard) and a
 * service this catalog does not have (bookshelf), written here. libs/core and tools are used as
 * they are: the packages import @homelab/core through the workspace's node_modules.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The repository's packages the second homelab uses as they are. */
export const BORROWED_PACKAGES = ['traefik', 'authentik', 'kanboard'] as const;

const SITE = `import { DEFAULT_TIER_WEIGHTS, type Site } from '@homelab/core';

const DOMAIN = 'harbor.example.net';

export const site: Site = {
  name: 'harbor-lab',
  domain: DOMAIN,
  network: { cidr: '10.42.8.0/24', gateway: '10.42.8.254', dns: ['10.42.8.254'], bridge: 'br-lan' },
  nodes: [
    { name: 'alder', ip: '10.42.8.11', hardware: 'Intel NUC 12', cores: 8, memoryMiB: 32768, disks: [{ kind: 'nvme', sizeGiB: 1024, role: 'system' }], devices: {} },
    { name: 'birch', ip: '10.42.8.12', hardware: 'Intel NUC 12', cores: 8, memoryMiB: 32768, disks: [{ kind: 'nvme', sizeGiB: 1024, role: 'system' }], devices: {} },
    { name: 'cedar', ip: '10.42.8.13', hardware: 'Minisforum UM790', cores: 16, memoryMiB: 65536, disks: [{ kind: 'nvme', sizeGiB: 2048, role: 'system' }], devices: {} },
  ],
  externalHosts: [],
  storage: {
    local: 'local-zfs', images: 'local',
    nfs: { datastore: 'nas-books', server: '10.42.8.60', export: '/volume1/books', hostMountPath: '/mnt/pve/nas-books' },
  },
  addressPlan: {
    traefik: { node: 'alder', vmid: 1100, ip: '10.42.8.30' },
    authentik: { node: 'birch', vmid: 1101, ip: '10.42.8.31' },
    kanboard: { node: 'cedar', vmid: 1102, ip: '10.42.8.32' },
    bookshelf: { node: 'cedar', vmid: 1103, ip: '10.42.8.33' },
  },
  portForwards: [{ port: 443, protocol: 'tcp', service: 'traefik' }, { port: 80, protocol: 'tcp', service: 'traefik' }],
  management: { sources: ['10.42.8.5'] },
  dns: {
    provider: 'desec',
    zone: 'example.net',
    records: [{ name: '*.' + DOMAIN, type: 'A', content: '203.0.113.7', proxied: false, comment: 'the router' }],
  },
  groups: {
    edge: { description: 'Ingress and sign-in', alwaysOn: true },
    work: { description: 'Planning' },
    family: { description: 'For the household' },
  },
  serviceGroups: { traefik: 'edge', authentik: 'edge', kanboard: 'work' },
  overcommit: { cpu: 4, memory: 1.5 },
  tiers: DEFAULT_TIER_WEIGHTS,
  providerEnv: { endpoint: 'PROXMOX_VE_ENDPOINT', apiToken: 'PROXMOX_VE_API_TOKEN', adminApiToken: 'PROXMOX_VE_ADMIN_API_TOKEN' },
  assumptions: [],
  identity: { adminGroup: 'harbor-operators' },
  edge: { acmeEmail: 'ops@' + DOMAIN },
  osImages: {
    'ubuntu-24.04': { kind: 'lxc', file: 'vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst', type: 'ubuntu' },
  },
};

export default site;
`;

/** The service this catalog does not have: a book catalogue, a Compose app on the site's own Ubuntu image. */
const BOOKSHELF = `import { composeFile, defineService, generatedHeader, stackDir, toYaml, type ConfigFile, type RenderContext } from '@homelab/core';

const STACK = stackDir('bookshelf');
const PORT = 8083;

function files(ctx: RenderContext): ConfigFile[] {
  const compose = composeFile({
    name: 'bookshelf',
    services: {
      bookshelf: {
        image: 'docker.io/linuxserver/calibre-web:0.6.24',
        ports: ['0.0.0.0:' + PORT + ':8083'],
        volumes: ['/srv/books:/books:ro', './config:/config'],
      },
    },
  });
  return [{ path: STACK + '/compose.yml', mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(ctx.service.pkg, 'Bookshelf (Calibre-Web) on ' + ctx.site.name + '.') }) }];
}

export default defineService((site) => ({
  name: 'bookshelf',
  description: 'The household book catalogue (Calibre-Web) of ' + site.name,
  kind: 'lxc',
  tier: 'low',
  group: 'family',
  os: 'ubuntu-24.04',
  docker: true,
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
  routes: [{ host: 'books', port: PORT, auth: 'authentik', admin: false }],
  ports: [{ port: PORT, protocol: 'tcp', description: 'Calibre-Web, behind Traefik' }],
  dependsOn: ['authentik', 'traefik'],
  files,
}));
`;

export function createSecondHomelab(): string {
  const ws = mkdtempSync(join(tmpdir(), 'homelab-second-'));
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'harbor-lab', private: true, type: 'module' }));
  mkdirSync(join(ws, 'node_modules', '@homelab'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'libs/core'), join(ws, 'node_modules', '@homelab', 'core'));
  writeFileSync(join(ws, 'site.ts'), SITE);
  for (const name of BORROWED_PACKAGES) {
    for (const part of ['package.json', 'src', 'smoke']) cpSync(join(REPO_ROOT, 'packages', name, part), join(ws, 'packages', name, part), { recursive: true });
  }
  const bookshelf = join(ws, 'packages', 'bookshelf');
  mkdirSync(join(bookshelf, 'src'), { recursive: true });
  mkdirSync(join(bookshelf, 'smoke'), { recursive: true });
  writeFileSync(join(bookshelf, 'package.json'), JSON.stringify({
    name: '@harbor/bookshelf', version: '0.1.0', private: true, type: 'module',
    dependencies: { '@homelab/authentik': '*', '@homelab/core': '*', '@homelab/traefik': '*' },
  }, null, 2));
  writeFileSync(join(bookshelf, 'src', 'index.ts'), BOOKSHELF);
  writeFileSync(join(bookshelf, 'smoke', 'bookshelf.smoke.ts'), '// the route answers: run against the deployed site\n');
  return ws;
}
