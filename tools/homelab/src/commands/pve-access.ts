/**
 * The Proxmox API access of one fleet command run (libs/core fleet/pve-access.ts): the exported
 * token, else the one deploy stored, and the endpoint, resolved once per run; where each comes
 * from is said once on stderr, when the command first uses the API (never the token's value).
 */
import {
  PveClient, PveNotConfiguredError, pveAccessMissing, pveSettingsFromEnv, resolvePveAccess, tokenIssuer,
  type Homelab, type PveAccess, type Site,
} from '@homelab/core';
import type { FleetDeps } from './fleet.ts';

export type Values = Record<string, string | boolean | string[] | undefined>;

const resolved = new WeakMap<FleetDeps, Promise<PveAccess>>();
const announced = new WeakSet<FleetDeps>();

/** The access of this run (runFleet gives every run its own deps object). */
export function pveAccess(site: Site, deps: FleetDeps): Promise<PveAccess> {
  let access = resolved.get(deps);
  if (!access) {
    access = resolvePveAccess(site, deps.env);
    resolved.set(deps, access);
  }
  return access;
}

/** The services that create the token: the ones that provide the hypervisor. */
export function tokenIssuers(home: Pick<Homelab, 'services'>): string[] {
  const issuer = tokenIssuer(home.services);
  return issuer ? [issuer.name] : [];
}

/** `homelab <what> through the Proxmox API: <what is missing>`, exit 4. */
export function notConfigured(what: string, access: PveAccess, site: Site, issuers: readonly string[], hint = ''): PveNotConfiguredError {
  return new PveNotConfiguredError([`homelab ${what} through the Proxmox API: ${pveAccessMissing(access, site, issuers)}${hint}.`]);
}

/** A client from the resolved settings; the first one of a run says where they come from. */
export function pveClientOf(access: PveAccess, site: Site, values: Values, deps: FleetDeps, endpoint?: string): PveClient {
  const env = endpoint ? { ...access.env, [site.providerEnv.endpoint]: endpoint } : access.env;
  const settings = pveSettingsFromEnv(env, site.providerEnv, {
    ...(typeof values['ca-file'] === 'string' ? { caFile: values['ca-file'] } : {}),
    ...(values.insecure ? { insecure: true } : {}),
  });
  if (!announced.has(deps)) {
    announced.add(deps);
    for (const note of access.notes) deps.err(`homelab: ${note}`);
    if (settings.insecure) deps.err(`homelab: warning: TLS verification of ${settings.endpoint} is off (--insecure / PROXMOX_VE_INSECURE).`);
  }
  return new PveClient(settings, { sleep: deps.sleep, now: deps.now, ...(deps.transport ? { transport: deps.transport } : {}) });
}
