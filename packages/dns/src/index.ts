/**
 * The public DNS records of the site, in Cloudflare: the wildcard and the VPN endpoint DNS-only
 * (Traefik terminates TLS and sees client addresses; Cloudflare's proxy does not carry UDP), the
 * apex and www proxied to Cloudflare Pages. The records are the site's (libs/site dns.records);
 * this package only turns them into Terraform. The router's port forwards are the one manual step
 * of the whole deploy: see README.md and docs/runbooks/router-port-forwards.md.
 */
import { defineService, SiteRequirementError, type Site, type TerraformContext, type TerraformScope } from '@homelab/core/model';
import {
  CLOUDFLARE_API_TOKEN_ENV, CloudflareDnsRecord, CloudflareProvider, dnsRecordResourceId, referencedVariables, stringVariable,
} from '@homelab/core/terraform';

export const ZONE_ID_VARIABLE = 'cloudflare_zone_id';
/** The one DNS provider this package implements (site.dns.provider). */
export const PROVIDER = 'cloudflare';

const VARIABLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [ZONE_ID_VARIABLE]: 'Cloudflare zone id of the domain (TF_VAR_cloudflare_zone_id); not a secret, kept out of the repository with the other per-account values.',
  public_ip: 'The WAN address of the router the DNS-only records point to (TF_VAR_public_ip); it is dynamic, so it is given at apply time.',
};

/** The Terraform variables the stack declares: the zone id and whatever the records refer to. */
export function dnsVariables(site: Site): string[] {
  return [...new Set([ZONE_ID_VARIABLE, ...referencedVariables(site.dns.records.map((r) => r.content))])].sort();
}

function terraform(scope: TerraformScope, ctx: TerraformContext): void {
  const { site } = ctx;
  new CloudflareProvider(scope, 'cloudflare');
  const refs = Object.fromEntries(dnsVariables(site).map((name) => [name, stringVariable(scope, name, VARIABLE_DESCRIPTIONS[name] ?? `Set as TF_VAR_${name} at apply time.`)]));
  const seen = new Set<string>();
  for (const record of [...site.dns.records].sort((a, b) => a.name.localeCompare(b.name))) {
    const id = dnsRecordResourceId(record.name);
    if (seen.has(id)) throw new Error(`two DNS records map to the resource name ${id}`);
    seen.add(id);
    new CloudflareDnsRecord(scope, id, {
      zone_id: refs[ZONE_ID_VARIABLE]!,
      name: record.name,
      type: record.type,
      content: record.content,
      proxied: record.proxied,
      comment: `${record.comment} (homelab: packages/dns)`,
    });
  }
}

/**
 * The package writes Cloudflare records: a site whose zone another provider serves gets a coded
 * problem here (not Cloudflare resources for a zone Cloudflare does not hold).
 */
function requireCloudflare(site: Site): void {
  if (site.dns.provider === PROVIDER) return;
  throw new SiteRequirementError(
    'UnsupportedDnsProvider', 'dns.provider',
    `packages/dns writes Cloudflare DNS records, but the site's zone ${site.dns.zone} is served by "${site.dns.provider}"`, site.dns.provider,
    `Remove packages/dns from this homelab and add a DNS package for "${site.dns.provider}" (or manage the records by hand), or set dns.provider to "${PROVIDER}" if Cloudflare serves the zone.`,
  );
}

export default defineService((site) => {
  requireCloudflare(site);
  return {
    name: 'dns',
    description: 'Cloudflare DNS records of the domain: wildcard and wg. DNS-only to the router, apex and www proxied to Cloudflare Pages',
    kind: 'none',
    tier: 'critical',
    group: 'core',
    provides: ['dns'],
    secrets: [{ env: CLOUDFLARE_API_TOKEN_ENV, description: 'Cloudflare API token with Zone:DNS:Edit on the zone; read by the Terraform provider from the environment' }],
    terraform,
  };
});
