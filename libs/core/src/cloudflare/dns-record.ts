/**
 * Cloudflare DNS records for a stack, typed by hand like the Proxmox bindings (no prebuilt cdktf
 * provider package is used). Provider `cloudflare/cloudflare` v5; resource `cloudflare_dns_record`
 * (v5's name; v4's `cloudflare_record` is gone) with its documented fields: zone_id, name, type,
 * content, ttl (required in v5; 1 means automatic, the only value a proxied record takes), proxied,
 * comment.
 *
 * The provider block is empty on purpose: the provider reads CLOUDFLARE_API_TOKEN from the
 * environment, so no token is ever written to a file.
 */
import type { TerraformScope } from '../model/service.ts';
import { constructOf, TerraformProvider, TerraformResource, TerraformVariable } from '../proxmox/cdktf.ts';

export const CLOUDFLARE_PROVIDER_SOURCE = 'cloudflare/cloudflare';
/** Major version 5: the resource and field names above are v5's. */
export const CLOUDFLARE_PROVIDER_CONSTRAINT = '~> 5.0';
export const CLOUDFLARE_API_TOKEN_ENV = 'CLOUDFLARE_API_TOKEN';
/** TTL value meaning "automatic"; required for proxied records. */
export const CLOUDFLARE_TTL_AUTO = 1;

export class CloudflareProvider extends TerraformProvider {
  constructor(scope: TerraformScope, id: string) {
    super(constructOf(scope), id, {
      terraformResourceType: 'cloudflare',
      terraformGeneratorMetadata: { providerName: 'cloudflare', providerVersionConstraint: CLOUDFLARE_PROVIDER_CONSTRAINT },
      terraformProviderSource: CLOUDFLARE_PROVIDER_SOURCE,
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

export interface DnsRecordConfig {
  /** Zone id, usually `${var.cloudflare_zone_id}`. */
  readonly zone_id: string;
  /** Full record name, e.g. `*.example.org`. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly content: string;
  /** Through Cloudflare's proxy (CDN, TLS at the edge) or DNS-only. */
  readonly proxied: boolean;
  /** Seconds; 1 = automatic. @default 1 */
  readonly ttl?: number;
  readonly comment?: string;
}

export class CloudflareDnsRecord extends TerraformResource {
  constructor(scope: TerraformScope, id: string, readonly config: DnsRecordConfig) {
    const ttl = config.ttl ?? CLOUDFLARE_TTL_AUTO;
    if (config.proxied && ttl !== CLOUDFLARE_TTL_AUTO) throw new Error(`DNS record ${config.name}: a proxied record has ttl 1 (automatic), got ${ttl}`);
    if (ttl !== CLOUDFLARE_TTL_AUTO && (ttl < 60 || ttl > 86400)) throw new Error(`DNS record ${config.name}: ttl is 1 (automatic) or 60–86400 seconds, got ${ttl}`);
    super(constructOf(scope), id, { terraformResourceType: 'cloudflare_dns_record', terraformGeneratorMetadata: { providerName: 'cloudflare' } });
    this.config = { ...config, ttl };
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.config).filter(([, v]) => v !== undefined));
  }
}

/** A Terraform resource name for a DNS name: `*.example.org` → `wildcard_example_org`. */
export function dnsRecordResourceId(name: string): string {
  return name.replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9_]/g, '_');
}

/** Terraform variables a record's content refers to (`${var.public_ip}`), sorted. */
export function referencedVariables(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((v) => [...v.matchAll(/\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!)))].sort();
}

/**
 * A string input variable of the stack, set at apply time as TF_VAR_<name> (never written to a
 * file). Returns its reference, `${var.<name>}`.
 */
export function stringVariable(scope: TerraformScope, name: string, description: string): string {
  new TerraformVariable(constructOf(scope), name, { type: 'string', description, nullable: false });
  return `\${var.${name}}`;
}
