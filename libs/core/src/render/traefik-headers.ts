/**
 * The security headers every HTTPS response carries and the TLS floor of every HTTPS router, in
 * one Traefik dynamic file served by the file provider. The static configuration attaches the
 * middleware to the secure entrypoint (traefik-static.ts), so no router can forget it; the TLS
 * options are named `default`, which Traefik applies to every router that names no other.
 */
import type { Hsts } from '../model/site.ts';

export const SECURITY_HEADERS_MIDDLEWARE = 'security-headers';
/** How routers and entrypoints reference it (defined by the file provider). */
export const SECURITY_HEADERS_REF = `${SECURITY_HEADERS_MIDDLEWARE}@file`;
export const DEFAULT_TLS_OPTIONS = 'default';
export const MIN_TLS_VERSION = 'VersionTLS12';

/** One year, subdomains included, no preload: preloading is a per-site decision (site.edge.hsts). */
export const DEFAULT_HSTS: Hsts = { maxAgeSeconds: 31_536_000, includeSubdomains: true, preload: false };

export function securityHeadersConfig(hsts: Hsts = DEFAULT_HSTS): Record<string, unknown> {
  return {
    http: {
      middlewares: {
        [SECURITY_HEADERS_MIDDLEWARE]: {
          headers: {
            stsSeconds: hsts.maxAgeSeconds,
            stsIncludeSubdomains: hsts.includeSubdomains,
            stsPreload: hsts.preload,
            contentTypeNosniff: true,
            // SAMEORIGIN rather than DENY: the Proxmox and TrueNAS consoles frame their own pages.
            customFrameOptionsValue: 'SAMEORIGIN',
            contentSecurityPolicy: "frame-ancestors 'self'",
            referrerPolicy: 'strict-origin-when-cross-origin',
          },
        },
      },
    },
    tls: {
      options: {
        [DEFAULT_TLS_OPTIONS]: { minVersion: MIN_TLS_VERSION, sniStrict: true },
      },
    },
  };
}
