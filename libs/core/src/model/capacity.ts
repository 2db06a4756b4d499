/**
 * Capacity and overcommit accounting per Proxmox node. Committed RAM counts LXC hard limits
 * (cgroups) and VM balloon floors (what the host guarantees); the VM ceilings are shown too.
 */
import type { Homelab } from './homelab.ts';
import type { NormalizedGuest } from './service.ts';

export interface NodeCapacity {
  readonly node: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly guests: readonly { readonly service: string; readonly guest: NormalizedGuest }[];
  readonly committedCores: number;
  /** LXC limits + VM balloon floors. */
  readonly committedMemoryMiB: number;
  /** VM balloon floors only: memory the host must really have. */
  readonly guaranteedMemoryMiB: number;
  /** LXC limits + VM dedicated ceilings: the worst case. */
  readonly ceilingMemoryMiB: number;
  readonly cpuRatio: number;
  readonly memoryRatio: number;
}

export function nodeCapacity(home: Homelab): NodeCapacity[] {
  return home.site.nodes.map((node) => {
    const guests = home.services.flatMap((s) => s.guests.filter((g) => g.placement.node === node.name).map((guest) => ({ service: s.name, guest })));
    const sum = (f: (g: NormalizedGuest) => number) => guests.reduce((acc, { guest }) => acc + f(guest), 0);
    const committedCores = sum((g) => g.resources.cores);
    const committedMemoryMiB = sum((g) => (g.kind === 'vm' ? g.resources.balloonMiB : g.resources.memoryMiB));
    return {
      node: node.name,
      cores: node.cores,
      memoryMiB: node.memoryMiB,
      guests,
      committedCores,
      committedMemoryMiB,
      guaranteedMemoryMiB: sum((g) => (g.kind === 'vm' ? g.resources.balloonMiB : 0)),
      ceilingMemoryMiB: sum((g) => g.resources.memoryMiB),
      cpuRatio: round2(committedCores / node.cores),
      memoryRatio: round2(committedMemoryMiB / node.memoryMiB),
    };
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
