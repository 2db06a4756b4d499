import { describe, expect, it } from 'vitest';
import { buildHomelab, synthesizeSite, type ServiceProps, type Site } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const adminWithoutAuth = { ...app, routes: [{ host: 'app', port: 3000, auth: 'none' }] } as ServiceProps;
const list = (site: Site, ...defs: ServiceProps[]) => buildHomelab(site, entries(...defs)).problems.map((p) => `${p.source} ${p.code} ${p.path}`);

describe('a site whose shape is wrong still gets every other check', () => {
  it('passing fixture: the well-formed site and definitions have no problem, and nothing is skipped', () => {
    const home = buildHomelab(testSite, entries(proxy, idp, app));
    expect(home.problems).toEqual([]);
    expect(home.siteSkips).toBeUndefined();
  });

  it('passing fixture for the definition: on the well-formed site its admin route without auth is its only problem', () => {
    expect(list(testSite, proxy, idp, adminWithoutAuth)).toEqual(['packages/app AdminRouteWithoutAuth routes[0].auth']);
  });

  it('failing fixture: a field of the wrong type and an unrelated policy error are reported in one round', () => {
    const site = { ...testSite, overcommit: { cpu: '3', memory: 2 } } as unknown as Site;
    const home = buildHomelab(site, entries(proxy, idp, adminWithoutAuth));
    expect(home.problems.map((p) => `${p.source} ${p.code} ${p.path}`)).toEqual([
      'libs/site InvalidSite overcommit.cpu',
      'packages/app AdminRouteWithoutAuth routes[0].auth',
      'libs/site SiteChecksSkipped overcommit',
    ]);
    const [shape, , skipped] = home.problems;
    expect(shape).toMatchObject({ received: '3' });
    expect(shape!.message).toContain('overcommit.cpu must be a number');
    expect(shape!.fix).toContain('Set overcommit.cpu to a number');
    expect(skipped!.severity).toBe('warning');
    // The capacity rule reads overcommit: its verdict on a replaced block would be a follow-on.
    expect(skipped!.message).toMatch(/the rules [^;]*capacity \(reads overcommit\)/);
    expect(skipped!.message).toContain('synth and the rules on rendered files');
    expect(skipped!.fix).toContain('Fix the InvalidSite problems and run again');
    // Every service was still modelled: none of them reads overcommit.
    expect(home.services.map((s) => s.name)).toEqual(['app', 'idp', 'proxy']);
  });

  it('failing fixture: a missing required block (dns) is named, the rules that read it are skipped, the rest run', () => {
    const { dns: _dropped, ...site } = testSite;
    const problems = list(site as Site, proxy, idp, adminWithoutAuth);
    expect(problems).toEqual(['libs/site InvalidSite dns', 'packages/app AdminRouteWithoutAuth routes[0].auth', 'libs/site SiteChecksSkipped dns']);
    const skipped = buildHomelab(site as Site, entries(proxy, idp, app)).problems.at(-1)!;
    expect(skipped.message).toMatch(/the site field dns does not have the shape/);
    expect(skipped.message).toMatch(/\(reads dns\)/);
  });

  it('a definition that reads the misshapen block is set aside, and its dependents do not report it missing', () => {
    const readsIdentity = (site: Site) => ({ ...idp, description: `identity for ${site.identity!.adminGroup.toUpperCase()}` });
    const site = { ...testSite, identity: { adminGroup: 7 } } as unknown as Site;
    const home = buildHomelab(site, [...entries(proxy, app), { pkg: { dir: 'packages/idp', name: '@t/idp', version: '1.2.3', dependencies: ['@t/core', '@t/proxy'] }, definition: readsIdentity }]);
    expect(home.services.map((s) => s.name)).not.toContain('idp');
    expect(home.problems.map((p) => p.code)).not.toContain('UnknownDependency');
    expect(home.problems.map((p) => p.code)).not.toContain('DefinitionThrew');
    expect(home.problems.at(-1)!.message).toContain('the definitions of packages/idp (reads identity);');
    expect(home.problems.map((p) => `${p.code} ${p.path}`)).toContain('InvalidSite identity.adminGroup');
  });

  it('synth renders nothing on a misshapen site: the model\'s problems are the answer', () => {
    const site = { ...testSite, overcommit: { cpu: '3', memory: 2 } } as unknown as Site;
    const synth = synthesizeSite(buildHomelab(site, entries(proxy, idp, app)));
    expect(synth.results).toEqual([]);
    expect(synth.problems.map((p) => p.code)).toEqual(['InvalidSite', 'SiteChecksSkipped']);
  });
});
