/**
 * What keeps a service out of the LXC lab: each reason on its own, all of them at once, and the
 * guest a service shares (plan/lab-fit.ts).
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, labExclusions, labFits, type ServiceProps } from '@homelab/core';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const vm: ServiceProps = {
  name: 'vm', description: 'a VM with the USB stick', kind: 'vm', tier: 'normal', group: 'special', os: 'debian-12-vm',
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] }, devices: [{ device: 'stick' }],
};
const sidecar: ServiceProps = { name: 'sidecar', description: 'lives in the proxy\'s container', kind: 'lxc', tier: 'normal', group: 'apps', placement: 'proxy', sharesGuestWith: 'proxy', dependsOn: ['proxy'] };
const home = buildHomelab(testSite, entries(proxy, idp, app, vm, sidecar));
const codes = (name: string, hasPlaybook = true) => labExclusions(home.byName.get(name)!, hasPlaybook).map((e) => e.code);

describe('lab fit', () => {
  it('a plain LXC service with a playbook fits; the same without a playbook does not', () => {
    expect(home.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
    expect(codes('idp')).toEqual([]);
    expect(codes('idp', false)).toEqual(['no-playbook']);
  });

  it('a Docker service is out because the lab has no Docker engine', () => {
    expect(labExclusions(home.byName.get('proxy')!, true)).toEqual([{ code: 'docker', reason: 'needs a Docker engine, and none runs in the lab' }]);
  });

  it('a VM with a passed-through device gets every reason at once, the device named', () => {
    const reasons = labExclusions(home.byName.get('vm')!, false);
    expect(reasons.map((e) => e.code)).toEqual(['vm', 'devices', 'no-playbook']);
    expect(reasons[1]!.reason).toContain('(stick)');
  });

  it('a service in the guest of a left-out service is left out with it; the others keep their verdict', () => {
    const results = ['proxy', 'idp', 'sidecar'].map((service) => ({ service, files: new Map([['ansible/playbook.yml', '']]) }));
    const fits = labFits(home, results as unknown as Parameters<typeof labFits>[1]);
    expect(fits.map((f) => [f.service, f.fits, f.exclusions.map((e) => e.code)])).toEqual([
      ['proxy', false, ['docker']],
      ['idp', true, []],
      ['sidecar', false, ['shares-excluded-guest']],
    ]);
  });
});
