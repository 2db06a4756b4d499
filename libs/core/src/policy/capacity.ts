import { ProblemCollector } from '../model/collector.ts';
import type { Homelab } from '../model/homelab.ts';
import { nodeCapacity } from '../plan/capacity.ts';
import type { PolicyRule } from './rule.ts';

const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

/**
 * Capacity at plan time: per node, committed cores and RAM (LXC hard limits + VM balloon floors)
 * within the site's overcommit limits, and the VM balloon floors, which the host must really
 * provide, within physical RAM.
 */
export const capacityRule: PolicyRule = {
  name: 'capacity',
  codes: ['CpuOvercommitExceeded', 'MemoryOvercommitExceeded', 'GuaranteedMemoryExceedsPhysical', 'InvalidOvercommitLimit'],
  description: 'Per node, committed CPU and RAM stay within the overcommit limits and guaranteed RAM fits in physical RAM.',
  check: ({ site, siteSource, services, byName }) => {
    const out = new ProblemCollector(siteSource);
    const { cpu, memory } = site.overcommit;
    for (const [key, value] of Object.entries({ cpu, memory })) {
      if (!(typeof value === 'number' && value >= 1 && value <= 16)) {
        out.report(`overcommit.${key}`, 'InvalidOvercommitLimit', 'an overcommit limit is a ratio from 1 to 16', value, 'Set it to about 2 for RAM and 3 for CPU, as the design does.');
        return out.problems;
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
    return out.problems;
  },
};
