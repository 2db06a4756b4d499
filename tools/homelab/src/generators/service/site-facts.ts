/**
 * What the service generator needs to know of the site it adds a service to: its groups, its
 * nodes, its subnet, its address plan and what else holds an address. Read from the site module
 * ($HOMELAB_SITE or libs/site, as the CLI reads it) and the model, in a tsx child process
 * (read-site-facts.ts): a generator works on a tree and cannot import the TypeScript site itself.
 */
import { runTsxScript } from '../../nx/tsx-child.ts';

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

/** From the generator: read in a tsx child process in the workspace. */
export function siteFactsInChild(root: string): SiteFacts {
  return runTsxScript<SiteFacts>(new URL('./read-site-facts.ts', import.meta.url).href, root);
}
