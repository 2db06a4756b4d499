import { ProblemCollector } from '../model/collector.ts';
import type { Homelab } from '../model/homelab.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedService } from '../model/service.ts';
import { nodeCapacity } from '../model/capacity.ts';
import type { PolicyRule } from './rule.ts';
import { guestFieldPath } from './guest-path.ts';

const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

/**
 * Capacity at plan time: per node, committed cores and RAM (LXC hard limits + VM balloon floors)
 * within the site's overcommit limits, and the VM balloon floors, which the host must really
 * provide, within physical RAM. A single guest larger than its node is reported at the guest's
 * own definition: no overcommit ratio can make one guest run on fewer cores or less RAM than it has.
 */
export const capacityRule: PolicyRule = {
  name: 'capacity',
  codes: ['CpuOvercommitExceeded', 'MemoryOvercommitExceeded', 'GuaranteedMemoryExceedsPhysical', 'InvalidOvercommitLimit', 'GuestCoresExceedNode', 'GuestMemoryExceedsNode'],
  description: 'Per node, committed CPU and RAM stay within the overcommit limits and guaranteed RAM fits in physical RAM; no single guest has more cores or RAM than its node.',
  check: ({ site, siteSource, services, byName }) => {
    const out = new ProblemCollector(siteSource);
    const guestProblems = services.flatMap(guestLargerThanNode);
    const { cpu, memory } = site.overcommit;
    for (const [key, value] of Object.entries({ cpu, memory })) {
      if (!(typeof value === 'number' && value >= 1 && value <= 16)) {
        out.report(`overcommit.${key}`, 'InvalidOvercommitLimit', 'an overcommit limit is a ratio from 1 to 16', value, 'Set it to about 2 for RAM and 3 for CPU, as the design does.');
        return [...guestProblems, ...out.problems];
      }
    }
    const home: Homelab = { site, services, byName, problems: [] };
    for (const c of nodeCapacity(home)) {
      const path = `nodes.${c.node}`;
      const who = c.guests.map((g) => `${g.guest.name} ${g.guest.kind === 'vm' ? g.guest.resources.balloonMiB : g.guest.resources.memoryMiB}M/${g.guest.resources.cores}c`).join(', ');
      if (c.cpuRatio > cpu) {
        out.report(path, 'CpuOvercommitExceeded', `${c.committedCores} vCPUs are committed on ${c.cores} cores (${c.cpuRatio}x, limit ${cpu}x): ${who}`, c.committedCores, 'Move a guest to another node, lower its cores, or raise overcommit.cpu in the site.');
      }
      if (c.memoryRatio > memory) {
        out.report(path, 'MemoryOvercommitExceeded', `${gib(c.committedMemoryMiB)} is committed on ${gib(c.memoryMiB)} (${c.memoryRatio}x, limit ${memory}x): ${who}`, c.committedMemoryMiB, 'Move a guest, lower an LXC limit or a VM balloon floor, or raise overcommit.memory in the site.');
      }
      if (c.guaranteedMemoryMiB > c.memoryMiB) {
        out.report(path, 'GuaranteedMemoryExceedsPhysical', `the VMs' balloon floors add up to ${gib(c.guaranteedMemoryMiB)}, more than the node's ${gib(c.memoryMiB)}: the host cannot honour them`, c.guaranteedMemoryMiB, 'Lower the balloon floors (balloonMiB) or move a VM.');
      }
    }
    return [...guestProblems, ...out.problems];
  },
};

function guestLargerThanNode(s: NormalizedService): Problem[] {
  const out = new ProblemCollector(s.pkg.dir);
  for (const g of s.guests) {
    const node = g.node;
    if (!node) continue;
    const where = guestFieldPath(s, g, 'resources');
    if (g.resources.cores > node.cores) {
      out.report(`${where}.cores`, 'GuestCoresExceedNode', `guest ${g.name} has ${g.resources.cores} cores, but its node ${node.name} has only ${node.cores}: Proxmox refuses to start it`, g.resources.cores, `Give it at most ${node.cores} cores, or place it on a node with more.`);
    }
    if (g.resources.memoryMiB > node.memoryMiB) {
      out.report(`${where}.memoryMiB`, 'GuestMemoryExceedsNode', `guest ${g.name} has ${gib(g.resources.memoryMiB)} of RAM, but its node ${node.name} has only ${gib(node.memoryMiB)}`, g.resources.memoryMiB, `Give it less than ${node.memoryMiB} MiB, or place it on a node with more RAM.`);
    }
  }
  return out.problems;
}
