import { describe, expect, it } from 'vitest';
import { buildHomelab, synthesizeSite, type Site } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const copied: Site = { ...testSite, nodes: [testSite.nodes[0]!, { ...testSite.nodes[1]!, name: testSite.nodes[0]!.name }] };

describe('two nodes with one name', () => {
  it('passing fixture: nodes of their own names have no problem and every service renders', () => {
    const home = buildHomelab(testSite, entries(proxy, idp, app));
    expect(home.problems).toEqual([]);
    expect(synthesizeSite(home).results.map((r) => r.service).sort()).toEqual(['app', 'idp', 'proxy']);
  });

  it('failing fixture: one DuplicateNodeName naming both entries, the lost name\'s UnknownNode and UnknownCephMonitor folded into it, nothing rendered', () => {
    const [a, b] = testSite.nodes;
    // The test site places app on the second node: its name is the one the copy lost.
    expect(testSite.addressPlan.app!.node).toBe(b!.name);
    const synth = synthesizeSite(buildHomelab(copied, entries(proxy, idp, app)));
    expect(synth.problems.map((p) => `${p.source} ${p.code} ${p.path}`)).toEqual([`libs/site DuplicateNodeName nodes[1].name`]);
    const [dup] = synth.problems;
    expect(dup!.received).toBe(a!.name);
    expect(dup!.message).toContain(`"${a!.name}" is the name of both nodes[0] (${a!.ip}, ${a!.hardware}) and nodes[1] (${b!.ip}, ${b!.hardware})`);
    // The Ceph monitor on the lost name is the same follow-on.
    expect(dup!.message).toContain(`The site also names "${b!.name}", which no node has (packages/app (placement), libs/site (storage.ceph.monitors[1]); not listed separately)`);
    expect(dup!.fix).toBe(`Give nodes[1] its own name (it is usually a copied entry that was not renamed; the site still expects "${b!.name}").`);
    expect(synth.results).toEqual([]);
  });

  it('a duplicate with nothing lost (the address plan names no missing node) is still named, and still renders nothing', () => {
    const three: Site = { ...testSite, nodes: [...testSite.nodes, { ...testSite.nodes[0]!, ip: '10.20.0.13' }] };
    const synth = synthesizeSite(buildHomelab(three, entries(proxy, idp, app)));
    expect(synth.problems.map((p) => `${p.code} ${p.path}`)).toEqual(['DuplicateNodeName nodes[2].name']);
    expect(synth.problems[0]!.fix).toBe('Give nodes[2] its own name (it is usually a copied entry that was not renamed).');
    expect(synth.results).toEqual([]);
  });
});
