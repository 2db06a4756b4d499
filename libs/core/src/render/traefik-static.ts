/**
 * Traefik v3 static configuration: web redirects to websecure; websecure gets a wildcard + apex
 * certificate from a DNS-01 resolver; the file provider watches the dynamic directory (hot reload,
 * no restart); dashboard, Prometheus metrics on their own entrypoint, JSON access log.
 * Every HTTPS router runs the security-headers middleware (HSTS and friends, traefik-headers.ts).
 */
import { SECURITY_HEADERS_REF } from './traefik-headers.ts';

export interface TraefikStaticOptions {
  readonly domain: string;
  readonly acmeEmail: string;
  /** lego DNS provider name; its credentials come from the environment (e.g. CF_DNS_API_TOKEN). */
  readonly dnsProvider: string;
  readonly resolverName: string;
  /** @default "/etc/traefik/acme.json" */
  readonly acmeStorage?: string;
  /** @default "/etc/traefik/dynamic" */
  readonly dynamicDir?: string;
  /** @default 8082 */
  readonly metricsPort?: number;
  /** Use Let's Encrypt staging while testing. @default false */
  readonly staging?: boolean;
  /** Addresses whose X-Forwarded-* headers are trusted. @default - none */
  readonly trustedIps?: readonly string[];
}

export const TRAEFIK_ACME_STORAGE = '/etc/traefik/acme.json';
export const TRAEFIK_DYNAMIC_DIR = '/etc/traefik/dynamic';
export const WEB_ENTRYPOINT = 'web';
export const SECURE_ENTRYPOINT = 'websecure';

export function traefikStaticConfig(o: TraefikStaticOptions): Record<string, unknown> {
  const forwarded = o.trustedIps?.length ? { forwardedHeaders: { trustedIPs: [...o.trustedIps] } } : {};
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'INFO', format: 'json' },
    accessLog: { filePath: '/var/log/traefik/access.log', format: 'json', bufferingSize: 100 },
    api: { dashboard: true, insecure: false },
    ping: { entryPoint: 'metrics' },
    metrics: { prometheus: { entryPoint: 'metrics', addRoutersLabels: true, addServicesLabels: true } },
    entryPoints: {
      [WEB_ENTRYPOINT]: {
        address: ':80',
        http: { redirections: { entryPoint: { to: SECURE_ENTRYPOINT, scheme: 'https', permanent: true } } },
        ...forwarded,
      },
      [SECURE_ENTRYPOINT]: {
        address: ':443',
        http: {
          // Entrypoint-level: every router on it gets the headers, whichever file defines the router.
          middlewares: [SECURITY_HEADERS_REF],
          tls: { certResolver: o.resolverName, domains: [{ main: o.domain, sans: [`*.${o.domain}`] }] },
        },
        ...forwarded,
      },
      metrics: { address: `:${o.metricsPort ?? 8082}` },
    },
    certificatesResolvers: {
      [o.resolverName]: {
        acme: {
          email: o.acmeEmail,
          storage: o.acmeStorage ?? TRAEFIK_ACME_STORAGE,
          ...(o.staging ? { caServer: 'https://acme-staging-v02.api.letsencrypt.org/directory' } : {}),
          dnsChallenge: { provider: o.dnsProvider, resolvers: ['1.1.1.1:53', '1.0.0.1:53'] },
        },
      },
    },
    providers: { file: { directory: o.dynamicDir ?? TRAEFIK_DYNAMIC_DIR, watch: true } },
  };
}
