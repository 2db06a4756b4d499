/**
 * Authentik blueprints: for each route behind Authentik, a proxy provider in forward-auth
 * (single application) mode and an application; for each admin route, a policy binding of the
 * site's admin group to that application, so an Authentik user outside the group is refused
 * there (an application without bindings lets every authenticated user in); and the binding of
 * the providers to the embedded outpost that Traefik's forwardAuth middleware talks to.
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

export const APPLICATION_MODEL = 'authentik_core.application';
export const GROUP_MODEL = 'authentik_core.group';
export const POLICY_BINDING_MODEL = 'authentik_policies.policybinding';

export function applicationSlug(service: NormalizedService, route: NormalizedRoute): string {
  return route.name === service.name ? service.name : `${service.name}-${route.name}`;
}

function findFlow(slug: string) {
  return tagged('Find', ['authentik_flows.flow', ['slug', slug]]);
}

/** The application's policy engine (its pbm_uuid, the pk `!Find` returns). */
export function findApplication(slug: string) {
  return tagged('Find', [APPLICATION_MODEL, ['slug', slug]]);
}

export function findGroup(name: string) {
  return tagged('Find', [GROUP_MODEL, ['name', name]]);
}

export interface BlueprintOptions {
  /** The site's admin group (site.identity.adminGroup); admin routes get no binding without it, and the rule authentik-admin says so. */
  readonly adminGroup?: string;
}

/** The admin group, declared where it is used: blueprints are applied one by one, in no set order. */
function adminGroupEntry(name: string): Record<string, unknown> {
  // Only the name: membership is managed in Authentik, never overwritten by a deploy.
  return { model: GROUP_MODEL, state: 'present', identifiers: { name }, attrs: { name, is_superuser: false } };
}

function adminBindingEntry(slug: string, group: string): Record<string, unknown> {
  return {
    model: POLICY_BINDING_MODEL,
    state: 'present',
    identifiers: { target: findApplication(slug), group: findGroup(group) },
    attrs: { order: 0, enabled: true, negate: false, timeout: 30, failure_result: false },
  };
}

/** Provider + application for each protected route of one service; admin applications bound to the admin group. */
export function serviceBlueprint(service: NormalizedService, options: BlueprintOptions = {}): Record<string, unknown> {
  const group = options.adminGroup;
  const admin = (route: NormalizedRoute) => group !== undefined && route.admin;
  const entries: Record<string, unknown>[] = protectedRoutes(service).some(admin) ? [adminGroupEntry(group!)] : [];
  entries.push(...protectedRoutes(service).flatMap((route) => {
    const id = `provider-${route.name}`;
    const slug = applicationSlug(service, route);
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
      ...(admin(route) ? [adminBindingEntry(slug, group!)] : []),
    ];
  }));
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
