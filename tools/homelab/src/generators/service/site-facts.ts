/**
 * What the service generator needs to know of the site it adds a service to: its groups, its
 * nodes, its subnet, its address plan and what else holds an address. Read from the site module
 * ($HOMELAB_SITE or libs/site, as the CLI reads it) and the model, in a tsx child process: a
 * generator works on a tree and cannot import the TypeScript site itself.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, loadServices } from '@homelab/core/model';
import { loadSite } from '../../commands/context.ts';
import { isScript, printForParent, runTsxScript } from '../../nx/tsx-child.ts';

export interface PlanEntry {
  readonly node?: string;
  readonly vmid?: number;
  readonly ip?: string;
  readonly host?: string;
}

export interface SiteFacts {
  readonly groups: readonly string[];
  readonly nodes: readonly string[];
  readonly cidr: string;
  readonly addressPlan: Readonly<Record<string, PlanEntry>>;
  /** Addresses the site uses outside its address plan: nodes, external hosts, gateway, DNS, the Kubernetes VIP. */
  readonly reserved: readonly string[];
  /** Address ranges handed out by something else (the MetalLB pool). */
  readonly reservedRanges: readonly { readonly start: string; readonly end: string }[];
  /** Address-plan entry → the kind of guest the model puts there (lxc, vm). */
  readonly kinds: Readonly<Record<string, string>>;
  /** The site module's directory, relative to the workspace: where its address plan is written. */
  readonly siteDir: string;
}

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

/** From the generator: the same, in a tsx child process in the workspace. */
export function siteFactsInChild(root: string): SiteFacts {
  return runTsxScript<SiteFacts>(import.meta.url, root);
}

if (isScript(import.meta.url)) await printForParent(readSiteFacts);
