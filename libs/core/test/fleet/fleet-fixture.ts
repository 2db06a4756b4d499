/**
 * A made-up homelab for fleet tests, with the same groups as a real site: always-on core and
 * storage, media that depends on storage, observability that depends on media, a hardware-bound
 * special group, an empty smart-home group, a service sharing another's guest, a service on a
 * Pi, services that are not guests (kind none), and a Talos cluster. Its Nx graph is built from
 * the packages' dependencies, as Nx builds it from package.json.
 */
import {
  buildHomelab, composeFile, fleetStateFrom, guestsOf, type FleetState, type Homelab, type NxProjectGraphLike, type ServiceEntry, type ServiceProps, type Site,
} from '../../src/index.ts';
import { defaultCluster, type FakeCluster } from '../pve/pve-test-server.ts';
import { toYaml } from '../../src/render/yaml.ts';
import { entries, idp, proxy, app, testSite } from '../fixtures/test-site.ts';

const R = (cores = 1, memoryMiB = 512) => ({ cores, memoryMiB, disks: [{ storage: 'local' as const, sizeGiB: 8 }] });

export const fleetSite: Site = {
  ...testSite,
  nodes: testSite.nodes.map((n) => (n.name === 'n2' ? { ...n, disks: [...n.disks, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: '/dev/sdb' }] } : n)),
  addressPlan: {
    ...testSite.addressPlan,
    nas: { node: 'n2', vmid: 300, ip: '10.20.0.40' },
    dl: { node: 'n2', vmid: 202, ip: '10.20.0.32' },
    mediasrv: { node: 'n1', vmid: 203, ip: '10.20.0.33' },
    monitor: { node: 'n1', vmid: 205, ip: '10.20.0.35' },
    vpn: { node: 'n1', vmid: 208, ip: '10.20.0.38' },
    radio: { node: 'n1', vmid: 210, ip: '10.20.0.39' },
    zigbee: { node: 'n2', vmid: 214, ip: '10.20.0.44' },
    'talos-cp-0': { node: 'n2', vmid: 400, ip: '10.20.0.101' },
    'talos-worker-0': { node: 'n1', vmid: 411, ip: '10.20.0.111' },
  },
  groups: {
    core: { description: 'ingress and identity', alwaysOn: true },
    storage: { description: 'block and file storage', alwaysOn: true },
    security: { description: 'vpn' },
    media: { description: 'media' },
    observability: { description: 'monitoring' },
    'smart-home': { description: 'home automation' },
    apps: { description: 'apps' },
    kubernetes: { description: 'talos' },
    special: { description: 'hardware-bound', hardwareBound: true },
  },
};

const defs: ServiceProps[] = [
  proxy,
  idp,
  app,
  { name: 'ceph', description: 'ceph pool', kind: 'none', tier: 'high', group: 'storage', provides: ['block-storage'] },
  { name: 'nas', description: 'nas', kind: 'vm', tier: 'high', group: 'storage', provides: ['nfs'], resources: R(2, 4096), os: 'debian-12-vm' },
  { name: 'dl', description: 'downloads', kind: 'lxc', tier: 'normal', group: 'media', resources: R(), dependsOn: ['nas'] },
  {
    name: 'mediasrv', description: 'media server', kind: 'lxc', tier: 'normal', group: 'media', resources: R(), docker: true, dependsOn: ['dl', 'nas'],
    files: () => [{ path: '/opt/stacks/mediasrv/compose.yml', format: 'compose', mode: '0644', content: toYaml(composeFile({ name: 'mediasrv', services: { web: { image: 'example/media:1' } } })) }],
  },
  { name: 'monitor', description: 'metrics', kind: 'lxc', tier: 'low', group: 'observability', resources: R(), docker: true, dependsOn: ['mediasrv', 'proxy'],
    files: () => [{ path: '/opt/stacks/monitoring/compose.yml', format: 'compose', mode: '0644', content: toYaml(composeFile({ name: 'monitoring', services: { prom: { image: 'prom/prometheus:v3' } } })) }] },
  { name: 'alerts', description: 'alert triage in the monitor guest', kind: 'lxc', tier: 'low', group: 'observability', sharesGuestWith: 'monitor', placement: 'monitor', dependsOn: ['monitor'] },
  { name: 'dash', description: 'dashboard on a pi', kind: 'external', tier: 'minimal', group: 'observability', placement: 'pi', dependsOn: ['monitor'] },
  // The management VPN: it listens on the site's WireGuard port.
  { name: 'vpn', description: 'vpn', kind: 'lxc', tier: 'minimal', group: 'security', resources: R(), ports: [{ port: 51820, protocol: 'udp', description: 'wireguard', public: true }] },
  { name: 'zigbee', description: 'zigbee coordinator', kind: 'lxc', tier: 'normal', group: 'special', resources: R(), devices: [{ device: 'stick' }] },
  { name: 'radio', description: 'sdr', kind: 'lxc', tier: 'normal', group: 'special', resources: R(), docker: true, dependsOn: ['proxy'],
    files: () => [{ path: '/opt/stacks/radio/compose.yml', format: 'compose', mode: '0644', content: toYaml(composeFile({ name: 'radio', services: { sdr: { image: 'example/sdr:2' } } })) }] },
  {
    name: 'k8s', description: 'talos cluster', kind: 'none', tier: 'high', group: 'kubernetes', dependsOn: ['ceph'],
    guests: [
      { name: 'talos-cp-0', kind: 'vm', placement: 'talos-cp-0', tier: 'high', resources: { cores: 2, memoryMiB: 4096, disks: [{ storage: 'ceph', sizeGiB: 32 }] }, os: 'talos-1.13' },
      { name: 'talos-worker-0', kind: 'vm', placement: 'talos-worker-0', tier: 'normal', resources: { cores: 4, memoryMiB: 8192, disks: [{ storage: 'ceph', sizeGiB: 64 }] }, os: 'talos-1.13' },
    ],
    facts: { kubernetes: { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'talos-cp-0', role: 'controlplane' }, { guest: 'talos-worker-0', role: 'worker' }] } },
  },
];

export function fleetEntries(): ServiceEntry[] {
  return entries(...defs);
}

export function fleetHomelab(site: Site = fleetSite): Homelab {
  return buildHomelab(site, fleetEntries(), { rules: [] });
}

/** What Nx builds from these packages' package.json: one project per package, one edge per dependency. */
export function fleetNxGraph(home: Homelab = fleetHomelab(), tweak: (deps: Record<string, string[]>) => void = () => {}): NxProjectGraphLike {
  const deps: Record<string, string[]> = {};
  for (const s of home.services) deps[s.pkg.name] = [...s.pkg.dependencies];
  tweak(deps);
  const nodes: Record<string, { name: string; type: string; data: { root: string } }> = {
    '@t/core': { name: '@t/core', type: 'lib', data: { root: 'libs/core' } },
  };
  for (const s of home.services) nodes[s.pkg.name] = { name: s.pkg.name, type: 'app', data: { root: s.pkg.dir } };
  return {
    nodes,
    dependencies: Object.fromEntries(Object.entries(deps).map(([p, list]) => [p, list.map((t) => ({ source: p, target: t, type: 'static' }))])),
  };
}

/** Every guest of a homelab (deduplicated by VMID), for a simulated cluster or a state. */
export function allGuests(home: Homelab): { vmid: number; type: 'lxc' | 'qemu'; node: string; name: string; owner: string; version: string }[] {
  const seen = new Map<number, { vmid: number; type: 'lxc' | 'qemu'; node: string; name: string; owner: string; version: string }>();
  for (const s of home.services) {
    for (const g of guestsOf(home, s)) {
      if (!seen.has(g.vmid)) seen.set(g.vmid, { vmid: g.vmid, type: g.type, node: g.plannedNode ?? 'n1', name: g.name, owner: g.owner, version: home.byName.get(g.owner)!.pkg.version });
    }
  }
  return [...seen.values()].sort((a, b) => a.vmid - b.vmid);
}

/** Live state where the guests of the services `running` says yes to run, and the rest are stopped. */
export function stateWhere(home: Homelab, running: (service: string) => boolean): FleetState {
  return fleetStateFrom(allGuests(home).map((g) => ({
    id: `${g.type}/${g.vmid}`, type: g.type, vmid: g.vmid, node: g.node, name: g.name,
    status: running(g.owner) ? 'running' : 'stopped', uptime: running(g.owner) ? 3600 : 0, tags: `homelab;svc-${g.owner};v${g.version}`,
  })));
}

/** A simulated cluster holding the homelab's guests. */
export function clusterWhere(home: Homelab, running: (service: string) => boolean, overrides: Partial<FakeCluster> = {}): FakeCluster {
  return defaultCluster({
    guests: allGuests(home).map((g) => ({ vmid: g.vmid, node: g.node, type: g.type, name: g.name, status: running(g.owner) ? 'running' : 'stopped', tags: `homelab;svc-${g.owner};v${g.version}` })),
    ...overrides,
  });
}
