/**
 * Authentik blueprints: for each route behind Authentik, a proxy provider in forward-auth
 * (single application) mode and an application; and the binding of those providers to the
 * embedded outpost that Traefik's forwardAuth middleware talks to.
 */
import type { NormalizedRoute, NormalizedService } from '../model/service.ts';
import { tagged } from './yaml.ts';

export const BLUEPRINT_DIR = '/opt/stacks/authentik/blueprints/homelab';
export const BLUEPRINT_MODELINE = '# yaml-language-server: $schema=https://goauthentik.io/blueprints/schema.json';
const AUTHORIZATION_FLOW = 'default-provider-authorization-implicit-consent';
const INVALIDATION_FLOW = 'default-provider-invalidation-flow';
const EMBEDDED_OUTPOST = 'goauthentik.io/outposts/embedded';

export function providerName(service: NormalizedService, route: NormalizedRoute): string {
  return `homelab-${service.name}-${route.name}`;
}

export function protectedRoutes(service: NormalizedService): NormalizedRoute[] {
  return service.routes.filter((r) => r.auth === 'authentik');
}

function findFlow(slug: string) {
  return tagged('Find', ['authentik_flows.flow', ['slug', slug]]);
}

/** Provider + application for each protected route of one service. */
export function serviceBlueprint(service: NormalizedService): Record<string, unknown> {
  const entries = protectedRoutes(service).flatMap((route) => {
    const id = `provider-${route.name}`;
    const slug = route.name === service.name ? service.name : `${service.name}-${route.name}`;
    return [
      {
        model: 'authentik_providers_proxy.proxyprovider',
        id,
        state: 'present',
        identifiers: { name: providerName(service, route) },
        attrs: {
          name: providerName(service, route),
          mode: 'forward_single',
          external_host: `https://${route.fqdn}`,
          authorization_flow: findFlow(AUTHORIZATION_FLOW),
          invalidation_flow: findFlow(INVALIDATION_FLOW),
          access_token_validity: 'hours=24',
        },
      },
      {
        model: 'authentik_core.application',
        state: 'present',
        identifiers: { slug },
        attrs: {
          name: `${service.name} (${route.fqdn})`,
          slug,
          provider: tagged('KeyOf', id),
          meta_launch_url: `https://${route.fqdn}/`,
          meta_description: service.description,
          group: service.group,
          policy_engine_mode: 'any',
        },
      },
    ];
  });
  return {
    version: 1,
    metadata: { name: `homelab ${service.name}`, labels: { 'homelab.managed': 'true' } },
    entries,
  };
}

/**
 * The embedded outpost's provider list. Blueprints replace a many-to-many list rather than
 * append to it, so one site-wide list is rendered from every service's protected routes.
 */
export function outpostBlueprint(services: readonly NormalizedService[]): Record<string, unknown> {
  const providers = services.flatMap((s) => protectedRoutes(s).map((r) => providerName(s, r))).sort();
  return {
    version: 1,
    metadata: { name: 'homelab embedded outpost', labels: { 'homelab.managed': 'true' } },
    entries: [{
      model: 'authentik_outposts.outpost',
      state: 'present',
      identifiers: { managed: EMBEDDED_OUTPOST },
      attrs: { providers: providers.map((name) => tagged('Find', ['authentik_providers_proxy.proxyprovider', ['name', name]])) },
    }],
  };
}
