/**
 * One Traefik dynamic file per service: a router per route (Host rule, websecure, middlewares,
 * TLS) and a load-balancer service whose backend comes from the address plan. Routes behind
 * Authentik get the forwardAuth middleware first, plus a router that sends the outpost's callback
 * path on the same host to Authentik.
 */
import type { NormalizedRoute, NormalizedService } from '../model/service.ts';
import { SECURE_ENTRYPOINT } from './traefik-static.ts';

export const FORWARD_AUTH_MIDDLEWARE = 'authentik@file';
export const AUTHENTIK_OUTPOST_SERVICE = 'authentik-outpost@file';
export const OUTPOST_PATH_PREFIX = '/outpost.goauthentik.io/';

/** Where the ingress keeps the CAs it pins for self-signed backends (inside /etc/traefik, which the container mounts). */
export const TRAEFIK_CA_DIR = '/etc/traefik/ca';

export interface PinnedBackendCa {
  /** The CA certificate file on the ingress host. */
  readonly file: string;
  /** The name the backend's certificate is issued to, when it is not the backend's address. */
  readonly serverName?: string;
}

export interface RouteFileOptions {
  readonly resolverName: string;
  /** The CA that verifies this service's self-signed backends (site.edge.backendCas). @default - none: system roots */
  readonly backendCa?: PinnedBackendCa;
}

/** The CA file of a service's self-signed backend on the ingress host. */
export function backendCaFile(serviceName: string): string {
  return `${TRAEFIK_CA_DIR}/${serviceName}.pem`;
}

export function routerName(service: NormalizedService, route: NormalizedRoute): string {
  return route.name === service.name ? service.name : `${service.name}-${route.name}`;
}

export function traefikRouteConfig(service: NormalizedService, o: RouteFileOptions): Record<string, unknown> {
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  const transports: Record<string, unknown> = {};
  for (const route of service.routes) {
    const name = routerName(service, route);
    const internal = route.backendUrl.endsWith('@internal');
    const middlewares = [...(route.auth === 'authentik' ? [FORWARD_AUTH_MIDDLEWARE] : []), ...route.middlewares];
    routers[name] = {
      rule: `Host(\`${route.fqdn}\`)`,
      entryPoints: [SECURE_ENTRYPOINT],
      ...(middlewares.length ? { middlewares } : {}),
      service: internal ? route.backendUrl : name,
      tls: { certResolver: o.resolverName },
    };
    if (route.auth === 'authentik') {
      routers[`${name}-outpost`] = {
        rule: `Host(\`${route.fqdn}\`) && PathPrefix(\`${OUTPOST_PATH_PREFIX}\`)`,
        entryPoints: [SECURE_ENTRYPOINT],
        service: AUTHENTIK_OUTPOST_SERVICE,
        priority: 1000,
        tls: { certResolver: o.resolverName },
      };
    }
    const pinned = route.selfSignedBackend ? o.backendCa : undefined;
    if (!internal) {
      services[name] = {
        loadBalancer: {
          servers: [{ url: route.backendUrl }],
          passHostHeader: true,
          ...(pinned ? { serversTransport: `${name}-pinned-ca` } : {}),
        },
      };
      // Verification stays on: a self-signed backend is checked against the CA the site pins.
      if (pinned) transports[`${name}-pinned-ca`] = { rootCAs: [pinned.file], ...(pinned.serverName ? { serverName: pinned.serverName } : {}) };
    }
  }
  return {
    http: {
      routers,
      ...(Object.keys(services).length ? { services } : {}),
      ...(Object.keys(transports).length ? { serversTransports: transports } : {}),
    },
  };
}
