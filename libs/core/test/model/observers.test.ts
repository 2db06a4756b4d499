import { describe, expect, it } from 'vitest';
import { buildHomelab, formatProblems, observedBy, type ServiceProps, type Site } from '../../src/index.ts';
import { app, entries, idp, pkgOf, proxy, testSite } from '../fixtures/test-site.ts';

const site: Site = {
  ...testSite,
  addressPlan: {
    ...testSite.addressPlan,
    watch: { node: 'n1', vmid: 110, ip: '10.20.0.30' },
    quiet: { node: 'n1', vmid: 111, ip: '10.20.0.31' },
    scraped: { node: 'n2', vmid: 112, ip: '10.20.0.32' },
    pager: { node: 'n2', vmid: 113, ip: '10.20.0.33' },
  },
};
const lxc = { kind: 'lxc', tier: 'normal', group: 'apps', resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } } as const;
/** The observer: declares nothing it watches, and its package.json lists none of it. */
const watch: ServiceProps = { ...lxc, name: 'watch', description: 'monitoring', observer: true, metrics: [{ name: 'self', port: 9090 }] };
const quiet: ServiceProps = { ...lxc, name: 'quiet', description: 'nothing to scrape or probe' };
const scraped: ServiceProps = { ...lxc, name: 'scraped', description: 'metrics only', metrics: [{ name: 'exporter', port: 9100 }] };
/** Receives the observer's alerts: watching it would be a cycle. */
const pager: ServiceProps = { ...app, name: 'pager', description: 'alert receiver', routes: [{ host: 'pager', port: 8080, auth: 'authentik' }], dependsOn: ['proxy', 'idp', 'watch'] };

describe('model: observers', () => {
  const home = buildHomelab(site, entries(proxy, idp, app, watch, quiet, scraped, pager));

  it('an observer watches every other service with a route or a metrics endpoint, except those that depend on it', () => {
    expect(home.problems, formatProblems(home.problems)).toEqual([]);
    expect(home.byName.get('watch')!.observes).toEqual(['app', 'idp', 'proxy', 'scraped']);
  });

  it('what it watches becomes its dependencies, without a dependsOn or package.json line', () => {
    expect(home.byName.get('watch')!.dependsOn).toEqual(['app', 'idp', 'proxy', 'scraped']);
    expect(home.byName.get('watch')!.pkg.dependencies).toEqual(['@t/core']);
  });

  it('a new observable service is watched with no edit to the observer', () => {
    const more = buildHomelab({ ...site, addressPlan: { ...site.addressPlan, extra: { node: 'n2', vmid: 114, ip: '10.20.0.34' } } },
      entries(proxy, idp, app, watch, quiet, scraped, pager, { ...scraped, name: 'extra' }));
    expect(more.byName.get('watch')!.observes).toEqual(['app', 'extra', 'idp', 'proxy', 'scraped']);
  });

  it('a service that is not an observer watches nothing and keeps its own dependencies', () => {
    expect(home.byName.get('app')!.observes).toEqual([]);
    expect(home.byName.get('app')!.dependsOn).toEqual(['idp', 'proxy']);
    expect(observedBy(home.byName.get('app')!, home.services)).toEqual([]);
  });

  it('a transitive dependent is not watched either', () => {
    const relay: ServiceProps = { ...pager, name: 'relay', routes: [{ host: 'relay', port: 8080, auth: 'authentik' }], dependsOn: ['proxy', 'idp', 'pager'] };
    const more = buildHomelab({ ...site, addressPlan: { ...site.addressPlan, relay: { node: 'n2', vmid: 115, ip: '10.20.0.35' } } },
      entries(proxy, idp, app, watch, pager, relay));
    expect(more.byName.get('watch')!.observes).toEqual(['app', 'idp', 'proxy']);
    expect(more.problems.map((p) => p.code)).not.toContain('DependencyCycle');
  });

  it('a dependency the observer declares itself still needs its package.json line', () => {
    const declared = buildHomelab(site, [...entries(proxy, idp, app), { pkg: pkgOf({ name: 'watch' }), definition: { ...watch, dependsOn: ['quiet'] } }, ...entries(quiet)]);
    expect(declared.problems.map((p) => [p.source, p.code])).toEqual([['packages/watch', 'DependencyMissingFromPackageJson']]);
  });
});
