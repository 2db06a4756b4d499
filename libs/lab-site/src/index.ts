/**
 * @homelab/lab-site: the embedded site moved onto a private test network this machine creates
 * itself, so part of the homelab can be deployed for real into LXC containers (issue 14,
 * `homelab lab plan`). Same services, nodes, groups and policies as libs/site; only the addresses
 * and names differ, so nothing built from it can reach the real LAN, the real VPN or the real
 * domain. Use it with `HOMELAB_SITE=@homelab/lab-site`.
 */
import type { Site } from '@homelab/core';
import { site as embedded } from '@homelab/site';
import { readdress } from './readdress.ts';

/** The lab's own network: a bridge only this machine has, the host at .1 (the lab's gateway). */
export const LAB_NETWORK = {
  bridge: 'labbr1',
  cidr: '10.77.1.0/24',
  hostAddress: '10.77.1.1',
  /** The VPN's inner subnet, moved off the real one (10.10.0.0/24) too. */
  vpnSubnet: '10.77.10.0/24',
} as const;

/** A reserved name for home networks (RFC 8375): never a real public domain. */
export const LAB_DOMAIN = 'lab.home.arpa';

/** What the embedded site holds that the lab must never carry: its LAN, VPN and domain. */
export const EMBEDDED_FACTS = { lanPrefix: '192.168.86.', vpnPrefix: '10.10.0.', domain: embedded.domain } as const;

const moved: Site = readdress(embedded, {
  replace: [
    [EMBEDDED_FACTS.lanPrefix, '10.77.1.'],
    [EMBEDDED_FACTS.vpnPrefix, '10.77.10.'],
    [EMBEDDED_FACTS.domain, LAB_DOMAIN],
  ],
});

export const site: Site = { ...moved, name: 'lab', network: { ...moved.network, bridge: LAB_NETWORK.bridge } };

export default site;
