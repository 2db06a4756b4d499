import { broadcastOf, cidrContains, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { ProblemCollector } from '../model/collector.ts';
import { duplicateNodeName } from './duplicate-node-names.ts';
import type { PolicyRule } from './rule.ts';

/**
 * Site facts that contradict each other, each named for what it is: a gateway outside the LAN it
 * routes, two nodes (or hosts) with one name, a Proxmox node or the Kubernetes addresses outside
 * the LAN, a MetalLB pool that runs backwards, a domain outside its own DNS zone.
 */
export const siteFactsRule: PolicyRule = {
  name: 'site-facts',
  codes: [
    'InvalidGateway', 'GatewayOutsideLan', 'GatewayIsNetworkOrBroadcast', 'DuplicateNodeName', 'DuplicateHostName', 'NodeOutsideLan',
    'ApiVipOutsideLan', 'MetallbPoolOutsideLan', 'MetallbPoolReversed', 'DomainOutsideDnsZone', 'UnknownCephMonitor',
  ],
  description: 'The site agrees with itself: the gateway is a host of the LAN, node and host names are unique, nodes and the Kubernetes addresses are in the LAN, the MetalLB pool runs forwards, the domain is inside its DNS zone, the Ceph monitors are nodes.',
  check: ({ site, siteSource }) => {
    const out = new ProblemCollector(siteSource);
    const lan = parseCidr(site.network.cidr);
    const gateway = parseIpv4(site.network.gateway);
    if (gateway === undefined) {
      out.report('network.gateway', 'InvalidGateway', 'the gateway is not an IPv4 address', site.network.gateway, 'Write the router\'s LAN address as four dotted octets.');
    } else if (lan && !cidrContains(lan, gateway)) {
      out.report('network.gateway', 'GatewayOutsideLan', `the gateway is outside the LAN ${site.network.cidr}, so no guest could reach it`, site.network.gateway, `Set the router's address inside ${site.network.cidr}, or correct network.cidr.`);
    } else if (lan && (gateway === lan.network || gateway === broadcastOf(lan))) {
      out.report('network.gateway', 'GatewayIsNetworkOrBroadcast', `the gateway is the ${gateway === lan.network ? 'network' : 'broadcast'} address of ${site.network.cidr}`, site.network.gateway, 'Set the router\'s own host address.');
    }

    const seen = new Map<string, string>();
    const claim = (name: string, path: string, kind: 'node' | 'host') => {
      const prior = seen.get(name);
      if (prior === undefined) { seen.set(name, path); return; }
      if (kind === 'node' && prior.startsWith('nodes')) { out.problems.push(duplicateNodeName(site, siteSource, indexOf(path), indexOf(prior))); return; }
      out.report(`${path}.name`, kind === 'node' && prior.startsWith('nodes') ? 'DuplicateNodeName' : 'DuplicateHostName', `"${name}" is also the name of ${prior}: the address plan and the inventory could not tell them apart`, name, 'Give every node and external host its own name.');
    };
    const indexOf = (path: string) => Number(/\d+/.exec(path)![0]);
    site.nodes.forEach((n, i) => claim(n.name, `nodes[${i}]`, 'node'));
    site.externalHosts.forEach((h, i) => claim(h.name, `externalHosts[${i}]`, 'host'));

    if (lan) {
      site.nodes.forEach((n, i) => {
        const ip = parseIpv4(n.ip);
        if (ip !== undefined && !cidrContains(lan, ip)) out.report(`nodes[${i}].ip`, 'NodeOutsideLan', `node ${n.name} is outside the LAN ${site.network.cidr} its guests are bridged to`, n.ip, `Correct the node's address, or network.cidr.`);
      });
      // Kubernetes is optional: its addresses are checked where the site has a cluster.
      const k8s = site.kubernetes;
      if (k8s) {
        const vip = parseIpv4(k8s.apiVip);
        if (vip !== undefined && !cidrContains(lan, vip)) out.report('kubernetes.apiVip', 'ApiVipOutsideLan', `the Kubernetes API VIP is outside the LAN ${site.network.cidr}, so the control-plane nodes cannot hold it`, k8s.apiVip, `Pick a free address inside ${site.network.cidr}.`);
        const [start, end] = [parseIpv4(k8s.metallbPool.start), parseIpv4(k8s.metallbPool.end)];
        for (const [key, ip] of [['start', start], ['end', end]] as const) {
          if (ip !== undefined && !cidrContains(lan, ip)) out.report(`kubernetes.metallbPool.${key}`, 'MetallbPoolOutsideLan', `the MetalLB pool ${key} is outside the LAN ${site.network.cidr}`, k8s.metallbPool[key], `Keep the pool inside ${site.network.cidr}.`);
        }
        if (start !== undefined && end !== undefined && start > end) out.report('kubernetes.metallbPool', 'MetallbPoolReversed', 'the MetalLB pool ends before it starts', k8s.metallbPool, 'Swap start and end.');
      }
    }

    site.storage.ceph?.monitors.forEach((name, i) => {
      if (!site.nodes.some((n) => n.name === name)) out.report(`storage.ceph.monitors[${i}]`, 'UnknownCephMonitor', `Ceph monitor "${name}" is not a node of the site`, name, `Use one of: ${site.nodes.map((n) => n.name).join(', ')}.`);
    });

    const zone = site.dns.zone;
    if (site.domain !== zone && !site.domain.endsWith(`.${zone}`)) {
      // One problem here instead of a missing record per route: the domain (or the zone) is wrong.
      out.report('domain', 'DomainOutsideDnsZone', `the domain ${site.domain} is not inside the DNS zone ${zone}, so no route name can be published or get a certificate`, site.domain, `Set domain to ${zone} (or a name under it), or correct dns.zone.`);
    }
    return out.problems;
  },
};
