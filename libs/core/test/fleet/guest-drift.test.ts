/**
 * One guest's live PVE config against its synthesized resource: an in-sync config has no drift,
 * and each field, changed alone, is reported alone (live → code): one failing fixture per field.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, containerDrift, parsePropertyString, sizeGiB, synthesizeSite, vmDrift, type ContainerConfig, type GuestConfig, type VmConfig } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const vmService = { ...app, name: 'vmsvc', kind: 'vm' as const, placement: 'vm', routes: [], secrets: [], dependsOn: [],
  resources: { cores: 4, memoryMiB: 8192, balloonMiB: 4096, disks: [{ storage: 'ceph' as const, sizeGiB: 40 }, { storage: 'local' as const, sizeGiB: 100 }] } };
const results = synthesizeSite(buildHomelab(testSite, entries(proxy, idp, app, vmService))).results;
const tfOf = (svc: string) => JSON.parse(results.find((r) => r.service === svc)!.files.get('terraform/cdk.tf.json')!).resource;
const lxcCode = tfOf('app').proxmox_virtual_environment_container.app as ContainerConfig;
const vmCode = tfOf('vmsvc').proxmox_virtual_environment_vm.vmsvc as VmConfig;

const LXC_LIVE: GuestConfig = {
  hostname: 'app', cores: 1, memory: 1024, swap: 512, cpuunits: 1024, rootfs: 'local-lvm:vm-102-disk-0,size=8G',
  net0: 'name=eth0,bridge=vmbr0,firewall=1,gw=10.20.0.1,hwaddr=BC:24:11:00:00:01,ip=10.20.0.22/24,type=veth',
  tags: 'group-apps;homelab;svc-app;tier-normal;v1.2.3',
};
const VM_LIVE: GuestConfig = {
  name: 'vmsvc', cores: 4, memory: '8192', balloon: 4096, cpuunits: 1024,
  scsi0: 'ceph:vm-103-disk-0,discard=on,iothread=1,size=40G', scsi1: 'local-lvm:vm-103-disk-1,discard=on,iothread=1,size=100G,ssd=1',
  net0: 'virtio=BC:24:11:00:00:02,bridge=vmbr0,firewall=1', ipconfig0: 'ip=10.20.0.23/24,gw=10.20.0.1',
  tags: 'group-apps;homelab;svc-vmsvc;tier-normal;v1.2.3',
};

describe('guest drift', () => {
  it('an LXC and a VM as the code says: no drift', () => {
    expect(containerDrift(LXC_LIVE, lxcCode)).toEqual([]);
    expect(vmDrift(VM_LIVE, vmCode)).toEqual([]);
  });

  it.each([
    ['hostname', { hostname: 'app2' }, 'app2', 'app'],
    ['cores', { cores: 2 }, '2', '1'],
    ['cpuunits', { cpuunits: 100 }, '100', '1024'],
    ['memory', { memory: 2048 }, '2048', '1024'],
    ['swap', { swap: 0 }, '0', '512'],
    ['disk rootfs storage', { rootfs: 'ceph:vm-102-disk-0,size=8G' }, 'ceph', 'local-lvm'],
    ['disk rootfs size', { rootfs: 'local-lvm:vm-102-disk-0,size=12G' }, '12', '8'],
    ['network net0 bridge', { net0: 'name=eth0,bridge=vmbr1,ip=10.20.0.22/24' }, 'vmbr1', 'vmbr0'],
    ['network net0 ip', { net0: 'name=eth0,bridge=vmbr0,ip=dhcp' }, 'dhcp', '10.20.0.22/24'],
    ['tags', { tags: 'homelab;svc-app;group-apps;v1.2.3' }, 'group-apps homelab svc-app', 'group-apps homelab svc-app tier-normal'],
    ['version', { tags: 'group-apps;homelab;svc-app;tier-normal;v1.2.2' }, 'v1.2.2', 'v1.2.3'],
  ] as const)('LXC: %s changed alone is the only drift', (field, change, live, code) => {
    expect(containerDrift({ ...LXC_LIVE, ...change }, lxcCode)).toEqual([{ field, live, code }]);
  });

  it.each([
    ['name', { name: 'other' }, 'other', 'vmsvc'],
    ['cores', { cores: 8 }, '8', '4'],
    ['cpuunits', { cpuunits: 2048 }, '2048', '1024'],
    ['memory', { memory: 'current=16384' }, '16384', '8192'],
    ['balloon', { balloon: 0 }, '0', '4096'],
    ['disk scsi0 storage', { scsi0: 'local-lvm:vm-103-disk-0,size=40G' }, 'local-lvm', 'ceph'],
    ['disk scsi1 size', { scsi1: 'local-lvm:vm-103-disk-1,size=0.5T' }, '512', '100'],
    ['network net0 bridge', { net0: 'virtio=BC:24:11:00:00:02,bridge=vmbr9' }, 'vmbr9', 'vmbr0'],
    ['network net0 ip', { ipconfig0: 'ip=10.20.0.99/24,gw=10.20.0.1' }, '10.20.0.99/24', '10.20.0.23/24'],
    ['version', { tags: 'group-apps;homelab;svc-vmsvc;tier-normal;v2.0.0' }, 'v2.0.0', 'v1.2.3'],
  ] as const)('VM: %s changed alone is the only drift', (field, change, live, code) => {
    expect(vmDrift({ ...VM_LIVE, ...change }, vmCode)).toEqual([{ field, live, code }]);
  });

  it('keys PVE leaves out take the schema default: a VM without balloon balloons to its memory', () => {
    const { balloon: _b, ...noBalloon } = VM_LIVE;
    expect(vmDrift(noBalloon, vmCode)).toEqual([{ field: 'balloon', live: '8192', code: '4096' }]);
    const { swap: _s, ...noSwap } = LXC_LIVE;
    expect(containerDrift(noSwap, lxcCode)).toEqual([]);
    const { cpuunits: _c, ...noUnits } = LXC_LIVE;
    expect(containerDrift(noUnits, lxcCode)).toEqual([{ field: 'cpuunits', live: '(unset)', code: '1024' }]);
  });

  it('a MAC is compared only where the code sets one', () => {
    const withMac = { ...vmCode, network_device: [{ ...vmCode.network_device![0]!, mac_address: 'bc:24:11:00:00:03' }] };
    expect(vmDrift(VM_LIVE, withMac)).toEqual([{ field: 'network net0 mac', live: 'BC:24:11:00:00:02', code: 'BC:24:11:00:00:03' }]);
  });

  it('reads property strings and sizes as PVE writes them', () => {
    expect(parsePropertyString('local-lvm:vm-1-disk-0,size=8G')).toEqual({ volume: 'local-lvm:vm-1-disk-0', size: '8G' });
    expect(parsePropertyString('virtio=AA:BB,bridge=vmbr0', 'model')).toEqual({ virtio: 'AA:BB', bridge: 'vmbr0' });
    expect([sizeGiB('8G'), sizeGiB('512M'), sizeGiB('1T'), sizeGiB('junk'), sizeGiB(undefined)]).toEqual([8, 0.5, 1024, undefined, undefined]);
  });
});
