/**
 * `homelab discover [--node X] [--json]`: the site's unmeasured hardware facts read from the
 * cluster (libs/core fleet/discover.ts): the values to paste into the site in place of each
 * `unmeasured('…')`, and what could not be matched, with the candidates and how to measure it.
 * Read-only. Exit 0: every input asked about was matched; 1: some were not (or the API failed);
 * 2: an unknown node; 4: the API is not configured.
 */
import {
  EXIT, adminTokenNeed, discoverInputs, discoveryDocument, formatDiscovery, readNodeHardware, siteHardwareInputs,
  type PveAccess, type PveClient, type Site,
} from '@homelab/core';
import type { CommandOptions } from './context.ts';
import type { FleetDeps } from './fleet.ts';
import { notConfigured, pveAccess, tokenIssuers } from './pve-access.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

/** Where the pasted values go: the site module HOMELAB_SITE names, else this repository's nodes file. */
function siteFile(env: FleetDeps['env']): string {
  return env.HOMELAB_SITE ? `the site module ${env.HOMELAB_SITE}` : 'libs/site/src/nodes.ts';
}

export async function discoverCommand(options: CommandOptions, deps: FleetDeps, values: Values, clientFor: (site: Site, access: PveAccess) => PveClient): Promise<number> {
  const site = await deps.loadSite(options.root);
  const node = typeof values.node === 'string' ? values.node : undefined;
  if (node !== undefined && !site.nodes.some((n) => n.name === node)) {
    deps.err(`homelab: --node ${node}: the site "${site.name}" has no node of that name; its nodes are ${site.nodes.map((n) => n.name).join(', ')}.`);
    return EXIT.usage;
  }
  const inputs = siteHardwareInputs(site).filter((i) => node === undefined || i.node === node);
  if (!inputs.length) {
    if (values.json) deps.out(JSON.stringify(discoveryDocument({ matched: [], unmatched: [] }), null, 2));
    else deps.out(`discover: the site "${site.name}" has no unmeasured input${node ? ` on ${node}` : ''}; nothing to read.`);
    return EXIT.ok;
  }
  const access = await pveAccess(site, deps);
  if (!access.configured) {
    throw notConfigured('discover reads the nodes\' disk and USB listings', access, site, tokenIssuers(await deps.loadHomelab(options.root, site)));
  }
  // The USB listing needs Sys.Modify on /, which homelab's Terraform token never holds
  // (TERRAFORM_TOKEN_ADMIN_CALLS); its disk listing works with it. Said before the 403s.
  if (access.token.kind === 'stored' && inputs.some((i) => i.kind !== 'disk-device')) {
    deps.err(`homelab: discover: the USB inputs need an administrator token: ${adminTokenNeed('discover')}, which the token stored in ${access.storedPath} (homelab's Terraform token) does not hold by design; export one as ${site.providerEnv.apiToken} (e.g. root@pam!homelab-bootstrap) to measure them. The disk listings work with the stored token.`);
  }
  const discovery = discoverInputs(site, inputs, await readNodeHardware(clientFor(site, access), inputs));
  if (values.json) deps.out(JSON.stringify(discoveryDocument(discovery), null, 2));
  else for (const line of formatDiscovery(discovery, siteFile(deps.env))) deps.out(line);
  return discovery.unmatched.length ? EXIT.failed : EXIT.ok;
}
