/**
 * Unknown keys (issue 8): a key the schema does not declare, at any level of a service definition
 * or of the site, is an `UnknownKey` problem naming the key, with the closest valid key as the
 * fix, never silently ignored. Each rule has its passing fixture next to the failing one.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, formatProblems, type Problem, type ServiceProps, type Site } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

/** The app service with fields overridden, type checks off: a cast or a plain-JS package. */
const appWith = (over: Record<string, unknown>): ServiceProps => ({ ...app, ...over }) as ServiceProps;
/** Parse and normalize only: the policy rules are other tests' business, and keep changing. */
const build = (site: Site, ...defs: ServiceProps[]) => buildHomelab(site, entries(proxy, idp, ...defs), { rules: [] });
const unknownKeys = (problems: readonly Problem[]) => problems.filter((p) => p.code === 'UnknownKey');

describe('unknown keys in a service definition', () => {
  it('passes the fixture with only declared keys', () => {
    expect(build(testSite, app).problems).toEqual([]);
  });

  it('reports an unknown top-level key with its path, the key received, and the valid keys when none is close', () => {
    const home = build(testSite, appWith({ nonsenseField: 1 }));
    expect(home.problems).toHaveLength(1);
    const [p] = home.problems;
    expect(p).toMatchObject({ source: 'packages/app', path: 'nonsenseField', code: 'UnknownKey', received: 'nonsenseField' });
    expect(p!.message).toContain('"nonsenseField"');
    expect(p!.fix).not.toMatch(/did you mean/i);
    for (const key of ['name', 'description', 'kind', 'routes', 'hostPackages']) expect(p!.fix).toContain(key);
    // The rest of the definition is still checked and built: an unknown key does not hide the service.
    expect(home.byName.get('app')).toBeDefined();
  });

  it('suggests the closest top-level key for a typo', () => {
    const [p] = build(testSite, appWith({ dependsOnn: ['proxy'] })).problems;
    expect(p).toMatchObject({ path: 'dependsOnn', code: 'UnknownKey' });
    expect(p!.fix).toMatch(/did you mean `dependsOn`\?/i);
  });

  it('reports a typo inside a route (`auht`) with "did you mean `auth`?", alongside the missing auth', () => {
    const home = build(testSite, appWith({ routes: [{ host: 'app', port: 3000, auht: 'authentik' }] }));
    const typo = unknownKeys(home.problems);
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatchObject({ path: 'routes[0].auht', received: 'auht' });
    expect(typo[0]!.fix).toMatch(/did you mean `auth`\?/i);
    expect(home.problems.map((p) => `${p.code} ${p.path}`)).toContain('InvalidAuth routes[0].auth');
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a disk', { resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8, sizeGb: 8 }] } }, 'resources.disks[0].sizeGb', 'sizeGiB'],
    ['resources', { resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }], balloonMib: 512 } }, 'resources.balloonMib', 'balloonMiB'],
    ['a secret', { secrets: [{ env: 'APP_TOKEN', description: 'api token', optinal: true }] }, 'secrets[0].optinal', undefined as never],
    ['a port', { ports: [{ port: 3000, protocol: 'tcp', description: 'web', pubilc: true }] }, 'ports[0].pubilc', 'public'],
    ['a metrics endpoint', { metrics: [{ name: 'app', port: 9100, pth: '/m' }] }, 'metrics[0].pth', 'path'],
    ['an NFS mount', { nfsMounts: [{ share: '/media', path: '/media', readonly: true }] }, 'nfsMounts[0].readonly', 'readOnly'],
    ['a guest', { guests: [{ name: 'app-2', kind: 'lxc', placement: 'vm', tier: 'normal', resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] }, cpuweight: 1024 }] }, 'guests[0].cpuweight', 'cpuWeight'],
    ['the facts', { facts: { killswitch: { gateway: 'vpn', clients: ['dl'] } } }, 'facts.killswitch', 'killSwitch'],
    ['a fact', { facts: { killSwitch: { gateway: 'vpn', clients: ['dl'], client: ['x'] } } }, 'facts.killSwitch.client', 'clients'],
  ])('reports an unknown key inside %s at its full path', (_what, over, path, suggestion) => {
    const typo = unknownKeys(build(testSite, appWith(over)).problems);
    expect(typo.map((p) => p.path)).toEqual([path]);
    if (suggestion) expect(typo[0]!.fix).toContain(`did you mean \`${suggestion}\`?`.replace(/^d/, 'D'));
    else expect(typo[0]!.fix).toMatch(/^Remove it; the keys of secrets\[0\] are: env, description\.$/);
  });

  it('keeps free-form maps free-form: hostPackages, metrics params and the images of unpinnedImages take any key', () => {
    const home = build(testSite, appWith({
      facts: { unpinnedImages: { 'registry.example.test/any/name:latest': 'upstream publishes only latest' } },
      hostPackages: { app: ['curl'], 'some-other-host': ['jq'] },
      metrics: [{ name: 'app', port: 9100, params: { target: ['x'], module: ['y'] } }],
    }));
    expect(home.problems).toEqual([]);
  });

  it('reports every problem at once: two unknown keys and an invalid kind are three problems', () => {
    const home = build(testSite, appWith({ kind: 'docker', nonsenseField: 1, routes: [{ host: 'app', port: 3000, auth: 'authentik', auht: 'app' }] }));
    expect(home.problems.map((p) => `${p.code} ${p.path}`).sort()).toEqual(['InvalidKind kind', 'UnknownKey nonsenseField', 'UnknownKey routes[0].auht']);
  });

  it('names the key, not its value, so a secret pasted under a wrong key is not echoed', () => {
    const home = build(testSite, appWith({ apiToken: 'sk-live-abcdef123456' }));
    const text = formatProblems(home.problems);
    expect(text).toMatch(/^ {2}error UnknownKey at apiToken$/m);
    expect(text).not.toContain('abcdef123456');
  });

  it('prints the fix in the terminal format', () => {
    const text = formatProblems(build(testSite, appWith({ routes: [{ host: 'app', port: 3000, auth: 'authentik', probepath: '/health' }] })).problems);
    expect(text).toMatch(/^packages\/app \(1 problem\)$/m);
    expect(text).toMatch(/^ {2}error UnknownKey at routes\[0\]\.probepath$/m);
    expect(text).toMatch(/^ {6}fix: Did you mean `probePath`\? .+\.$/m);
  });

  it('rejects an unknown key at compile time too: the type is inferred from the same schema', () => {
    // @ts-expect-error nonsenseField is not a key of ServiceProps
    const def: ServiceProps = { ...app, nonsenseField: 1 };
    expect(unknownKeys(build(testSite, def).problems)).toHaveLength(1);
  });
});

describe('shapes from the schema that no hand-written check covers', () => {
  it('passes a route with scheme "https"', () => {
    expect(build(testSite, appWith({ routes: [{ host: 'app', port: 3000, auth: 'authentik', scheme: 'https' }] })).problems).toEqual([]);
  });

  it('reports a route with scheme "ftp" as InvalidField, with the allowed values', () => {
    const home = build(testSite, appWith({ routes: [{ host: 'app', port: 3000, auth: 'authentik', scheme: 'ftp' }] }));
    expect(home.problems).toHaveLength(1);
    expect(home.problems[0]).toMatchObject({ code: 'InvalidField', path: 'routes[0].scheme', received: 'ftp' });
    expect(home.problems[0]!.fix).toBe('Use one of: "http", "https".');
  });

  it('does not report twice what a hand-written check already reported with its own code', () => {
    const home = build(testSite, appWith({ name: 'App_1', resources: { cores: 0, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } }));
    expect(home.problems.map((p) => `${p.code} ${p.path}`)).toEqual(['InvalidName name', 'InvalidCores resources.cores']);
  });
});

const withNode = (over: Record<string, unknown>): Site => ({ ...testSite, nodes: [{ ...testSite.nodes[0]!, ...over } as never, testSite.nodes[1]!] });

describe('unknown keys in the site', () => {
  it('passes the test site', () => {
    expect(build(testSite, app).problems).toEqual([]);
  });

  it('reports a node field typo with the closest key, and still builds the model', () => {
    const home = build(withNode({ hardwre: 'mini pc' }), app);
    expect(home.problems).toHaveLength(1);
    expect(home.problems[0]).toMatchObject({ source: 'libs/site', path: 'nodes[0].hardwre', code: 'UnknownKey', received: 'hardwre' });
    expect(home.problems[0]!.fix).toMatch(/did you mean `hardware`\?/i);
    expect(home.services.map((s) => s.name)).toEqual(['app', 'idp', 'proxy']);
  });

  it('reports a typo that replaces a required node field as the typo and the missing field', () => {
    const { memoryMiB: _dropped, ...node } = testSite.nodes[0]!;
    const home = build({ ...testSite, nodes: [{ ...node, memoryMib: 8192 } as never, testSite.nodes[1]!] }, app);
    expect(home.problems.map((p) => `${p.code} ${p.path}`)).toEqual(['InvalidSite nodes[0].memoryMiB', 'UnknownKey nodes[0].memoryMib', 'SiteChecksSkipped nodes']);
    expect(home.problems[1]!.fix).toMatch(/did you mean `memoryMiB`\?/i);
  });

  it.each<[string, Site, string, string]>([
    ['network', { ...testSite, network: { ...testSite.network, gatway: '10.20.0.1' } as never }, 'network.gatway', 'gateway'],
    ['top level', { ...testSite, portforwards: [] } as never, 'portforwards', 'portForwards'],
    ['a device inside the free-form device map', withNode({ devices: { gpu: { kind: 'dev', id: '/dev/dri/renderD128', description: 'iGPU', pth: '/dev/dri' } } }), 'nodes[0].devices.gpu.pth', 'path'],
    ['an address-plan entry', { ...testSite, addressPlan: { ...testSite.addressPlan, app: { node: 'n2', vmid: 102, ip: '10.20.0.22', vmId: 102 } } as never }, 'addressPlan.app.vmId', 'vmid'],
    ['a DNS record', { ...testSite, dns: { ...testSite.dns, records: [...testSite.dns.records, { name: 'x.example.test', type: 'A', content: '1', proxied: false, comment: '', ttl: 60 }] } as never }, 'dns.records[4].ttl', ''],
  ])('reports an unknown key in %s', (_what, site, path, suggestion) => {
    const typo = unknownKeys(build(site, app).problems);
    expect(typo.map((p) => p.path)).toEqual([path]);
    expect(typo[0]!.source).toBe('libs/site');
    if (suggestion) expect(typo[0]!.fix).toContain(`Did you mean \`${suggestion}\`?`);
    else expect(typo[0]!.fix).toBe('Remove it; the keys of dns.records[4] are: name, type, content, proxied, comment.');
  });

  it('keeps the site\'s name-keyed maps free-form: new address-plan entries, groups, devices and tiers are not unknown keys', () => {
    const site: Site = {
      ...testSite,
      addressPlan: { ...testSite.addressPlan, 'brand-new-entry': { node: 'n1', vmid: 120, ip: '10.20.0.60' } },
      groups: { ...testSite.groups, media: { description: 'media' } },
      tiers: { ...testSite.tiers, experimental: { min: 100, max: 200, default: 150 } },
      nodes: [{ ...testSite.nodes[0]!, devices: { ...testSite.nodes[0]!.devices, coral: { kind: 'usb', id: '18d1:9302', description: 'TPU' } } }, testSite.nodes[1]!],
    };
    expect(unknownKeys(build(site, app).problems)).toEqual([]);
  });
});
