import { ProblemCollector } from '../model/collector.ts';
import type { PolicyRule } from './rule.ts';

/**
 * DNS: the wildcard is DNS-only (Traefik terminates TLS with its own wildcard certificate and sees
 * real client IPs); the VPN endpoint is DNS-only (the CDN proxy does not forward UDP); the apex
 * and www, which are not the homelab, are proxied.
 */
export const dnsRule: PolicyRule = {
  name: 'dns',
  codes: ['DnsRecordMustBeDnsOnly', 'DnsRecordMustBeProxied', 'MissingDnsRecord'],
  description: 'The wildcard and VPN records are DNS-only; the apex and www are proxied.',
  check: ({ site, siteSource }) => {
    const out = new ProblemCollector(siteSource);
    const expected: [string, boolean, string][] = [
      [`*.${site.domain}`, false, 'Traefik must terminate TLS and see client addresses'],
      [site.wireguard.endpointHost, false, 'the CDN proxy does not forward UDP, which WireGuard needs'],
      [site.domain, true, 'the apex is the public site, not the homelab'],
      [`www.${site.domain}`, true, 'www is the public site, not the homelab'],
    ];
    // A domain outside its zone is one mistake (site-facts: DomainOutsideDnsZone), not a missing record per name.
    const domainInZone = site.domain === site.dns.zone || site.domain.endsWith(`.${site.dns.zone}`);
    for (const [name, proxied, why] of expected) {
      if (!domainInZone && name !== site.wireguard.endpointHost) continue;
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
