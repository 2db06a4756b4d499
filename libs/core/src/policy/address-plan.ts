import { broadcastOf, cidrContains, formatIpv4, parseCidr, parseIpv4, rangeContains } from '../net/ipv4.ts';
import { ProblemCollector } from '../model/collector.ts';
import type { PolicyRule } from './rule.ts';

/**
 * The address plan: unique VMIDs and IPs, inside the LAN, never the gateway, the network or
 * broadcast address, the Kubernetes API VIP or the MetalLB pool.
 */
export const addressPlanRule: PolicyRule = {
  name: 'address-plan',
  codes: ['InvalidIp', 'IpOutsideSubnet', 'IpIsGateway', 'IpIsNetworkOrBroadcast', 'IpIsApiVip', 'IpInMetallbPool', 'DuplicateIp', 'DuplicateVmid', 'VmidOutOfRange', 'InvalidSubnet'],
  description: 'Every planned address is unique, inside the LAN and outside the reserved ranges; every VMID is unique.',
  check: ({ site, siteSource }) => {
    const out = new ProblemCollector(siteSource);
    const lan = parseCidr(site.network.cidr);
    if (!lan) {
      out.report('network.cidr', 'InvalidSubnet', 'the LAN is not a valid IPv4 CIDR', site.network.cidr, 'Write it like "192.168.1.0/24".');
      return out.problems;
    }
    const gateway = parseIpv4(site.network.gateway);
    // Without Kubernetes there is no VIP or LoadBalancer pool to keep free.
    const vip = site.kubernetes ? parseIpv4(site.kubernetes.apiVip) : undefined;
    const pool = site.kubernetes?.metallbPool;
    const ipOwners = new Map<number, string[]>();
    const vmidOwners = new Map<number, string[]>();
    const claim = (map: Map<number, string[]>, key: number, owner: string) => map.set(key, [...(map.get(key) ?? []), owner]);

    for (const n of site.nodes) {
      const ip = parseIpv4(n.ip);
      if (ip !== undefined) claim(ipOwners, ip, `nodes.${n.name}`);
    }
    for (const h of site.externalHosts) {
      const ip = parseIpv4(h.ip);
      if (ip !== undefined) claim(ipOwners, ip, `externalHosts.${h.name}`);
    }
    for (const name of Object.keys(site.addressPlan).sort()) {
      const entry = site.addressPlan[name]!;
      const path = `addressPlan.${name}`;
      const ip = parseIpv4(entry.ip);
      if (ip === undefined) {
        out.report(`${path}.ip`, 'InvalidIp', 'not an IPv4 address', entry.ip, 'Write four dotted octets, e.g. "10.0.0.20".');
      } else {
        checkReserved(`${path}.ip`, entry.ip, ip);
        // A unit on an external host (a Pi) has that host's address by definition.
        const hostIp = entry.host ? site.externalHosts.find((h) => h.name === entry.host)?.ip : undefined;
        if (hostIp !== entry.ip) claim(ipOwners, ip, path);
      }
      if (entry.vmid !== undefined) {
        if (!Number.isInteger(entry.vmid) || entry.vmid < 100 || entry.vmid > 999_999_999) {
          out.report(`${path}.vmid`, 'VmidOutOfRange', 'Proxmox VMIDs are integers from 100 to 999999999', entry.vmid, 'Pick an unused VMID of 100 or more.');
        }
        claim(vmidOwners, entry.vmid, path);
      }
    }
    // Every claimant is reported, so whichever entry is wrong, its path appears.
    for (const [ip, owners] of [...ipOwners].sort((a, b) => a[0] - b[0])) {
      if (owners.length < 2) continue;
      for (const owner of owners) {
        const others = owners.filter((o) => o !== owner).join(', ');
        out.report(owner.startsWith('addressPlan.') ? `${owner}.ip` : owner, 'DuplicateIp', `the address is also used by ${others}`, formatIpv4(ip), 'Give each guest and host its own address; units that share a guest share its address-plan entry (sharesGuestWith).');
      }
    }
    for (const [vmid, owners] of [...vmidOwners].sort((a, b) => a[0] - b[0])) {
      if (owners.length < 2) continue;
      for (const owner of owners) {
        out.report(`${owner}.vmid`, 'DuplicateVmid', `VMID ${vmid} is also used by ${owners.filter((o) => o !== owner).join(', ')}`, vmid, 'Give each guest its own VMID; units that share a guest share its address-plan entry (sharesGuestWith).');
      }
    }
    return out.problems;

    function checkReserved(path: string, text: string, ip: number): void {
      if (!cidrContains(lan!, ip)) {
        out.report(path, 'IpOutsideSubnet', `the address is outside the LAN ${site.network.cidr}`, text, `Pick a free address inside ${site.network.cidr}.`);
        return;
      }
      if (ip === lan!.network || ip === broadcastOf(lan!)) out.report(path, 'IpIsNetworkOrBroadcast', 'the network and broadcast addresses cannot be assigned', text, 'Pick a host address.');
      if (ip === gateway) out.report(path, 'IpIsGateway', 'the address is the LAN gateway', text, 'Pick a free address that is not the router.');
      if (ip === vip) out.report(path, 'IpIsApiVip', 'the address is the Kubernetes API VIP, which Talos moves between control-plane nodes', text, 'Pick another address.');
      if (pool && rangeContains(pool, ip)) {
        out.report(path, 'IpInMetallbPool', `the address is inside the MetalLB pool ${pool.start}–${pool.end}, which MetalLB hands out to LoadBalancer services`, text, 'Pick an address outside the pool.');
      }
    }
  },
};

