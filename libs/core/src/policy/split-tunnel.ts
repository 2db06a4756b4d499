import { ProblemCollector } from '../model/collector.ts';
import { factPath } from '../model/facts/fact.ts';
import type { WireguardFact } from '../model/facts/wireguard.ts';
import type { Problem } from '../model/problem.ts';
import { cidrContains, cidrsOverlap, parseCidr, parseIpv4, type Cidr } from '../net/ipv4.ts';
import { parseWireguardConfig, type ParsedWireguardSection } from '../render/wireguard-parse.ts';
import { filePath, renderedFiles } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/**
 * Split tunnel (seed 05: "only 10.10.0.0/24 routes through the tunnel, avoiding conflicts on
 * machines already on the LAN"): the tunnel subnet does not overlap the LAN; every client
 * routes exactly the tunnel subnet, in the facts the package publishes (`facts.wireguard`) and in
 * the rendered client configs; every address of the tunnel lies inside it.
 */
export const splitTunnelRule: PolicyRule = {
  name: 'split-tunnel',
  codes: ['InvalidTunnelSubnet', 'TunnelOverlapsLan', 'TunnelSubnetMismatch', 'FullTunnelClient', 'ClientRoutesBeyondTunnel', 'PeerOutsideTunnel', 'UnreadableWireguardConfig', 'PeerWithoutPresharedKey'],
  description: 'WireGuard is split-tunnel: the tunnel subnet does not overlap the LAN, and clients\' AllowedIPs are exactly the tunnel subnet, both in facts.wireguard and in the rendered client configs; every [Peer] of a rendered config has a PresharedKey.',
  check: (ctx) => {
    const { site, siteSource, services } = ctx;
    const problems: Problem[] = [];
    // WireGuard is optional: a site without a tunnel has nothing to split.
    if (site.wireguard === undefined) return problems;
    const subnetText = site.wireguard?.subnet;
    const subnet = typeof subnetText === 'string' ? parseCidr(subnetText) : undefined;
    const siteOut = new ProblemCollector(siteSource);
    if (!subnet) {
      siteOut.report('wireguard.subnet', 'InvalidTunnelSubnet', 'the WireGuard tunnel subnet is not a valid IPv4 CIDR', subnetText, 'Write it like "10.10.0.0/24", outside the LAN.');
      return siteOut.problems;
    }
    const lan = typeof site.network?.cidr === 'string' ? parseCidr(site.network.cidr) : undefined;
    if (lan && cidrsOverlap(lan, subnet)) {
      siteOut.report('wireguard.subnet', 'TunnelOverlapsLan', `the tunnel subnet overlaps the LAN ${site.network.cidr}, so a client on a LAN with the same addresses cannot tell them apart`, subnetText, `Pick a subnet outside ${site.network.cidr}, e.g. "10.10.0.0/24".`);
    }
    problems.push(...siteOut.problems);

    for (const s of services) {
      if (s.facts.wireguard === undefined) continue;
      const out = new ProblemCollector(s.pkg.dir);
      checkFacts(s.facts.wireguard, subnetText!, subnet, out);
      problems.push(...out.problems);
    }
    if (!ctx.files) return problems;
    for (const r of renderedFiles(ctx, 'wireguard')) {
      const out = new ProblemCollector(r.service.pkg.dir);
      const parsed = parseWireguardConfig(r.file.content);
      const where = filePath(r.file);
      if (!parsed.interface || parsed.problems.length) {
        const first = parsed.problems[0];
        out.report(first ? `${where}:${first.line}` : where, 'UnreadableWireguardConfig', `the WireGuard config cannot be checked: ${first?.message ?? 'no [Interface] section'}`, r.file.path, 'Render it with wireguardConfig.');
        problems.push(...out.problems);
        continue;
      }
      const isClient = parsed.peers.some((p) => p.values.Endpoint !== undefined);
      for (const address of values(parsed.interface, 'Address')) {
        if (!insideTunnel(address, subnet)) out.report(`${where}:${parsed.interface.line}`, 'PeerOutsideTunnel', `the interface address ${address} is outside the tunnel subnet ${subnetText}`, address, `Give it an address inside ${subnetText}.`);
      }
      for (const peer of parsed.peers) {
        if (values(peer, 'PresharedKey').length === 0) {
          out.report(`${where}:${peer.line}`, 'PeerWithoutPresharedKey', 'a [Peer] without a PresharedKey: the tunnel rests on Curve25519 alone, so traffic recorded today is readable once that falls', r.file.path, 'Give the pair a preshared key (wg genpsk) in an environment variable, declare it in secrets, and render presharedKey: envRef(NAME) on both ends.');
        }
        const allowed = values(peer, 'AllowedIPs');
        if (isClient) {
          checkClientRoutes(allowed, subnetText!, `${where}:${peer.line}`, 'the client config', out);
        } else {
          for (const ip of allowed.filter((a) => !insideTunnel(a, subnet))) {
            out.report(`${where}:${peer.line}`, 'PeerOutsideTunnel', `the server routes ${ip} to a peer, outside the tunnel subnet ${subnetText}`, ip, `Give each peer its own /32 inside ${subnetText}.`);
          }
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

function checkFacts(facts: WireguardFact, subnetText: string, subnet: Cidr, out: ProblemCollector): void {
  const at = (...keys: (string | number)[]) => factPath('wireguard', keys);
  if (facts.subnet !== subnetText) {
    out.report(at('subnet'), 'TunnelSubnetMismatch', `the package's tunnel subnet is not the site's (${subnetText})`, facts.subnet, 'Take the subnet from site.wireguard.subnet.');
    // The rest is measured against the package's own subnet: one mistake, one problem.
    const own = parseCidr(facts.subnet);
    if (!own) return;
    [subnetText, subnet] = [facts.subnet, own];
  }
  if (facts.serverAddress !== undefined && !insideTunnel(facts.serverAddress, subnet)) {
    out.report(at('serverAddress'), 'PeerOutsideTunnel', `the server's tunnel address is outside ${subnetText}`, facts.serverAddress, `Give the server an address inside ${subnetText} (its first host).`);
  }
  facts.peers.forEach((p, i) => {
    if (!insideTunnel(p.address, subnet)) {
      out.report(at('peers', i, 'address'), 'PeerOutsideTunnel', `peer ${p.name}'s address is outside the tunnel subnet ${subnetText}`, p.address, `Give it a free address inside ${subnetText}.`);
    }
    checkClientRoutes(p.allowedIps, subnetText, at('peers', i, 'allowedIps'), `peer ${p.name}`, out);
  });
}

/** A client routes exactly the tunnel subnet through the tunnel: no default route, no LAN. */
function checkClientRoutes(allowed: readonly string[], subnetText: string, path: string, who: string, out: ProblemCollector): void {
  if (allowed.length === 1 && allowed[0] === subnetText) return;
  if (isFullTunnel(allowed)) {
    out.report(path, 'FullTunnelClient', `${who} sends all its traffic through the tunnel (a default route in AllowedIPs); the VPN is for remote management only`, allowed, `Set AllowedIPs to exactly ${subnetText}.`);
  } else {
    out.report(path, 'ClientRoutesBeyondTunnel', `${who} must route exactly the tunnel subnet ${subnetText}; other ranges (a LAN the client may also be on) stay on its local route`, allowed, `Set AllowedIPs to exactly ${subnetText}.`);
  }
}

/** 0.0.0.0/0, ::/0, or wg-quick's two halves (0.0.0.0/1 + 128.0.0.0/1). */
function isFullTunnel(allowed: readonly string[]): boolean {
  const set = new Set(allowed.map((a) => a.trim()));
  if ([...set].some((a) => /\/0$/.test(a))) return true;
  return (set.has('0.0.0.0/1') && set.has('128.0.0.0/1')) || (set.has('::/1') && set.has('8000::/1'));
}

function insideTunnel(address: string, subnet: Cidr): boolean {
  const [ip, prefix] = address.split('/');
  const value = parseIpv4(ip ?? '');
  if (value === undefined || !cidrContains(subnet, value)) return false;
  if (prefix === undefined) return true;
  // An interface address (10.10.0.1/24) or a route (10.10.0.2/32): no wider than the subnet.
  return /^\d{1,2}$/.test(prefix) && Number(prefix) >= subnet.prefix && Number(prefix) <= 32;
}

function values(section: ParsedWireguardSection, key: string): string[] {
  return (section.values[key] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}
