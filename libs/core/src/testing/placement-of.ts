/** What a site says about where one service lives, in the forms tests compare generated files with. */
import type { Site } from '../model/site.ts';

export interface SitePlacement {
  readonly ip: string;
  /** The address with the LAN's prefix length, as a guest's network configuration has it. */
  readonly cidr: string;
  readonly vmid?: number;
  readonly node?: string;
  readonly host?: string;
  readonly gateway: string;
}

export function placementOf(site: Site, name: string): SitePlacement {
  const p = site.addressPlan[name];
  if (!p) throw new Error(`the site "${site.name}" has no address plan entry "${name}"`);
  const prefix = site.network.cidr.split('/')[1];
  return { ...p, cidr: `${p.ip}/${prefix}`, gateway: site.network.gateway };
}
