/**
 * The provider's create/clone/migrate/update timeouts in the synthesized Terraform: scaled by the
 * guest's disks, never below the provider's 1800 s default, none of the deprecated ones.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, synthesizeSite } from '../../src/index.ts';
import { diskOperationTimeout, PROVIDER_DEFAULT_TIMEOUT_S } from '../../src/proxmox/disk-timeouts.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

function terraformOf(service: string, defs = entries(proxy, idp, app)): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  const result = synthesizeSite(buildHomelab(testSite, defs)).results.find((r) => r.service === service)!;
  return JSON.parse(result.files.get('terraform/cdk.tf.json')!);
}

describe('guest operation timeouts', () => {
  it('a small guest keeps the provider default: 30 min covers an 8 GiB copy', () => {
    expect(diskOperationTimeout(8)).toBe(PROVIDER_DEFAULT_TIMEOUT_S);
    const ct = terraformOf('app').resource!.proxmox_virtual_environment_container!.app!;
    expect(ct).toMatchObject({ timeout_create: 1800, timeout_clone: 1800, timeout_update: 1800 });
    expect(ct).not.toHaveProperty('timeout_start');
  });

  it('a VM with 40 + 1000 GiB of disks gets 600 s + 30 s per GiB for create, clone and migrate', () => {
    const vm = { ...app, name: 'bigvm', kind: 'vm' as const, placement: 'vm', routes: [], secrets: [], dependsOn: [],
      resources: { cores: 2, memoryMiB: 4096, disks: [{ storage: 'ceph' as const, sizeGiB: 40 }, { storage: 'ceph' as const, sizeGiB: 1000 }] } };
    const body = terraformOf('bigvm', entries(proxy, idp, vm)).resource!.proxmox_virtual_environment_vm!.bigvm!;
    expect(body).toMatchObject({ timeout_create: 600 + 1040 * 30, timeout_clone: 31_800, timeout_migrate: 31_800 });
    expect(body).not.toHaveProperty('timeout_move_disk');
  });

  it('grows with the disks and never falls below the default', () => {
    expect(diskOperationTimeout(0)).toBe(1800);
    expect(diskOperationTimeout(40)).toBe(1800);
    expect(diskOperationTimeout(41)).toBe(1830);
    expect(diskOperationTimeout(0.5 + 100)).toBe(600 + 101 * 30);
  });
});
