/**
 * What `adopt` and `drift` start from: the site, the model, the --service names checked against
 * it (unknown ones: exit 2), and the API access (./pve-access.ts: exported or stored token; absent:
 * PveNotConfiguredError, exit 4).
 */
import { EXIT, type Homelab, type PveAccess, type Site } from '@homelab/core';
import type { CommandOptions } from './context.ts';
import type { FleetDeps } from './fleet.ts';
import { notConfigured, pveAccess, tokenIssuers } from './pve-access.ts';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface ClusterContext {
  readonly site: Site;
  readonly home: Homelab;
  /** The --service names; empty: every service. */
  readonly named: readonly string[];
  readonly access: PveAccess;
}

/** The context, or the exit code when the command line names an unknown service. */
export async function clusterContext(command: string, why: string, options: CommandOptions, deps: FleetDeps, values: Values): Promise<ClusterContext | number> {
  const site = await deps.loadSite(options.root);
  const home = await deps.loadHomelab(options.root, site);
  const named = (values.service as string[] | undefined) ?? [];
  const unknown = named.filter((n) => !home.byName.has(n));
  if (unknown.length) {
    deps.err(`homelab: unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Services: ${home.services.map((s) => s.name).join(', ')}.`);
    return EXIT.usage;
  }
  const access = await pveAccess(site, deps);
  if (!access.configured) throw notConfigured(`${command} ${why}`, access, site, tokenIssuers(home));
  return { site, home, named, access };
}
