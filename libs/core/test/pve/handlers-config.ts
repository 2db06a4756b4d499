/**
 * The fake cluster's `GET /nodes/{node}/{lxc|qemu}/{vmid}/config`: each guest's configuration as
 * PVE writes it, derived from the guest's `config` fields (a guest without them answers with
 * PVE's minimal config: its name and tags). The server checks these answers against the schema's
 * `returns` like every other.
 */
import type { FakeCluster, FakeGuest, Handler } from './pve-test-server.ts';

export interface FakeDisk {
  /** `rootfs`, `mp0` (LXC); `scsi0`, `scsi1` (VM). */
  readonly key: string;
  readonly storage: string;
  readonly sizeGiB: number;
  /** LXC mount points: the path inside the container. */
  readonly mp?: string;
}

/** The guest's configuration, as the fields PVE keeps (sizes in MiB / GiB). */
export interface FakeGuestConfig {
  cores?: number;
  memoryMiB?: number;
  /** LXC. */
  swapMiB?: number;
  /** VM; absent: PVE leaves `balloon` out (the balloon target is the memory). */
  balloonMiB?: number;
  cpuunits?: number;
  disks?: FakeDisk[];
  bridge?: string;
  /** `10.20.0.22/24`. */
  ip?: string;
  gateway?: string;
  mac?: string;
}

function lxcConfig(g: FakeGuest, c: FakeGuestConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { hostname: g.name, arch: 'amd64', ostype: 'debian', unprivileged: 1, digest: `d${g.vmid}` };
  if (c.cores !== undefined) out.cores = c.cores;
  if (c.memoryMiB !== undefined) out.memory = c.memoryMiB;
  if (c.swapMiB !== undefined) out.swap = c.swapMiB;
  if (c.cpuunits !== undefined) out.cpuunits = c.cpuunits;
  for (const d of c.disks ?? []) {
    out[d.key] = `${d.storage}:vm-${g.vmid}-disk-${d.key === 'rootfs' ? 0 : Number(d.key.slice(2)) + 1}${d.mp ? `,mp=${d.mp}` : ''},size=${d.sizeGiB}G`;
  }
  if (c.bridge) out.net0 = `name=eth0,bridge=${c.bridge},firewall=1${c.gateway ? `,gw=${c.gateway}` : ''},hwaddr=${c.mac ?? 'BC:24:11:00:00:01'}${c.ip ? `,ip=${c.ip}` : ''},type=veth`;
  if (g.tags !== undefined) out.tags = g.tags;
  return out;
}

function qemuConfig(g: FakeGuest, c: FakeGuestConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { name: g.name, machine: 'q35', scsihw: 'virtio-scsi-single', digest: `d${g.vmid}` };
  if (c.cores !== undefined) out.cores = c.cores;
  // QEMU's memory is a property string (`[current=]<MiB>`): PVE writes the bare number.
  if (c.memoryMiB !== undefined) out.memory = String(c.memoryMiB);
  if (c.balloonMiB !== undefined) out.balloon = c.balloonMiB;
  if (c.cpuunits !== undefined) out.cpuunits = c.cpuunits;
  for (const d of c.disks ?? []) out[d.key] = `${d.storage}:vm-${g.vmid}-disk-${Number(d.key.replace(/\D/g, ''))},discard=on,iothread=1,size=${d.sizeGiB}G`;
  if (c.bridge) out.net0 = `virtio=${c.mac ?? 'BC:24:11:00:00:02'},bridge=${c.bridge},firewall=1`;
  if (c.ip) out.ipconfig0 = `ip=${c.ip}${c.gateway ? `,gw=${c.gateway}` : ''}`;
  if (g.tags !== undefined) out.tags = g.tags;
  return out;
}

function guestConfig(type: 'lxc' | 'qemu'): Handler {
  return ({ params, cluster }: { params: Record<string, string>; cluster: FakeCluster }) => {
    const g = cluster.guests.find((x) => x.vmid === Number(params.vmid) && x.type === type && x.node === params.node);
    if (!g) return { status: 500, statusText: `Configuration file 'nodes/${params.node}/${type === 'lxc' ? 'lxc' : 'qemu-server'}/${params.vmid}.conf' does not exist`, data: null };
    if (g.configStatus) return { status: g.configStatus.status, statusText: g.configStatus.text, data: null };
    return { data: type === 'lxc' ? lxcConfig(g, g.config ?? {}) : qemuConfig(g, g.config ?? {}) };
  };
}

export const CONFIG_HANDLERS: Record<string, Handler> = {
  'GET /nodes/{node}/lxc/{vmid}/config': guestConfig('lxc'),
  'GET /nodes/{node}/qemu/{vmid}/config': guestConfig('qemu'),
};
