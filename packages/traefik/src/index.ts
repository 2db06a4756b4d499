import {
  composeFile, DEFAULT_HSTS, defineService, envFile, forwardAuthConfig, generatedHeader, securityHeadersConfig, stackDir, toYaml, traefikStaticConfig,
  TRAEFIK_ACME_STORAGE, TRAEFIK_DYNAMIC_DIR, type ConfigFile, type RenderContext,
} from '@homelab/core';

/** Certificate resolver name, referenced by every route file's TLS section. */
export const CERT_RESOLVER = 'cloudflare';
export const TRAEFIK_IMAGE = 'docker.io/library/traefik:v3.7.9';
const ACME_EMAIL = 'admin@woodhead.tech';
const STACK = stackDir('traefik');
const CF_TOKEN = 'CF_DNS_API_TOKEN';
/** Not `authentik.yml`: that name is the route file of the authentik service. */
const FORWARD_AUTH_FILE = 'middleware-forward-auth.yml';
/** The security-headers middleware the secure entrypoint runs, and the default TLS options. */
export const SECURITY_HEADERS_FILE = 'middleware-security-headers.yml';

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const identity = ctx.services.find((s) => s.provides.includes('identity'));
  const staticConfig = traefikStaticConfig({
    domain: ctx.site.domain, acmeEmail: ACME_EMAIL, dnsProvider: 'cloudflare', resolverName: CERT_RESOLVER,
  });
  const list: ConfigFile[] = [
    {
      path: '/etc/traefik/traefik.yml', mode: '0644', format: 'traefik-static', restarts: [STACK],
      content: toYaml(staticConfig, { header: generatedHeader(pkg, 'Traefik static configuration.') }),
    },
    // Traefik refuses an acme.json readable by others; it writes the certificates itself, so
    // deploy creates the file once and never overwrites it.
    { path: TRAEFIK_ACME_STORAGE, mode: '0600', format: 'text', content: '', createOnly: true, secret: true },
    envFile(`${STACK}/.env`, [CF_TOKEN], {}, [STACK]),
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

export default defineService({
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
  secrets: [{ env: CF_TOKEN, description: 'Cloudflare API token (Zone:DNS:Edit on the zone) for the DNS-01 challenge' }],
  extra: { certResolver: CERT_RESOLVER },
  files,
});
