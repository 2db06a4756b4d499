/**
 * The `authentik` forwardAuth middleware (referenced as authentik@file) and the service that
 * reaches the embedded outpost, both served by Traefik's file provider.
 */
export const AUTHENTIK_RESPONSE_HEADERS = [
  'X-authentik-username', 'X-authentik-groups', 'X-authentik-entitlements', 'X-authentik-email', 'X-authentik-name',
  'X-authentik-uid', 'X-authentik-jwt', 'X-authentik-meta-jwks', 'X-authentik-meta-outpost',
  'X-authentik-meta-provider', 'X-authentik-meta-app', 'X-authentik-meta-version',
] as const;

export interface ForwardAuthOptions {
  /** Authentik server base URL reachable from Traefik, e.g. http://10.0.0.28:9000 */
  readonly authentikUrl: string;
}

export function forwardAuthConfig(o: ForwardAuthOptions): Record<string, unknown> {
  const base = o.authentikUrl.replace(/\/$/, '');
  return {
    http: {
      middlewares: {
        authentik: {
          forwardAuth: {
            address: `${base}/outpost.goauthentik.io/auth/traefik`,
            trustForwardHeader: true,
            authResponseHeaders: [...AUTHENTIK_RESPONSE_HEADERS],
          },
        },
      },
      services: {
        'authentik-outpost': { loadBalancer: { servers: [{ url: base }], passHostHeader: true } },
      },
    },
  };
}
