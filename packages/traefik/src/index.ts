import { defineService, SiteRequirementError, type ConfigFile, type RenderContext, type Site } from '@homelab/core/model';
import {
  composeFile, DEFAULT_HSTS, envFile, forwardAuthConfig, generatedHeader, securityHeadersConfig, stackDir, toYaml,
  traefikStaticConfig, TRAEFIK_ACME_STORAGE, TRAEFIK_DYNAMIC_DIR,
} from '@homelab/core/render';

export const TRAEFIK_IMAGE = 'docker.io/library/traefik:v3.7.9';
const STACK = stackDir('traefik');

/** How lego (Traefik's ACME client) answers the DNS-01 challenge at each DNS provider a site may select (site.dns.provider). */
export interface DnsChallenge {
  /** lego's provider name. */
  readonly lego: string;
  /** The environment variable lego reads the provider credential from. */
  readonly tokenEnv: string;
  readonly tokenDescription: string;
}

export const DNS_CHALLENGES: Readonly<Record<string, DnsChallenge>> = {
  cloudflare: { lego: 'cloudflare', tokenEnv: 'CF_DNS_API_TOKEN', tokenDescription: 'Cloudflare API token (Zone:DNS:Edit on the zone) for the DNS-01 challenge' },
  desec: { lego: 'desec', tokenEnv: 'DESEC_TOKEN', tokenDescription: 'deSEC API token for the DNS-01 challenge' },
  hetzner: { lego: 'hetzner', tokenEnv: 'HETZNER_API_KEY', tokenDescription: 'Hetzner DNS API token for the DNS-01 challenge' },
};

/** The DNS-01 challenge for the site's DNS provider; a provider lego is not set up for here is a coded problem. */
export function dnsChallenge(site: Site): DnsChallenge {
  const challenge = DNS_CHALLENGES[site.dns.provider];
  if (!challenge) {
    throw new SiteRequirementError(
      'UnsupportedDnsProvider', 'dns.provider',
      `Traefik gets its wildcard certificate by the DNS-01 challenge, and packages/traefik knows no challenge for the DNS provider "${site.dns.provider}"`, site.dns.provider,
      `Set dns.provider to one of ${Object.keys(DNS_CHALLENGES).join(', ')}, or add the provider's lego name and credential variable to DNS_CHALLENGES in packages/traefik.`,
    );
  }
  return challenge;
}

/** The ACME account address: the site's edge.acmeEmail, else admin@ the domain. */
function acmeEmail(site: Site): string {
  return site.edge?.acmeEmail ?? `admin@${site.domain}`;
}
/** Not `authentik.yml`: that name is the route file of the authentik service. */
const FORWARD_AUTH_FILE = 'middleware-forward-auth.yml';
/** The security-headers middleware the secure entrypoint runs, and the default TLS options. */
export const SECURITY_HEADERS_FILE = 'middleware-security-headers.yml';

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const identity = ctx.services.find((s) => s.provides.includes('identity'));
  const challenge = dnsChallenge(ctx.site);
  const staticConfig = traefikStaticConfig({
    domain: ctx.site.domain, acmeEmail: acmeEmail(ctx.site), dnsProvider: challenge.lego, resolverName: challenge.lego,
  });
  const list: ConfigFile[] = [
    {
      path: '/etc/traefik/traefik.yml', mode: '0644', format: 'traefik-static', restarts: [STACK],
      content: toYaml(staticConfig, { header: generatedHeader(pkg, 'Traefik static configuration.') }),
    },
    // Traefik refuses an acme.json readable by others; it writes the certificates itself, so
    // deploy creates the file once and never overwrites it.
    { path: TRAEFIK_ACME_STORAGE, mode: '0600', format: 'text', content: '', createOnly: true, secret: true },
    envFile(`${STACK}/.env`, [challenge.tokenEnv], {}, [STACK]),
    {
      path: `${STACK}/compose.yml`, mode: '0644', format: 'compose',
      content: toYaml(composeFile({
        name: 'traefik',
        services: {
          traefik: {
            image: TRAEFIK_IMAGE,
            // Host networking: Traefik sees the real client address (the records are DNS-only).
            network_mode: 'host',
            env_file: ['.env'],
            volumes: ['/etc/traefik:/etc/traefik', '/var/log/traefik:/var/log/traefik'],
            healthcheck: { test: ['CMD', 'traefik', 'healthcheck', '--ping'], interval: '30s', timeout: '5s', retries: 3 },
          },
        },
      }), { header: generatedHeader(pkg, 'Traefik stack.') }),
    },
    {
      path: `${TRAEFIK_DYNAMIC_DIR}/${SECURITY_HEADERS_FILE}`, mode: '0644', format: 'traefik-dynamic',
      content: toYaml(securityHeadersConfig(ctx.site.edge?.hsts ?? DEFAULT_HSTS), {
        header: generatedHeader(pkg, 'HSTS and security headers (security-headers@file, on the websecure entrypoint) and the default TLS options (TLS 1.2+, strict SNI).'),
      }),
    },
  ];
  if (identity?.ip) {
    list.push({
      path: `${TRAEFIK_DYNAMIC_DIR}/${FORWARD_AUTH_FILE}`, mode: '0644', format: 'traefik-dynamic',
      content: toYaml(forwardAuthConfig({ authentikUrl: `http://${identity.ip}:9000` }), {
        header: generatedHeader(pkg, 'The authentik forwardAuth middleware (authentik@file) and the embedded outpost service.'),
      }),
    });
  }
  return list;
}

// A function of the site: the DNS-01 challenge follows its DNS provider.
export default defineService((site) => ({
  name: 'traefik',
  description: 'Reverse proxy: TLS termination with a Let\'s Encrypt DNS-01 wildcard certificate, ingress for all HTTPS',
  kind: 'lxc',
  tier: 'critical',
  group: 'core',
  provides: ['ingress'],
  docker: true,
  resources: { cores: 2, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
  routes: [{ name: 'dashboard', host: 'traefik', port: 8080, backend: 'api@internal', auth: 'authentik', admin: true, probePath: '/dashboard/' }],
  metrics: [{ name: 'traefik', port: 8082 }],
  ports: [
    { port: 80, protocol: 'tcp', description: 'HTTP, redirected to HTTPS', public: true },
    { port: 443, protocol: 'tcp', description: 'HTTPS ingress for every route', public: true },
    { port: 8082, protocol: 'tcp', description: 'Prometheus metrics and ping' },
  ],
  secrets: [{ env: dnsChallenge(site).tokenEnv, description: dnsChallenge(site).tokenDescription }],
  // The certificate resolver every route file's TLS section names: after the DNS provider it uses.
  facts: { certResolver: dnsChallenge(site).lego },
  files,
}));
