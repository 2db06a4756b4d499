import { describe, expect, it } from 'vitest';
import { buildHomelab, formatProblems, type ServiceProps, type Site } from '../src/index.ts';
import { app, entries, idp, pkgOf, proxy, testSite } from './fixtures/test-site.ts';

const codes = (site: Site, defs: ServiceProps[]) => buildHomelab(site, entries(...defs)).problems.map((p) => p.code);

describe('model: a valid site', () => {
  it('builds with no problem and applies the defaults once', () => {
    const home = buildHomelab(testSite, entries(proxy, idp, app));
    expect(home.problems).toEqual([]);
    const a = home.byName.get('app')!;
    expect(a.cpuWeight).toBe(1024);
    expect(a.routes[0]).toMatchObject({ fqdn: 'app.example.test', backendUrl: 'http://10.20.0.22:3000', admin: true, scheme: 'http', probePath: '/' });
    expect(a.guests[0]).toMatchObject({ kind: 'lxc', placement: { vmid: 102, node: 'n2' }, resources: { swapMiB: 512, balloonMiB: 1024 } });
    expect(home.byName.get('idp')!.cpuWeight).toBe(1200);
  });
});

const bad = (over: Partial<ServiceProps>): ServiceProps => ({ ...app, ...over }) as ServiceProps;

describe.each<[string, ServiceProps[], string, string?]>([
  ['InvalidName', [proxy, idp, bad({ name: 'App_1' as never })], 'InvalidName'],
  ['InvalidKind', [proxy, idp, bad({ kind: 'docker' as never })], 'InvalidKind'],
  ['InvalidTier', [proxy, idp, bad({ tier: 'urgent' as never })], 'InvalidTier'],
  ['MissingResources', [proxy, idp, bad({ resources: undefined })], 'MissingResources'],
  ['InvalidCores', [proxy, idp, bad({ resources: { cores: 0, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } })], 'InvalidCores'],
  ['MissingDisk', [proxy, idp, bad({ resources: { cores: 1, memoryMiB: 512, disks: [] } })], 'MissingDisk'],
  ['InvalidBalloonFloor', [proxy, idp, bad({ resources: { cores: 1, memoryMiB: 512, balloonMiB: 1024, disks: [{ storage: 'local', sizeGiB: 4 }] } })], 'InvalidBalloonFloor'],
  ['UnknownGroup', [proxy, idp, bad({ group: 'games' })], 'UnknownGroup'],
  ['UnknownPlacement', [proxy, idp, bad({ placement: 'nowhere' })], 'UnknownPlacement'],
  ['CpuWeightOutsideTier', [proxy, idp, bad({ cpuWeight: 2048 })], 'CpuWeightOutsideTier'],
  ['UnknownDependency', [proxy, idp, bad({ dependsOn: ['proxy', 'idp', 'database'] })], 'UnknownDependency'],
  ['SelfDependency', [proxy, idp, bad({ dependsOn: ['proxy', 'idp', 'app'] })], 'SelfDependency'],
  ['RouteHostOutsideDomain', [proxy, idp, bad({ routes: [{ host: 'app.other.org', port: 80, auth: 'authentik' }] })], 'RouteHostOutsideDomain'],
  ['AdminRouteWithoutAuth', [proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none' }] })], 'AdminRouteWithoutAuth'],
  ['UnauthenticatedRoute', [proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false }] })], 'UnauthenticatedRoute'],
  ['UnauthenticatedRoute (public: false said explicitly)', [proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false, public: false }] })], 'UnauthenticatedRoute'],
  ['AdminRouteWithoutAuth (public does not excuse an admin surface)', [proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none', public: true }] })], 'AdminRouteWithoutAuth'],
  ['InvalidRoutePublic', [proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false, public: 'yes' as never }] })], 'InvalidRoutePublic'],
  ['DuplicateRouteHost', [proxy, idp, bad({ routes: [{ host: 'auth', port: 80, auth: 'authentik' }] })], 'DuplicateRouteHost'],
  ['CatchAllRoute', [proxy, idp, bad({ routes: [{ host: '*.example.test', port: 80, auth: 'authentik' }] })], 'CatchAllRoute'],
  ['SecretNotEnvReference', [proxy, idp, bad({ secrets: [{ env: 'sk-live-abcdef123456', description: 'a key pasted as a value' }] })], 'SecretNotEnvReference'],
  ['RouteWithoutIngressDependency', [proxy, idp, bad({ dependsOn: ['idp'] })], 'RouteWithoutIngressDependency'],
  ['ProtectedRouteWithoutIdentityDependency', [proxy, idp, bad({ dependsOn: ['proxy'] })], 'ProtectedRouteWithoutIdentityDependency'],
])('model rule %s', (_name, defs, code) => {
  it(`reports ${code} with its path and a fix`, () => {
    const home = buildHomelab(testSite, entries(...defs));
    const hit = home.problems.find((p) => p.code === code);
    expect(hit, formatProblems(home.problems)).toBeDefined();
    expect(hit!.source).toMatch(/^packages\//);
    expect(hit!.fix.length).toBeGreaterThan(5);
  });
});

describe('model: a public read-only route', () => {
  it('accepts auth "none" on a route declared public and not admin, and defaults public to false', () => {
    const site = buildHomelab(testSite, entries(proxy, idp, bad({ routes: [{ host: 'app', port: 80, auth: 'none', admin: false, public: true }] })));
    expect(site.problems).toEqual([]);
    expect(site.byName.get('app')!.routes[0]).toMatchObject({ auth: 'none', admin: false, public: true });
    expect(buildHomelab(testSite, entries(proxy, idp, app)).byName.get('app')!.routes[0]!.public).toBe(false);
  });
});

describe('model: dependencies agree with package.json', () => {
  it('reports a model dependency missing from package.json', () => {
    const home = buildHomelab(testSite, [
      ...entries(proxy, idp),
      { pkg: { ...pkgOf(app), dependencies: ['@t/proxy'] }, definition: app },
    ]);
    expect(home.problems.map((p) => p.code)).toContain('DependencyMissingFromPackageJson');
  });
  it('reports a package.json dependency the model does not declare', () => {
    const home = buildHomelab(testSite, [...entries(proxy, idp), { pkg: pkgOf(app, ['@t/vmsvc']), definition: app }, ...entries({ ...app, name: 'vmsvc', placement: 'vm', routes: [], dependsOn: [] })]);
    expect(home.problems.map((p) => p.code)).toContain('PackageJsonDependencyNotDeclared');
  });
  it('reports a cycle once, naming its members', () => {
    const a: ServiceProps = { ...app, name: 'app', routes: [], dependsOn: ['vm'] };
    const b: ServiceProps = { ...app, name: 'vm', placement: 'vm', routes: [], dependsOn: ['app'] };
    const problems = buildHomelab(testSite, entries(proxy, idp, a, b)).problems.filter((p) => p.code === 'DependencyCycle');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('app → vm → app');
  });
});

describe('model: the address plan', () => {
  const withPlan = (plan: Site['addressPlan']): Site => ({ ...testSite, addressPlan: { ...testSite.addressPlan, ...plan } });
  it.each<[string, Site['addressPlan']]>([
    ['DuplicateVmid', { other: { node: 'n1', vmid: 100, ip: '10.20.0.30' } }],
    ['DuplicateIp', { other: { node: 'n1', vmid: 150, ip: '10.20.0.20' } }],
    ['IpOutsideSubnet', { other: { node: 'n1', vmid: 150, ip: '10.21.0.30' } }],
    ['IpIsGateway', { other: { node: 'n1', vmid: 150, ip: '10.20.0.1' } }],
    ['IpIsApiVip', { other: { node: 'n1', vmid: 150, ip: '10.20.0.100' } }],
    ['IpInMetallbPool', { other: { node: 'n1', vmid: 150, ip: '10.20.0.160' } }],
    ['IpIsNetworkOrBroadcast', { other: { node: 'n1', vmid: 150, ip: '10.20.0.255' } }],
    ['InvalidIp', { other: { node: 'n1', vmid: 150, ip: '10.20.0' } }],
    ['VmidOutOfRange', { other: { node: 'n1', vmid: 42, ip: '10.20.0.31' } }],
  ])('%s', (code, plan) => {
    const problems = buildHomelab(withPlan(plan), entries(proxy, idp, app)).problems;
    const hit = problems.find((p) => p.code === code);
    expect(hit, formatProblems(problems)).toBeDefined();
    expect(hit!.source).toBe('libs/site');
    expect(hit!.path).toContain('addressPlan.other');
  });
  it('reports an unknown node named by the plan', () => {
    expect(codes(withPlan({ app: { node: 'n9', vmid: 102, ip: '10.20.0.22' } }), [proxy, idp, app])).toContain('UnknownNode');
  });
  it('a node address clashing with a guest is a duplicate', () => {
    expect(codes(withPlan({ app: { node: 'n2', vmid: 102, ip: '10.20.0.11' } }), [proxy, idp, app])).toContain('DuplicateIp');
  });
});

describe('model: every problem at once', () => {
  it('reports several problems of one definition together, grouped by package', () => {
    const broken = bad({ tier: 'urgent' as never, group: 'games', routes: [{ host: 'x.other.org', port: 70000, auth: 'maybe' as never }] });
    const home = buildHomelab(testSite, entries(proxy, idp, broken));
    const found = home.problems.filter((p) => p.source === 'packages/app').map((p) => p.code);
    expect(found).toEqual(expect.arrayContaining(['InvalidTier', 'InvalidPort', 'InvalidAuth']));
    const text = formatProblems(home.problems);
    expect(text).toMatch(/^packages\/app \(\d+ problems\)/m);
  });
  it('never throws on garbage', () => {
    const home = buildHomelab(testSite, [{ pkg: pkgOf({ name: 'junk' }), definition: 42 }, { pkg: pkgOf({ name: 'nul' }), definition: null }]);
    expect(home.problems.filter((p) => p.source.startsWith('packages/')).map((p) => p.code)).toEqual(['NotAServiceDefinition', 'NotAServiceDefinition']);
  });
});
