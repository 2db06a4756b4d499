/**
 * The address-plan entry of a new guest: the node, VMID and IP given by flags, checked against
 * the site, or proposed from it — the VMID and IP one past the highest its kind of guest (LXC,
 * VM) already has, skipping every one in use, so a new LXC lands next to the other LXCs.
 */
import { broadcastOf, cidrContains, formatIpv4, parseCidr, parseIpv4, rangeContains } from '@homelab/core/model';
import type { PlanEntry, SiteFacts } from './site-facts.ts';

export interface PlacementFlags {
  readonly node?: string;
  readonly vmid?: number;
  readonly ip?: string;
}

export type Report = (option: string, code: string, message: string, fix: string) => void;

export interface GuestPlacement {
  readonly node: string;
  readonly vmid: number;
  readonly ip: string;
}

/**
 * An entry the site already has for `name` (written before the package): kept as it is, and
 * flags that would change it are refused. Undefined when the site has none.
 */
export function existingPlacement(facts: SiteFacts, name: string, flags: PlacementFlags, report: Report): PlanEntry | undefined {
  const entry = facts.addressPlan[name];
  if (!entry) return undefined;
  for (const option of ['node', 'vmid', 'ip'] as const) {
    if (flags[option] !== undefined && flags[option] !== entry[option]) {
      report(option, 'AddressPlanEntryExists', `the site's address plan already has "${name}" (${describe(entry)}), with ${option} ${String(entry[option] ?? 'unset')}.`, `Leave --${option} out to keep the entry, or change it in the site.`);
    }
  }
  return entry;
}

export function placeGuest(facts: SiteFacts, name: string, kind: 'lxc' | 'vm', flags: PlacementFlags, report: Report): GuestPlacement | undefined {
  const plan = Object.entries(facts.addressPlan);
  const sameKind = plan.filter(([entry]) => facts.kinds[entry] === kind);
  const peers = sameKind.length ? sameKind : plan;
  let ok = true;
  const fail: Report = (...args) => {
    ok = false;
    report(...args);
  };

  const node = flags.node ?? leastUsedNode(facts);
  if (node === undefined) fail('node', 'NoNode', 'the site has no nodes to put the guest on.', 'Add a node to the site first.');
  else if (!facts.nodes.includes(node)) fail('node', 'UnknownNode', `"${node}" is not one of the site's nodes.`, `Use one of: ${facts.nodes.join(', ')}.`);

  const vmidHolder = (vmid: number) => plan.find(([, p]) => p.vmid === vmid)?.[0];
  let vmid = flags.vmid;
  if (vmid !== undefined) {
    if (!Number.isInteger(vmid) || vmid < 100) fail('vmid', 'InvalidVmid', `${JSON.stringify(vmid)} is not a VMID.`, 'Proxmox VMIDs are whole numbers from 100.');
    else if (vmidHolder(vmid)) fail('vmid', 'VmidTaken', `VMID ${vmid} is taken by "${vmidHolder(vmid)}" in the site's address plan.`, `Leave --vmid out to take the next free one, or pick one no entry has.`);
  } else {
    vmid = Math.max(99, ...peers.flatMap(([, p]) => (p.vmid === undefined ? [] : [p.vmid]))) + 1;
    while (vmidHolder(vmid)) vmid += 1;
  }

  const cidr = parseCidr(facts.cidr);
  const taken = new Map<number, string>();
  for (const [entry, p] of plan) if (p.ip !== undefined) taken.set(parseIpv4(p.ip) ?? -1, `"${entry}" in the site's address plan`);
  for (const ip of facts.reserved) if (!taken.has(parseIpv4(ip) ?? -1)) taken.set(parseIpv4(ip) ?? -1, 'a node, an external host, the gateway, a DNS server or the Kubernetes VIP');
  const holder = (ip: number) => taken.get(ip) ?? (facts.reservedRanges.some((r) => rangeContains(r, ip)) ? 'a range another service hands out (the MetalLB pool)' : undefined);
  let ip = flags.ip;
  if (!cidr) {
    fail('ip', 'NoSubnet', `the site's network.cidr ${JSON.stringify(facts.cidr)} is not a subnet.`, 'Fix the site\'s network.cidr.');
  } else if (ip !== undefined) {
    const value = parseIpv4(ip);
    if (value === undefined) fail('ip', 'InvalidIp', `${JSON.stringify(ip)} is not an IPv4 address.`, `Give an address inside ${facts.cidr}.`);
    else if (!cidrContains(cidr, value) || value === cidr.network || value === broadcastOf(cidr)) fail('ip', 'IpOutsideSubnet', `${ip} is not a host address of the site's subnet ${facts.cidr}.`, `Give an address inside ${facts.cidr}.`);
    else if (holder(value)) fail('ip', 'IpTaken', `${ip} is taken by ${holder(value)}.`, 'Leave --ip out to take the next free one, or pick one nothing uses.');
  } else {
    let next = Math.max(cidr.network, ...peers.flatMap(([, p]) => (p.ip === undefined ? [] : [parseIpv4(p.ip) ?? 0]))) + 1;
    while (next < broadcastOf(cidr) && holder(next)) next += 1;
    if (next >= broadcastOf(cidr)) fail('ip', 'SubnetFull', `no free address is left in ${facts.cidr} past the highest one in use.`, 'Give --ip a free address.');
    else ip = formatIpv4(next);
  }
  return ok && node !== undefined && vmid !== undefined && ip !== undefined ? { node, vmid, ip } : undefined;
}

/** The node with the fewest guests in the address plan (ties: the first by name). */
function leastUsedNode(facts: SiteFacts): string | undefined {
  const count = (n: string) => Object.values(facts.addressPlan).filter((p) => p.node === n).length;
  return [...facts.nodes].sort((a, b) => count(a) - count(b) || a.localeCompare(b))[0];
}

function describe(p: PlanEntry): string {
  return Object.entries(p).map(([k, v]) => `${k} ${String(v)}`).join(', ');
}
