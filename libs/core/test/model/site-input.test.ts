/**
 * The site is an input: definitions may be functions of it, its Ceph, Kubernetes and WireGuard
 * are optional (a package that needs one says so with a coded problem), the public website, the
 * DNS provider, the groups and the OS images are its data. Each rule has its failing fixture
 * next to the passing one.
 */
import { describe, expect, it } from 'vitest';
import {
  buildHomelab, defineService, siteFeature, synthesizeSite, type Problem, type ServiceEntry, type ServiceProps, type Site,
} from '../../src/index.ts';
import { app, entries, idp, pkgOf, proxy, testSite } from '../fixtures/test-site.ts';

const { kubernetes: _k, wireguard: _w, ...withoutOptional } = testSite;
const { ceph: _c, ...storageWithoutCeph } = testSite.storage;
/** The test site without Ceph, Kubernetes and WireGuard. */
const bareSite: Site = { ...withoutOptional, storage: storageWithoutCeph };

const codes = (problems: readonly Problem[]) => problems.map((p) => `${p.source} ${p.code} ${p.path}`);
const entryOf = (definition: unknown, like: ServiceProps = app): ServiceEntry => ({ pkg: pkgOf(like), definition });
const build = (site: Site, ...extra: ServiceEntry[]) => buildHomelab(site, [...entries(proxy, idp), ...extra]);

describe('definitions receive the site', () => {
  const appOfSite = defineService((site) => ({ ...app, description: `the app of ${site.name}`, routes: [{ host: 'app', port: 3000, auth: 'authentik' }] }));

  it('a definition function is called with the site being built, once per site', () => {
    const first = build(testSite, entryOf(appOfSite)).byName.get('app')!;
    const second = build({ ...testSite, name: 'other-lab', domain: 'other.test', dns: { ...testSite.dns, zone: 'other.test', records: [], publicWebsite: undefined } }, entryOf(appOfSite)).byName.get('app')!;
    expect(first.description).toBe('the app of test-lab');
    expect(first.routes[0]!.fqdn).toBe('app.example.test');
    expect(second.description).toBe('the app of other-lab');
    expect(second.routes[0]!.fqdn).toBe('app.other.test');
  });

  it('MissingSiteFeature: a package that needs Kubernetes, on a site without it, names the field and the fix', () => {
    const needsK8s = defineService((site) => ({ ...app, description: `VIP ${siteFeature(site, 'kubernetes').apiVip}` }));
    expect(build(testSite, entryOf(needsK8s)).problems).toEqual([]);
    const home = build(bareSite, entryOf(needsK8s));
    expect(codes(home.problems)).toEqual(['packages/app MissingSiteFeature site.kubernetes']);
    expect(home.problems[0]!.fix).toBe('Declare kubernetes: { apiVip, metallbPool: { start, end } } in the site, or remove this package from the homelab\'s packages/.');
    expect(home.byName.has('app')).toBe(false);
  });

  it('DefinitionThrew: any other failure of a definition function is its package\'s problem, not a crash', () => {
    const broken = defineService(() => { throw new Error('no such thing'); });
    const home = build(testSite, entryOf(broken));
    expect(codes(home.problems)).toEqual(['packages/app DefinitionThrew ']);
    expect(home.problems[0]!.message).toContain('no such thing');
  });
});

describe('site features are optional', () => {
  it('a site without Ceph, Kubernetes and WireGuard builds without a problem and synthesizes like the full site', () => {
    const home = build(bareSite, ...entries(app));
    expect(home.problems).toEqual([]);
    expect(codes(synthesizeSite(home).problems)).toEqual(codes(synthesizeSite(build(testSite, ...entries(app))).problems));
  });

  it('CephDiskWithoutCephStorage: a disk on Ceph needs a site with storage.ceph', () => {
    const onCeph: ServiceProps = { ...app, resources: { ...app.resources!, disks: [{ storage: 'local', sizeGiB: 8 }, { storage: 'ceph', sizeGiB: 16 }] } };
    expect(codes(build(testSite, ...entries(onCeph)).problems)).toEqual([]);
    expect(codes(build(bareSite, ...entries(onCeph)).problems)).toEqual(['packages/app CephDiskWithoutCephStorage guests']);
  });

  it('UnknownCephMonitor: the Ceph monitors the site names are its nodes', () => {
    const monitors = (names: string[]): Site => ({ ...testSite, storage: { ...testSite.storage, ceph: { ...testSite.storage.ceph!, monitors: names } } });
    expect(codes(build(monitors(['n1', 'n2']), ...entries(app)).problems)).toEqual([]);
    expect(codes(build(monitors(['n1', 'n9']), ...entries(app)).problems)).toEqual(['libs/site UnknownCephMonitor storage.ceph.monitors[1]']);
  });

  it('FirewallSourceWithoutVpn: a port opened to "vpn" needs a site with a tunnel', () => {
    const fromVpn: ServiceProps = { ...app, ports: [{ port: 2222, protocol: 'tcp', description: 'ssh for the VPN', from: ['vpn'] }] };
    const vpnCodes = (site: Site) => codes(build(site, ...entries(fromVpn)).problems.filter((p) => p.code.startsWith('FirewallSource')));
    expect(vpnCodes(testSite)).toEqual([]);
    expect(vpnCodes(bareSite)).toEqual(['packages/app FirewallSourceWithoutVpn ports[0].from']);
  });
});

describe('the public website is the site\'s data (dns.publicWebsite)', () => {
  const dnsCodes = (site: Site) => codes(build(site, ...entries(app)).problems.filter((p) => p.code.startsWith('Dns') || p.code === 'MissingDnsRecord'));
  const records = testSite.dns.records;
  it('its names need records, proxied as it says', () => {
    expect(dnsCodes(testSite)).toEqual([]);
    expect(dnsCodes({ ...testSite, dns: { ...testSite.dns, records: records.filter((r) => r.name !== 'www.example.test') } })).toEqual(['libs/site MissingDnsRecord dns.records']);
    expect(dnsCodes({ ...testSite, dns: { ...testSite.dns, records: records.map((r) => (r.name === 'example.test' ? { ...r, proxied: false } : r)) } })).toEqual(['libs/site DnsRecordMustBeProxied dns.records[2].proxied']);
  });
  it('a site without one (and without a VPN) needs only the wildcard, DNS-only', () => {
    const wildcardOnly = { ...bareSite, dns: { provider: 'desec', zone: 'example.test', records: records.filter((r) => r.name.startsWith('*.')) } };
    expect(dnsCodes(wildcardOnly)).toEqual([]);
    expect(dnsCodes({ ...wildcardOnly, dns: { ...wildcardOnly.dns, records: [] } })).toEqual(['libs/site MissingDnsRecord dns.records']);
  });
});

describe('the deploy settings are the site\'s', () => {
  it('deploy.parallelism and deploy.proxmoxApiParallelism: whole numbers of at least 1; 0 or 1.5 is the site\'s InvalidSite, naming the field', () => {
    expect(build({ ...testSite, deploy: { parallelism: 6, proxmoxApiParallelism: 1 } }).problems).toEqual([]);
    const misshapen = { ...testSite, deploy: { parallelism: 0, proxmoxApiParallelism: 1.5 } } as unknown as Site;
    expect(codes(build(misshapen).problems).filter((c) => c.includes('InvalidSite'))).toEqual(['libs/site InvalidSite deploy.parallelism', 'libs/site InvalidSite deploy.proxmoxApiParallelism']);
    const unknown = { ...testSite, deploy: { parallel: 2 } } as unknown as Site;
    expect(codes(build(unknown).problems).some((c) => c.startsWith('libs/site ') && c.includes('deploy.parallel'))).toBe(true);
  });
});

describe('groups and OS images are the site\'s', () => {
  it('serviceGroups puts a package into one of the site\'s groups; an unknown one is UnknownGroup, named as the site\'s', () => {
    expect(build({ ...testSite, serviceGroups: { app: 'special' } }, ...entries(app)).byName.get('app')!.group).toBe('special');
    const home = build({ ...testSite, serviceGroups: { app: 'games' } }, ...entries(app));
    expect(codes(home.problems)).toEqual(['packages/app UnknownGroup group']);
    expect(home.problems[0]!.message).toBe('the site\'s serviceGroups puts app into group "games", which is not one of the site\'s groups');
  });

  const ubuntu: ServiceProps = { ...app, os: 'ubuntu-24.04' };
  const withUbuntu = (kind: 'lxc' | 'vm'): Site => ({ ...testSite, osImages: { 'ubuntu-24.04': { kind, file: 'vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst', type: 'ubuntu' } } });
  it('osImages adds images to the built-ins: the guest gets the site\'s template', () => {
    expect(codes(build(testSite, ...entries(ubuntu)).problems)).toEqual(['packages/app UnknownOsImage os']);
    const home = build(withUbuntu('lxc'), ...entries(ubuntu));
    expect(home.problems).toEqual([]);
    const stack = JSON.parse(synthesizeSite(home, { only: ['app'] }).results[0]!.files.get('terraform/cdk.tf.json')!) as { resource: Record<string, Record<string, any>> };
    expect(Object.values(stack.resource.proxmox_virtual_environment_container!)[0].operating_system).toEqual({ template_file_id: 'local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst', type: 'ubuntu' });
  });
  it('a site image of the wrong kind is OsImageKindMismatch; a misshapen one is the site\'s InvalidSite', () => {
    expect(codes(build(withUbuntu('vm'), ...entries(ubuntu)).problems)).toEqual(['packages/app OsImageKindMismatch os']);
    const misshapen = { ...testSite, osImages: { 'ubuntu-24.04': { kind: 'container', file: 'x' } } } as unknown as Site;
    expect(codes(build(misshapen, ...entries(ubuntu)).problems)).toEqual(['libs/site InvalidSite osImages["ubuntu-24.04"].kind', 'libs/site InvalidSite osImages["ubuntu-24.04"].type', 'libs/site SiteChecksSkipped osImages']);
  });
});
