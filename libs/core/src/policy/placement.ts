import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/**
 * Hardware-bound services sit on the node that has their device, and belong to a hardware-bound
 * group; one service per LXC/VM unless the sharing is declared.
 */
export const placementRule: PolicyRule = {
  name: 'placement',
  codes: ['DeviceNotOnNode', 'PassthroughOutsideHardwareGroup', 'UnknownSharedGuest', 'UndeclaredSharedGuest', 'SharedGuestWithResources'],
  description: 'Passthrough devices exist on the service\'s node and put it in a hardware-bound group; guests are shared only when declared.',
  check: ({ site, services, byName }) => {
    const problems: Problem[] = [];
    const guestOwner = new Map<string, string>();
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      for (const guest of s.guests) {
        guest.devices.forEach((d, i) => {
          const device = guest.node?.devices[d.device];
          if (!device) {
            const holders = site.nodes.filter((n) => d.device in n.devices).map((n) => n.name);
            out.report(`devices[${i}]`, 'DeviceNotOnNode', `device "${d.device}" is not on node ${guest.placement.node}`, d.device, holders.length ? `Place ${guest.name} on ${holders.join(' or ')} in the address plan.` : `Add the device to the node in the site, or remove it.`);
          } else if (device.kind !== 'dev' && !site.groups[s.group]?.hardwareBound) {
            const hw = Object.keys(site.groups).filter((g) => site.groups[g]!.hardwareBound);
            out.report('group', 'PassthroughOutsideHardwareGroup', `the service passes ${device.kind.toUpperCase()} device "${d.device}" through, so it is bound to ${guest.placement.node}, but group "${s.group}" is not hardware-bound`, s.group, `Put it in ${hw.join(' or ') || 'a hardware-bound group'}, so bulk operations leave it alone.`);
          }
        });
        const key = `${guest.placement.node}/${guest.placement.vmid}`;
        const prior = guestOwner.get(key);
        if (prior) out.report('placement', 'UndeclaredSharedGuest', `guest ${key} is already ${prior}'s`, guest.placementName, `Declare sharesGuestWith: "${prior}" (and drop resources), or give it its own address-plan entry.`);
        else guestOwner.set(key, s.name);
      }
      if (s.sharesGuestWith !== undefined) {
        const host = byName.get(s.sharesGuestWith);
        if (!host || host.guests.length === 0) {
          out.report('sharesGuestWith', 'UnknownSharedGuest', `"${s.sharesGuestWith}" is not a service with its own guest`, s.sharesGuestWith, 'Name the service whose LXC or VM this one runs in.');
        }
        if (s.props.resources) {
          out.report('resources', 'SharedGuestWithResources', 'a service that shares another\'s guest has no resources of its own (they would be counted twice)', s.props.resources, `Remove resources; size ${s.sharesGuestWith}'s guest for both.`);
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
