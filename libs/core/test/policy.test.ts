import { describe, expect, it } from 'vitest';
import { buildHomelab, formatProblems, type ServiceProps, type Site } from '../src/index.ts';
import { app, entries, idp, proxy, testSite } from './fixtures/test-site.ts';

const run = (site: Site, defs: ServiceProps[]) => buildHomelab(site, entries(...defs)).problems;
const expectCode = (problems: ReturnType<typeof run>, code: string, path?: string) => {
  const hit = problems.find((p) => p.code === code && (path === undefined || p.path.includes(path)));
  expect(hit, formatProblems(problems)).toBeDefined();
  return hit!;
};

const big = (name: string, placement: string, cores: number, memoryMiB: number, over: Partial<ServiceProps> = {}): ServiceProps => ({
  name, description: name, kind: 'lxc', tier: 'normal', group: 'apps', placement,
  resources: { cores, memoryMiB, disks: [{ storage: 'local', sizeGiB: 4 }] }, ...over,
});
const plan = (extra: Site['addressPlan']): Site => ({ ...testSite, addressPlan: { ...testSite.addressPlan, ...extra } });

describe('policy: the passing site', () => {
  it('has no problem at all', () => {
    expect(formatProblems(run(testSite, [proxy, idp, app]))).toBe('');
  });
});

describe('policy: capacity', () => {
  const site = plan({ x1: { node: 'n1', vmid: 120, ip: '10.20.0.40' }, x2: { node: 'n1', vmid: 121, ip: '10.20.0.41' } });
  it('passes within the limits (n1: 4 cores, 8 GiB; limits 3x CPU, 2x RAM)', () => {
    expect(run(site, [proxy, idp, big('x1', 'x1', 4, 4096)]).filter((p) => p.source === 'libs/site')).toEqual([]);
  });
  it('CpuOvercommitExceeded', () => {
    expectCode(run(site, [proxy, idp, big('x1', 'x1', 6, 1024), big('x2', 'x2', 6, 1024)]), 'CpuOvercommitExceeded', 'nodes.n1');
  });
  it('MemoryOvercommitExceeded counts LXC hard limits', () => {
    expectCode(run(site, [proxy, idp, big('x1', 'x1', 1, 8192), big('x2', 'x2', 1, 6144)]), 'MemoryOvercommitExceeded', 'nodes.n1');
  });
  it('counts VM balloon floors, not ceilings, and fails when the floors exceed physical RAM', () => {
    const vm = big('x1', 'x1', 1, 16384, { kind: 'vm', resources: { cores: 1, memoryMiB: 16384, balloonMiB: 4096, disks: [{ storage: 'local', sizeGiB: 4 }] } });
    expect(run(site, [proxy, idp, vm]).map((p) => p.code)).not.toContain('MemoryOvercommitExceeded');
    const greedy = big('x1', 'x1', 1, 9216, { kind: 'vm', resources: { cores: 1, memoryMiB: 9216, balloonMiB: 9216, disks: [{ storage: 'local', sizeGiB: 4 }] } });
    expectCode(run(site, [proxy, idp, greedy]), 'GuaranteedMemoryExceedsPhysical', 'nodes.n1');
  });
  it('limits are site settings: a stricter site fails what the default passes', () => {
    const strict = { ...site, overcommit: { cpu: 1, memory: 1 } };
    expectCode(run(strict, [proxy, idp, big('x1', 'x1', 4, 4096)]), 'CpuOvercommitExceeded');
    expectCode(run({ ...site, overcommit: { cpu: 0, memory: 2 } }, [proxy, idp]), 'InvalidOvercommitLimit');
  });
});

describe('policy: placement', () => {
  const site = plan({ hw: { node: 'n2', vmid: 130, ip: '10.20.0.51' } });
  const hw = (over: Partial<ServiceProps>) => big('hw', 'hw', 1, 512, { group: 'special', devices: [{ device: 'stick' }], ...over });
  it('passes: a USB device on its node, in the hardware-bound group', () => {
    expect(run(plan({ hw: { node: 'n2', vmid: 130, ip: '10.20.0.51' } }), [proxy, idp, hw({})]).map((p) => p.code)).toEqual([]);
  });
  it('DeviceNotOnNode names the node that has it', () => {
    const p = expectCode(run(plan({ hw: { node: 'n1', vmid: 130, ip: '10.20.0.51' } }), [proxy, idp, hw({})]), 'DeviceNotOnNode');
    expect(p.fix).toContain('n2');
  });
  it('PassthroughOutsideHardwareGroup', () => {
    expectCode(run(plan({ hw: { node: 'n2', vmid: 130, ip: '10.20.0.51' } }), [proxy, idp, hw({ group: 'apps' })]), 'PassthroughOutsideHardwareGroup');
  });
  it('UndeclaredSharedGuest: two services on one guest without saying so', () => {
    expectCode(run(site, [proxy, idp, app, big('twin', 'app', 1, 512)]), 'UndeclaredSharedGuest');
  });
  it('declared sharing passes and is not counted twice; sharing with resources fails', () => {
    const twin: ServiceProps = { name: 'twin', description: 'twin', kind: 'lxc', tier: 'normal', group: 'apps', placement: 'app', sharesGuestWith: 'app' };
    const home = buildHomelab(site, entries(proxy, idp, app, twin));
    expect(home.problems).toEqual([]);
    expect(home.byName.get('twin')!.guests).toEqual([]);
    expectCode(run(site, [proxy, idp, app, { ...twin, resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } }]), 'SharedGuestWithResources');
    expectCode(run(site, [proxy, idp, { ...twin, sharesGuestWith: 'nobody' }]), 'UnknownSharedGuest');
  });
});

describe('policy: exposure', () => {
  it('UndeclaredPublicPort: only the router\'s forwards may be public', () => {
    expectCode(run(testSite, [proxy, idp, { ...app, ports: [{ port: 22, protocol: 'tcp', description: 'ssh', public: true }] }]), 'UndeclaredPublicPort', 'ports[0]');
  });
  it('PortForwardWithoutService', () => {
    expectCode(run(testSite, [{ ...proxy, ports: [] }, idp, app]), 'PortForwardWithoutService', 'portForwards[0]');
  });
});

describe('policy: DNS', () => {
  const records = (change: (r: Site['dns']['records'][number]) => Site['dns']['records'][number]) => ({ ...testSite, dns: { ...testSite.dns, records: testSite.dns.records.map(change) } });
  it('DnsRecordMustBeDnsOnly: a proxied wildcard or VPN record', () => {
    expectCode(run(records((r) => (r.name === '*.example.test' ? { ...r, proxied: true } : r)), [proxy, idp, app]), 'DnsRecordMustBeDnsOnly', 'dns.records[0]');
    expectCode(run(records((r) => (r.name === 'wg.example.test' ? { ...r, proxied: true } : r)), [proxy, idp, app]), 'DnsRecordMustBeDnsOnly', 'dns.records[1]');
  });
  it('DnsRecordMustBeProxied and MissingDnsRecord', () => {
    expectCode(run(records((r) => (r.name === 'www.example.test' ? { ...r, proxied: false } : r)), [proxy, idp, app]), 'DnsRecordMustBeProxied');
    expectCode(run({ ...testSite, dns: { ...testSite.dns, records: [] } }, [proxy, idp, app]), 'MissingDnsRecord');
  });
});

describe('policy: storage dependencies and groups', () => {
  const site = plan({ nas: { node: 'n2', vmid: 140, ip: '10.20.0.60' }, cephsvc: { node: 'n2', vmid: 141, ip: '10.20.0.61' } });
  const nas = big('nas', 'nas', 1, 1024, { provides: ['nfs'], group: 'core' });
  const ceph: ServiceProps = { name: 'ceph', description: 'ceph', kind: 'none', tier: 'high', group: 'core', provides: ['block-storage'] };
  it('NfsWithoutStorageDependency', () => {
    expectCode(run(site, [proxy, idp, nas, { ...app, nfsMounts: [{ share: '/media', path: '/media' }] }]), 'NfsWithoutStorageDependency');
  });
  it('CephDiskWithoutCephDependency', () => {
    const vm = big('vmsvc', 'cephsvc', 1, 1024, { kind: 'vm', resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'ceph', sizeGiB: 20 }] } });
    expectCode(run(site, [proxy, idp, ceph, vm]), 'CephDiskWithoutCephDependency');
  });
  it('AlwaysOnDependsOnStoppable', () => {
    expectCode(run(testSite, [proxy, { ...idp, dependsOn: ['proxy', 'app'] }, { ...app, dependsOn: ['proxy'] }]), 'AlwaysOnDependsOnStoppable');
  });
});
