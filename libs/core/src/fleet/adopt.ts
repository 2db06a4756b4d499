/**
 * `homelab adopt`: the cluster's guests matched to the address plan by VMID, and the Terraform
 * `import` blocks that bring the matching ones under their service's stack, so a homelab that
 * already runs is imported, not created a second time.
 *
 * A guest is imported only where the stack would describe that very guest: same VMID, same type
 * (LXC or VM) and same node. On another node or of the other type, an import would make the next
 * apply migrate or replace it, so adopt names the conflict and its fix instead. A name that
 * differs is imported (the apply renames the guest) and said. Plan guests the cluster lacks are
 * created by deploy; cluster guests the plan does not know are listed and left alone.
 */
import type { ImportBlock } from '../deploy/adopt-imports.ts';
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedGuest } from '../model/service.ts';
import { guestResourceAddress } from '../proxmox/guest-address.ts';
import type { GuestType } from '../pve/types.ts';
import { unmanagedGuests, type FleetState, type LiveGuest } from './fleet-state.ts';
import { table } from './format.ts';

/** match: import; renamed: import, the apply renames it; wrong-node, wrong-type: no import; missing: deploy creates it. */
export type AdoptVerdict = 'match' | 'renamed' | 'wrong-node' | 'wrong-type' | 'missing';

export interface AdoptEntry {
  readonly service: string;
  readonly guest: string;
  readonly vmid: number;
  readonly type: GuestType;
  readonly node: string;
  /** The resource in the service's stack. */
  readonly address: string;
  readonly verdict: AdoptVerdict;
  /** What the cluster has under this VMID. */
  readonly live?: { readonly node: string; readonly type: GuestType; readonly name: string; readonly status: string };
  readonly import?: ImportBlock;
  /** Why, and what to do, for every verdict but match. */
  readonly message?: string;
}

export interface AdoptReport {
  readonly entries: readonly AdoptEntry[];
  /** Guests on the cluster whose VMID no service's guest has (only without a service filter). */
  readonly unknown: readonly LiveGuest[];
  /** Import blocks per service, services with at least one. */
  readonly imports: ReadonlyMap<string, readonly ImportBlock[]>;
  /** A plan guest conflicts with what runs under its VMID (wrong node or type). */
  readonly conflicts: number;
}

const pveType = (guest: NormalizedGuest): GuestType => (guest.kind === 'vm' ? 'qemu' : 'lxc');
const typeName = (t: GuestType): string => (t === 'qemu' ? 'VM' : 'LXC');
const aType = (t: GuestType): string => (t === 'qemu' ? 'a VM' : 'an LXC');

function entryFor(service: string, guest: NormalizedGuest, vmid: number, state: FleetState): AdoptEntry {
  const type = pveType(guest);
  const node = guest.node?.name ?? guest.placement.node ?? '';
  const address = guestResourceAddress(guest);
  const base = { service, guest: guest.name, vmid, type, node, address };
  const live = state.guests.get(vmid);
  if (!live) return { ...base, verdict: 'missing', message: `no guest ${vmid} on the cluster: deploy creates it` };
  const seen = { node: live.node, type: live.type, name: live.name, status: live.status };
  if (live.type !== type) {
    return {
      ...base, verdict: 'wrong-type', live: seen,
      message: `${vmid} is ${aType(live.type)} "${live.name}" on ${live.node}, the plan has ${aType(type)} "${guest.name}": not imported. Fix: give ${service} another VMID in the site's address plan, or move "${live.name}" to a free VMID.`,
    };
  }
  if (live.node !== node) {
    return {
      ...base, verdict: 'wrong-node', live: seen,
      message: `${vmid} "${live.name}" runs on ${live.node}, the plan puts it on ${node}: not imported (the apply would move it). Fix: migrate it (\`${type === 'lxc' ? 'pct' : 'qm'} migrate ${vmid} ${node}\`) or set node ${live.node} for ${guest.placementName} in the site's address plan, then rerun adopt.`,
    };
  }
  const block: ImportBlock = { to: address, id: `${live.node}/${vmid}` };
  if (live.name !== guest.name) {
    return { ...base, verdict: 'renamed', live: seen, import: block, message: `named "${live.name}" on the cluster, "${guest.name}" in the plan: imported; the plan shows the rename (review it: Terraform names it as the plan does)` };
  }
  return { ...base, verdict: 'match', live: seen, import: block };
}

/** Every guest of the named services (all when none named) against the cluster. */
export function planAdoption(home: Homelab, state: FleetState, services: readonly string[] = []): AdoptReport {
  const wanted = (name: string): boolean => services.length === 0 || services.includes(name);
  const entries: AdoptEntry[] = [];
  for (const service of home.services.filter((s) => wanted(s.name))) {
    for (const guest of service.guests) {
      const vmid = guest.placement.vmid;
      if (vmid !== undefined) entries.push(entryFor(service.name, guest, vmid, state));
    }
  }
  entries.sort((a, b) => a.vmid - b.vmid);
  const imports = new Map<string, ImportBlock[]>();
  for (const e of entries) if (e.import) imports.set(e.service, [...(imports.get(e.service) ?? []), e.import]);
  const unknown = services.length ? [] : unmanagedGuests(home, state);
  return { entries, unknown, imports, conflicts: entries.filter((e) => e.verdict === 'wrong-node' || e.verdict === 'wrong-type').length };
}

const VERDICT_TEXT: Readonly<Record<AdoptVerdict, string>> = {
  match: 'import',
  renamed: 'import (renamed)',
  'wrong-node': 'CONFLICT: wrong node',
  'wrong-type': 'CONFLICT: wrong type',
  missing: 'missing (deploy creates it)',
};

export function formatAdoption(report: AdoptReport): string[] {
  const rows = report.entries.map((e) => [
    String(e.vmid), e.service, e.guest, typeName(e.type), e.node,
    e.live ? `${typeName(e.live.type)} ${e.live.name} on ${e.live.node} (${e.live.status})` : '-', VERDICT_TEXT[e.verdict],
  ]);
  const out = table(['VMID', 'SERVICE', 'GUEST', 'TYPE', 'PLAN NODE', 'CLUSTER', 'ADOPT'], rows);
  const notes = report.entries.filter((e) => e.message && e.verdict !== 'missing');
  if (notes.length) out.push('', ...notes.map((e) => `${e.service}: ${e.message}`));
  if (report.unknown.length) {
    out.push('', `guests on the cluster the plan does not know (left alone):`);
    out.push(...table(['VMID', 'TYPE', 'NAME', 'NODE', 'STATUS'], report.unknown.map((g) => [String(g.vmid), typeName(g.type), g.name, g.node, g.status])).map((l) => `  ${l}`));
  }
  const count = [...report.imports.values()].reduce((n, b) => n + b.length, 0);
  const missing = report.entries.filter((e) => e.verdict === 'missing').length;
  out.push('', `adopt: ${count} to import in ${report.imports.size} service(s), ${report.conflicts} conflict(s), ${missing} missing, ${report.unknown.length} unknown`);
  return out;
}
