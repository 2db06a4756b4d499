import { ProblemCollector } from '../model/collector.ts';
import type { PolicyRule } from './rule.ts';

/**
 * DNS: the wildcard is DNS-only (Traefik terminates TLS with its own wildcard certificate and sees
 * real client IPs); the VPN endpoint, where the site has a tunnel, is DNS-only (a CDN proxy does
 * not forward UDP); a public website the site declares (dns.publicWebsite, e.g. the apex and www
 * served elsewhere) has a record for each of its names, proxied as the site says.
 */
export const dnsRule: PolicyRule = {
  name: 'dns',
  codes: ['DnsRecordMustBeDnsOnly', 'DnsRecordMustBeProxied', 'MissingDnsRecord'],
  description: 'The wildcard and VPN records are DNS-only; the names of the site\'s public website (dns.publicWebsite) have records, proxied as it declares.',
  check: ({ site, siteSource }) => {
    const out = new ProblemCollector(siteSource);
    const vpnEndpoint = site.wireguard?.endpointHost;
    const expected: [string, boolean, string][] = [
      [`*.${site.domain}`, false, 'Traefik must terminate TLS and see client addresses'],
      ...(vpnEndpoint !== undefined ? [[vpnEndpoint, false, 'the CDN proxy does not forward UDP, which WireGuard needs'] as [string, boolean, string]] : []),
      ...(site.dns.publicWebsite?.names ?? []).map((name): [string, boolean, string] => [name, site.dns.publicWebsite!.proxied, `it is the public website (${site.dns.publicWebsite!.description}), not the homelab`]),
    ];
    // A domain outside its zone is one mistake (site-facts: DomainOutsideDnsZone), not a missing record per name.
    const domainInZone = site.domain === site.dns.zone || site.domain.endsWith(`.${site.dns.zone}`);
    for (const [name, proxied, why] of expected) {
      if (!domainInZone && name !== vpnEndpoint) continue;
      const i = site.dns.records.findIndex((r) => r.name === name);
      const record = site.dns.records[i];
      if (!record) {
        out.report('dns.records', 'MissingDnsRecord', `there is no record for ${name}`, site.dns.records.map((r) => r.name), `Add a ${proxied ? 'proxied' : 'DNS-only'} record for ${name}.`);
      } else if (record.proxied !== proxied) {
        out.report(`dns.records[${i}].proxied`, proxied ? 'DnsRecordMustBeProxied' : 'DnsRecordMustBeDnsOnly', `${name} must be ${proxied ? 'proxied' : 'DNS-only'}: ${why}`, record.proxied, `Set proxied: ${proxied}.`);
      }
    }
    return out.problems;
  },
};
