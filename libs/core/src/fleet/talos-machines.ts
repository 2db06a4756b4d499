/**
 * The Talos machines an upgrade walks, each with the Kubernetes role its service states
 * (`facts.kubernetes.nodes`): the order of an upgrade (control plane first) comes from that role,
 * never from a machine's name. A Talos guest without a stated role is left out, with the reason.
 */
import type { KubernetesNodeRole } from '../model/facts/kubernetes.ts';
import type { Homelab } from '../model/homelab.ts';

export interface TalosMachine {
  readonly name: string;
  readonly ip: string;
  readonly service: string;
  readonly role: KubernetesNodeRole;
}

export function talosMachines(home: Homelab): { nodes: TalosMachine[]; skipped: { name: string; reason: string }[] } {
  const nodes: TalosMachine[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const s of home.services) {
    for (const g of s.guests.filter((x) => x.os.startsWith('talos'))) {
      const role = s.facts.kubernetes?.nodes.find((n) => n.guest === g.name)?.role;
      if (role === undefined) skipped.push({ name: g.name, reason: `${s.name} states no Kubernetes role for it (facts.kubernetes.nodes), so it cannot be ordered after the control plane` });
      else nodes.push({ name: g.name, ip: g.placement.ip, service: s.name, role });
    }
  }
  return { nodes, skipped };
}
