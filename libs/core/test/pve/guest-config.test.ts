/**
 * PveClient.guestConfig against the schema-checking test server: the path and method the PVE
 * 9.1.3 schema defines for LXC and QEMU, answers derived from the fake guests' config fields and
 * checked against the schema's `returns`, and PVE's error for a guest that is not there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PveApiError, PveClient, pveSettingsFromEnv } from '../../src/pve/index.ts';
import { checkReturns, defaultCluster, endpointsOf, loadApidata, matchRequest, startPveTestServer, type PveTestServer } from './pve-test-server.ts';

const cluster = () => defaultCluster({
  guests: [
    { vmid: 100, node: 'n1', type: 'lxc', name: 'proxy', status: 'running', tags: 'homelab;v1.2.3',
      config: { cores: 2, memoryMiB: 512, swapMiB: 256, cpuunits: 2048, disks: [{ key: 'rootfs', storage: 'local-lvm', sizeGiB: 8 }, { key: 'mp0', storage: 'ceph', sizeGiB: 50, mp: '/data' }], bridge: 'vmbr0', ip: '10.20.0.20/24', gateway: '10.20.0.1' } },
    { vmid: 103, node: 'n2', type: 'qemu', name: 'vm', status: 'stopped',
      config: { cores: 4, memoryMiB: 8192, balloonMiB: 4096, cpuunits: 1024, disks: [{ key: 'scsi0', storage: 'ceph', sizeGiB: 40 }], bridge: 'vmbr0', ip: '10.20.0.23/24', gateway: '10.20.0.1', mac: 'BC:24:11:AA:BB:CC' } },
  ],
});

let server: PveTestServer;
afterEach(async () => {
  expect(server.rejections).toEqual([]);
  expect(server.cannedFaults).toEqual([]);
  await server.close();
});

async function client(): Promise<PveClient> {
  server = await startPveTestServer(cluster());
  return new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: server.cluster.token }));
}

describe('guestConfig', () => {
  it('an LXC: the keys PVE writes, disks and network as property strings', async () => {
    const c = await client();
    expect(await c.guestConfig('n1', 'lxc', 100)).toMatchObject({
      hostname: 'proxy', cores: 2, memory: 512, swap: 256, cpuunits: 2048, tags: 'homelab;v1.2.3',
      rootfs: 'local-lvm:vm-100-disk-0,size=8G', mp0: 'ceph:vm-100-disk-1,mp=/data,size=50G',
      net0: 'name=eth0,bridge=vmbr0,firewall=1,gw=10.20.0.1,hwaddr=BC:24:11:00:00:01,ip=10.20.0.20/24,type=veth',
    });
    expect(server.requests.map((r) => `${r.method} ${r.template}`)).toEqual(['GET /nodes/{node}/lxc/{vmid}/config']);
  });

  it('a VM: memory as the string PVE returns, balloon, scsi disks, the MAC in net0, the address in ipconfig0', async () => {
    const c = await client();
    expect(await c.guestConfig('n2', 'qemu', 103)).toMatchObject({
      name: 'vm', cores: 4, memory: '8192', balloon: 4096, scsi0: 'ceph:vm-103-disk-0,discard=on,iothread=1,size=40G',
      net0: 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1', ipconfig0: 'ip=10.20.0.23/24,gw=10.20.0.1',
    });
    expect(server.requests.map((r) => `${r.method} ${r.template}`)).toEqual(['GET /nodes/{node}/qemu/{vmid}/config']);
  });

  it('a guest that is not on that node: PVE\'s 500, as a PveApiError', async () => {
    const c = await client();
    await expect(c.guestConfig('n1', 'qemu', 103)).rejects.toBeInstanceOf(PveApiError);
  });

  it('the schema check of the answers is real: a QEMU memory as a number is refused', () => {
    const endpoints = endpointsOf(loadApidata());
    const match = matchRequest(endpoints, 'GET', '/nodes/n2/qemu/103/config');
    if (!match.ok) throw new Error(match.reason);
    expect(checkReturns(match.info.returns, { memory: 8192, digest: 'x' })).toEqual(['data.memory: expected a string, got 8192']);
    expect(checkReturns(match.info.returns, { memory: '8192', digest: 'x' })).toEqual([]);
    server = { rejections: [], cannedFaults: [], close: async () => {} } as unknown as PveTestServer;
  });
});
