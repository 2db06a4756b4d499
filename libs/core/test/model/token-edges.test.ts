/**
 * The guest stacks wait for the stack that creates their Proxmox token (model/token-edges.ts):
 * the edge is the model's, so no package lists it, and the dependencies rule accepts it.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/homelab.ts';
import { dependenciesRule } from '../../src/policy/dependencies.ts';
import type { ServiceProps } from '../../src/model/service.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const hyper: ServiceProps = { name: 'hyper', description: 'hypervisor', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'] };
const external: ServiceProps = { name: 'edge-dns', description: 'dns at a provider', kind: 'none', tier: 'high', group: 'core' };

describe('token edges', () => {
  it('each guest service depends on the hypervisor, marked tokenFrom; a service without guests and the hypervisor itself do not', () => {
    const home = buildModel(testSite, entries(proxy, idp, app, hyper, external));
    for (const name of ['proxy', 'idp', 'app']) {
      expect(home.byName.get(name)!.dependsOn, name).toContain('hyper');
      expect(home.byName.get(name)!.tokenFrom, name).toBe('hyper');
    }
    expect(home.byName.get('edge-dns')!.dependsOn).toEqual([]);
    expect(home.byName.get('hyper')!.dependsOn).toEqual([]);
    expect(dependenciesRule.check({ services: home.services, byName: home.byName } as never)).toEqual([]);
  });

  it('no hypervisor service: no edge (the token comes from the environment)', () => {
    const home = buildModel(testSite, entries(proxy, idp, app));
    expect(home.byName.get('proxy')!.dependsOn).toEqual([]);
    expect(home.byName.get('proxy')!.tokenFrom).toBeUndefined();
  });

  it('a guest service the hypervisor itself depends on gets no edge back: no cycle', () => {
    const home = buildModel(testSite, entries(proxy, { ...hyper, dependsOn: ['proxy'] }));
    expect(home.byName.get('proxy')!.dependsOn).toEqual([]);
    expect(home.byName.get('hyper')!.dependsOn).toEqual(['proxy']);
  });

  it('the same edge declared by hand stays one edge and still needs its package.json line', () => {
    const home = buildModel(testSite, entries({ ...proxy, dependsOn: ['hyper'] }, hyper));
    expect(home.byName.get('proxy')!.dependsOn).toEqual(['hyper']);
    expect(home.byName.get('proxy')!.tokenFrom).toBeUndefined();
  });
});
