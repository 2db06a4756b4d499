import { describe, expect, it } from 'vitest';
import { groupDependencies, groupViews, loadServiceGraph, orderGroups, serviceGraphFromNx } from '../../src/index.ts';
import { fleetHomelab, fleetNxGraph } from './fleet-fixture.ts';

const home = fleetHomelab();

describe('service graph from the Nx project graph', () => {
  it('maps Nx projects to services by package name and keeps only service-to-service edges', () => {
    const g = serviceGraphFromNx(home, fleetNxGraph(home));
    expect(g.source).toBe('nx');
    expect(g.deps.get('mediasrv')).toEqual(['dl', 'nas']);
    expect(g.deps.get('app')).toEqual(['idp', 'proxy']); // @t/core is a library, not a service
    expect(g.projectOf.get('mediasrv')).toBe('@t/mediasrv');
    expect(g.warnings).toEqual([]);
  });

  it('follows Nx where it disagrees with dependsOn, and says so', () => {
    const g = serviceGraphFromNx(home, fleetNxGraph(home, (d) => { d['@t/dl'] = []; }));
    expect(g.deps.get('dl')).toEqual([]);
    expect(g.warnings).toEqual(['dl: Nx says it depends on [], its dependsOn says [nas]; following Nx (fix package.json or dependsOn so they agree)']);
  });

  it('names the usual cause of a missing edge: a workspace package npm has not linked yet', () => {
    const g = serviceGraphFromNx(home, fleetNxGraph(home, (d) => { d['@t/dl'] = []; }), undefined, { linked: (p) => p !== '@t/nas' });
    expect(g.warnings).toEqual(['dl: Nx says it depends on [], its dependsOn says [nas]; following Nx (@t/nas is not linked in node_modules, so Nx cannot see the edge: run npm install)']);
  });

  it('a service Nx does not know keeps its dependsOn, with a warning', () => {
    const graph = fleetNxGraph(home);
    const { ['@t/vpn']: _gone, ...nodes } = graph.nodes;
    const g = serviceGraphFromNx(home, { ...graph, nodes });
    expect(g.warnings).toEqual(['vpn: Nx has no project for @t/vpn (packages/vpn); using its dependsOn from the model']);
  });

  it('falls back to the model when Nx cannot be read, and records why', async () => {
    const g = await loadServiceGraph('/nowhere', home, async () => { throw new Error('the Nx project graph could not be read (devkit: boom)'); });
    expect(g.source).toBe('model');
    expect(g.fallback).toBe('the Nx project graph could not be read (devkit: boom)');
    expect(g.deps.get('mediasrv')).toEqual(['dl', 'nas']);
  });
});

describe('groups', () => {
  const graph = serviceGraphFromNx(home, fleetNxGraph(home));

  it('group A depends on group B when a service of A depends on a service of B', () => {
    expect(Object.fromEntries(groupDependencies(home, graph))).toEqual({
      core: [], storage: [], security: [], media: ['storage'], observability: ['core', 'media'], 'smart-home': [],
      apps: ['core'], kubernetes: ['storage'], special: ['core'],
    });
  });

  it('lists every group of the site, in site order, with members, flags and dependents', () => {
    const views = groupViews(home, graph);
    expect(views.map((v) => v.name)).toEqual(Object.keys(home.site.groups));
    expect(views.find((v) => v.name === 'storage')).toMatchObject({ alwaysOn: true, hardwareBound: false, members: ['ceph', 'nas'], dependents: ['kubernetes', 'media'] });
    expect(views.find((v) => v.name === 'special')).toMatchObject({ hardwareBound: true, members: ['radio', 'zigbee'], dependsOn: ['core'] });
    expect(views.find((v) => v.name === 'smart-home')?.members).toEqual([]);
  });

  it('orders groups roots first and leaves first', () => {
    expect(orderGroups(home, graph, ['observability', 'storage', 'media'], 'roots-first')).toEqual(['storage', 'media', 'observability']);
    expect(orderGroups(home, graph, ['observability', 'storage', 'media'], 'leaves-first')).toEqual(['observability', 'media', 'storage']);
  });
});
