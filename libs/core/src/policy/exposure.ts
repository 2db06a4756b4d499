import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';
import { FIREWALL_SOURCE_KEYWORDS } from '../proxmox/firewall.ts';

/** `from` entries that open a port to a whole network: never for an admin route's port. */
const NETWORK_SOURCES = ['lan', 'vpn'];

/** Only the declared port forwards reach the LAN from outside; each is backed by a declared public port. */
export const exposureRule: PolicyRule = {
  name: 'exposure',
  codes: ['UndeclaredPublicPort', 'PortForwardWithoutService', 'FirewallSourceUnknown', 'FirewallSourceWithoutVpn', 'AdminPortOpenedToNetwork'],
  description: 'A service may declare a public port only where the site\'s router forwards it, and every forward reaches a declared public port; a port\'s `from` names known sources, and never opens an admin route\'s port to the LAN, the VPN or the internet.',
  check: ({ site, siteSource, services, byName }) => {
    const problems: Problem[] = [];
    const forwards = site.portForwards.map((f) => `${f.service}:${f.port}/${f.protocol}`);
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      s.ports.forEach((p, i) => {
        p.from.forEach((from) => {
          if (!(FIREWALL_SOURCE_KEYWORDS as readonly string[]).includes(from) && !byName.has(from)) {
            out.report(`ports[${i}].from`, 'FirewallSourceUnknown', `${p.port}/${p.protocol} lets in "${from}", which is neither ${FIREWALL_SOURCE_KEYWORDS.join(', ')} nor a service`, from, `Use one of ${FIREWALL_SOURCE_KEYWORDS.join(', ')} or the name of the service that connects.`);
          } else if (from === 'vpn' && site.wireguard === undefined) {
            // The firewall would let nobody in: the site has no tunnel subnet "vpn" stands for.
            out.report(`ports[${i}].from`, 'FirewallSourceWithoutVpn', `${p.port}/${p.protocol} lets in "vpn", but the site has no VPN (wireguard)`, from, 'Remove "vpn" from from, or declare wireguard: { subnet, port, endpointHost } in the site.');
          }
        });
        const admin = p.protocol === 'tcp' ? s.routes.find((r) => r.admin && r.auth === 'authentik' && r.port === p.port && !r.backendUrl.includes('@')) : undefined;
        const opened = p.public ? 'the internet (public: true)' : p.from.filter((f) => NETWORK_SOURCES.includes(f)).join(', ');
        if (admin && opened) {
          out.report(`ports[${i}]`, 'AdminPortOpenedToNetwork', `${p.port}/tcp is the backend of admin route ${admin.fqdn} (${admin.name}), behind Authentik, but it is opened to ${opened}, who reach it without Authentik`, p, `Remove ${p.public ? 'public: true' : `"${opened}" from from`}: reach ${admin.fqdn} through Traefik, or name the one service that needs the port.`);
        }
        if (p.public && !forwards.includes(`${s.name}:${p.port}/${p.protocol}`)) {
          out.report(`ports[${i}].public`, 'UndeclaredPublicPort', `${p.port}/${p.protocol} is declared public, but the router forwards only ${site.portForwards.map((f) => `${f.port}/${f.protocol} → ${f.service}`).join(', ')}`, p, 'Remove public: true (reach it through Traefik or the VPN), or add the forward to the site\'s portForwards deliberately.');
        }
      });
      problems.push(...out.problems);
    }
    const out = new ProblemCollector(siteSource);
    site.portForwards.forEach((f, i) => {
      const target = byName.get(f.service);
      if (!target || !target.ports.some((p) => p.public && p.port === f.port && p.protocol === f.protocol)) {
        out.report(`portForwards[${i}]`, 'PortForwardWithoutService', `the router forwards ${f.port}/${f.protocol} to ${f.service}, which does not declare that port public`, f, `Declare { port: ${f.port}, protocol: "${f.protocol}", public: true } on ${f.service}, or remove the forward.`);
      }
    });
    return [...problems, ...out.problems];
  },
};
