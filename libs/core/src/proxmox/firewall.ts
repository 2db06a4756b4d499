/**
 * The Proxmox guest firewall, derived from the model: every guest drops what comes in unless the
 * model says who needs it (docs/decisions.md, "Guest firewalls from the model"):
 *
 *   route ports      from the ingress service (Traefik), which applies forward-auth first
 *   metrics ports    from the metrics scraper (the service that provides `metrics`)
 *   public ports     from anywhere (the router forwards them: site.portForwards)
 *   ports[].from     from what the package names (`lan`, `vpn`, `management`, `nfs-clients`, a service)
 *   22/tcp           from the site's management sources (deploy and Ansible use SSH)
 *   everything       from the other guests of the same stack (a cluster's members talk to each other)
 *
 * Outbound stays open (output policy ACCEPT): the guests pull images and packages, and the
 * replies to what came in are let out by the firewall's connection tracking either way.
 * The same allowances feed the policy rule admin-backend-reach, so what is checked is what is
 * synthesized.
 */
import type { NormalizedGuest, NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { nfsClientNodes } from '../render/nfs.ts';
import type { FirewallOptionsConfig, FirewallRulesConfig, FirewallRulesConfigRule } from './generated/bpg-proxmox.ts';

export const SSH_PORT = 22;

/** The names ports[].from accepts besides service names. */
export const FIREWALL_SOURCE_KEYWORDS = ['lan', 'vpn', 'management', 'nfs-clients'] as const;

export interface InboundAllowance {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  /** Source addresses or CIDRs, sorted; empty when `anywhere`. */
  readonly sources: readonly string[];
  readonly anywhere: boolean;
  /** Why the port is open, for the rule comment and for problems. */
  readonly reasons: readonly string[];
}

export interface GuestFirewall {
  readonly options: FirewallOptionsConfig;
  readonly rules: FirewallRulesConfig;
  readonly allowances: readonly InboundAllowance[];
}

const byAddress = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function addressesOf(s: NormalizedService): string[] {
  const own = s.ip ? [s.ip] : [];
  return [...new Set([...own, ...s.guests.map((g) => g.placement.ip)])].sort(byAddress);
}

/** Where Traefik's requests to the backends come from. */
export function ingressAddresses(services: readonly NormalizedService[]): string[] {
  return [...new Set(services.filter((s) => s.provides.includes('ingress')).flatMap(addressesOf))].sort(byAddress);
}

/** Where the metrics scrapes come from. */
export function scraperAddresses(services: readonly NormalizedService[]): string[] {
  return [...new Set(services.filter((s) => s.provides.includes('metrics')).flatMap(addressesOf))].sort(byAddress);
}

/** The addresses a ports[].from entry stands for; undefined when it names nothing known. */
export function resolveFirewallSource(name: string, site: Site, services: readonly NormalizedService[]): string[] | undefined {
  switch (name) {
    case 'lan': return [site.network.cidr];
    case 'vpn': return site.wireguard ? [site.wireguard.subnet] : undefined;
    case 'management': return [...site.management.sources];
    case 'nfs-clients': return nfsClientNodes(services).map((n) => n.ip);
    default: {
      const s = services.find((x) => x.name === name);
      return s ? addressesOf(s) : undefined;
    }
  }
}

function backendAddress(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined; // api@internal and other non-URL backends live inside Traefik
  }
}

/** The services whose declared ports listen on this guest: its owner's, and those sharing it. */
function portOwners(owner: NormalizedService, guest: NormalizedGuest, services: readonly NormalizedService[]): NormalizedService[] {
  const ownGuest = owner.ip === undefined || owner.ip === guest.placement.ip;
  if (!ownGuest) return [];
  return [owner, ...services.filter((s) => s.sharesGuestWith === owner.name)];
}

/** Every inbound allowance of one guest, merged per port and protocol, in port order. */
export function guestAllowances(site: Site, services: readonly NormalizedService[], owner: NormalizedService, guest: NormalizedGuest): InboundAllowance[] {
  const ip = guest.placement.ip;
  const raw: { port: number; protocol: 'tcp' | 'udp'; sources: string[]; anywhere: boolean; reason: string }[] = [];
  const ingress = ingressAddresses(services);
  const scrapers = scraperAddresses(services);
  for (const s of services) {
    for (const r of s.routes) {
      const b = backendAddress(r.backendUrl);
      if (b?.host === ip) raw.push({ port: b.port, protocol: 'tcp', sources: ingress, anywhere: false, reason: `route ${s.name}/${r.name} (${r.fqdn}) through the ingress` });
    }
    for (const m of s.metrics) {
      if (m.address === ip) raw.push({ port: m.port, protocol: 'tcp', sources: scrapers, anywhere: false, reason: `metrics ${s.name}/${m.name} for the scraper` });
    }
  }
  for (const s of portOwners(owner, guest, services)) {
    for (const p of s.ports) {
      if (p.public) raw.push({ port: p.port, protocol: p.protocol, sources: [], anywhere: true, reason: `public port of ${s.name} (${p.description})` });
      for (const from of p.from) {
        raw.push({ port: p.port, protocol: p.protocol, sources: resolveFirewallSource(from, site, services) ?? [], anywhere: false, reason: `${s.name} lets ${from} in (${p.description})` });
      }
    }
  }
  raw.push({ port: SSH_PORT, protocol: 'tcp', sources: [...site.management.sources], anywhere: false, reason: 'SSH from the management sources (deploy, Ansible)' });

  const merged = new Map<string, { port: number; protocol: 'tcp' | 'udp'; sources: Set<string>; anywhere: boolean; reasons: Set<string> }>();
  for (const a of raw) {
    const key = `${a.protocol}/${a.port}`;
    const m = merged.get(key) ?? { port: a.port, protocol: a.protocol, sources: new Set<string>(), anywhere: false, reasons: new Set<string>() };
    // Traffic a guest sends to itself never crosses its NIC's firewall.
    const others = a.sources.filter((src) => src !== ip);
    if (!a.anywhere && others.length === 0) continue;
    for (const src of others) m.sources.add(src);
    m.anywhere ||= a.anywhere;
    m.reasons.add(a.reason);
    merged.set(key, m);
  }
  return [...merged.values()]
    .map((m) => ({ port: m.port, protocol: m.protocol, anywhere: m.anywhere, sources: m.anywhere ? [] : [...m.sources].sort(byAddress), reasons: [...m.reasons].sort() }))
    .filter((a) => a.anywhere || a.sources.length > 0)
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** Whether the package turned the generated firewall off for its guests (with a reason). */
export function firewallDisabled(service: NormalizedService): boolean {
  return service.props.firewall?.enabled === false;
}

function selector(guest: NormalizedGuest): { node_name: string; vm_id?: number; container_id?: number } {
  const node_name = guest.node?.name ?? guest.placement.node ?? '';
  return guest.kind === 'lxc' ? { node_name, container_id: guest.placement.vmid } : { node_name, vm_id: guest.placement.vmid };
}

/** The firewall options and rules of one guest. */
export function guestFirewall(site: Site, services: readonly NormalizedService[], owner: NormalizedService, guest: NormalizedGuest): GuestFirewall {
  const allowances = guestAllowances(site, services, owner, guest);
  const rule: FirewallRulesConfigRule[] = allowances.map((a) => ({
    type: 'in', action: 'ACCEPT', proto: a.protocol, dport: String(a.port),
    ...(a.anywhere ? {} : { source: a.sources.join(',') }),
    comment: `homelab: ${a.reasons.join('; ')}`,
  }));
  const peers = owner.guests.filter((g) => g.placement.ip !== guest.placement.ip).map((g) => g.placement.ip).sort(byAddress);
  if (peers.length) rule.push({ type: 'in', action: 'ACCEPT', source: peers.join(','), comment: `homelab: the other guests of ${owner.name}` });
  return {
    // ipfilter stays unset: on a VM an empty ipfilter set would drop the guest's own IPv4.
    options: { ...selector(guest), enabled: true, input_policy: 'DROP', output_policy: 'ACCEPT' },
    rules: { ...selector(guest), rule },
    allowances,
  };
}
