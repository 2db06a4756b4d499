/** The script side of site-facts.ts: loads the site and the model and prints what the generator needs. */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, loadServices } from '@homelab/core/model';
import { loadSite } from '../../commands/context.ts';
import { isScript, printForParent } from '../../nx/tsx-child.ts';
import type { SiteFacts } from './site-facts.ts';

export async function readSiteFacts(root: string): Promise<SiteFacts> {
  const site = await loadSite(root);
  const { entries } = await loadServices(root);
  const home = buildModel(site, entries);
  const kinds: Record<string, string> = {};
  for (const s of home.services) for (const g of s.guests) kinds[g.placementName] = g.kind;
  return {
    groups: Object.keys(site.groups ?? {}),
    nodes: site.nodes.map((n) => n.name),
    cidr: site.network.cidr,
    addressPlan: site.addressPlan,
    reserved: [...site.nodes.map((n) => n.ip), ...site.externalHosts.map((h) => h.ip), site.network.gateway, ...site.network.dns, ...(site.kubernetes ? [site.kubernetes.apiVip] : [])],
    reservedRanges: site.kubernetes ? [site.kubernetes.metallbPool] : [],
    kinds,
    siteDir: siteModuleDir(root),
  };
}

function siteModuleDir(root: string): string {
  const spec = process.env['HOMELAB_SITE'];
  if (!spec) return 'libs/site/src';
  const file = spec.startsWith('.') || isAbsolute(spec) ? resolve(root, spec) : fileURLToPath(import.meta.resolve(spec));
  return relative(root, dirname(file));
}

if (isScript(import.meta.url)) await printForParent(readSiteFacts);
