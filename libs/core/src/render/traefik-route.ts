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

export interface RouteFileOptions {
  readonly resolverName: string;
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
    if (!internal) {
      services[name] = {
        loadBalancer: {
          servers: [{ url: route.backendUrl }],
          passHostHeader: true,
          ...(route.insecureBackend ? { serversTransport: `${name}-insecure` } : {}),
        },
      };
      if (route.insecureBackend) transports[`${name}-insecure`] = { insecureSkipVerify: true };
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
