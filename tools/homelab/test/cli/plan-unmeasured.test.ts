/**
 * `homelab plan --json` and the site inputs nobody has measured: the document lists each one with
 * the services that wait for it, and each service names what it waits for (docs/cli.md).
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, buildPlan, unmeasured, type ServiceProps, type Site } from '@homelab/core';
import { planDocument } from '../../src/cli/plan-document.ts';
import { entries, idp, proxy, testSite } from '../../../../libs/core/test/fixtures/test-site.ts';

const HOW = 'USB vendor:product of the stick: `lsusb` on the node';
const site: Site = {
  ...testSite,
  nodes: testSite.nodes.map((n) => (n.name === 'n2' ? { ...n, devices: { stick: { kind: 'usb', id: unmeasured(HOW), description: 'USB stick' } } } : n)),
};
const vm: ServiceProps = {
  name: 'vm', description: 'a VM with the USB stick', kind: 'vm', tier: 'normal', group: 'special', os: 'debian-12-vm',
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] }, devices: [{ device: 'stick' }],
};

describe('plan --json: unmeasured inputs', () => {
  it('lists every unmeasured input with who waits for it; each service says what it waits for; a part of the plan only its own', () => {
    const home = buildHomelab(site, entries(proxy, idp, vm));
    const doc = planDocument({ home, plan: buildPlan(home), only: [], problems: home.problems });
    expect(doc.unmeasured).toEqual([{ input: 'nodes.n2.devices.stick.id', node: 'n2', kind: 'device-id', measure: HOW, services: ['vm'] }]);
    expect(Object.fromEntries(doc.services.map((s) => [s.name, s.waitsFor]))).toEqual({ proxy: [], idp: [], vm: ['nodes.n2.devices.stick.id'] });
    expect(planDocument({ home, plan: buildPlan(home), only: ['proxy'], problems: home.problems }).unmeasured).toEqual([]);
  });

  it('a site with every fact measured has none', () => {
    const home = buildHomelab(testSite, entries(proxy, idp));
    expect(planDocument({ home, plan: buildPlan(home), only: [], problems: [] }).unmeasured).toEqual([]);
  });
});
