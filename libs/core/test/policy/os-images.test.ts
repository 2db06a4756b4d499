import { describe, expect, it } from 'vitest';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

describe('os-images', () => {
  it('passes a defined template of the guest\'s kind, and the default', () => {
    expectNone(withDefs(appWith({ os: 'debian-12' })), 'UnknownOsImage', 'OsImageKindMismatch');
    expectNone(withDefs(appWith({})), 'UnknownOsImage', 'OsImageKindMismatch');
  });
  it('UnknownOsImage: a template nobody defined', () => {
    const problems = only(withDefs(appWith({ os: 'ubuntu-24.04' })), 'UnknownOsImage');
    expect(problems).toEqual([expect.objectContaining({ source: 'packages/app', path: 'os', received: 'ubuntu-24.04' })]);
    expect(problems[0]!.fix).toContain('debian-13');
  });
  it('OsImageKindMismatch: a VM image for an LXC, in an extra guest', () => {
    const guest = { name: 'g1', kind: 'lxc', placement: 'vm', tier: 'normal', os: 'talos-1.13', resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } };
    const problems = only(withDefs(appWith({ guests: [guest] })), 'OsImageKindMismatch');
    expect(problems).toEqual([expect.objectContaining({ path: 'guests[0].os', received: 'talos-1.13' })]);
  });
});
