/**
 * Phase 3: the site's bridge on every node, verified (`pvesh get /nodes/<n>/network`). The
 * Proxmox installer creates it over the NIC it installs on; replacing a node's network over the
 * SSH session that runs on it could cut that session, so a missing bridge is a blocker with the
 * fix, not a change bootstrap makes.
 */
import type { BootstrapBlocker, BootstrapPhase, PhaseResult } from './phase.ts';
import { onHost, pveshGet, runJson } from './remote.ts';

interface NetworkEntry { readonly iface?: string; readonly type?: string; readonly active?: number | boolean; readonly cidr?: string }

export const bridgesPhase: BootstrapPhase = {
  id: 'bridges',
  title: 'Network bridges',
  describe: (ctx) => ctx.site.nodes.map((n) => ({
    what: `${n.name}: bridge ${ctx.site.network.bridge} present and active`, mutates: false,
    command: onHost(ctx, n, pveshGet(`/nodes/${n.name}/network`), 'network'),
  })),
  async run(ctx): Promise<PhaseResult> {
    const verified: string[] = [];
    const blockers: BootstrapBlocker[] = [];
    const bridge = ctx.site.network.bridge;
    for (const node of ctx.site.nodes) {
      const entries = await runJson<NetworkEntry[]>(ctx, onHost(ctx, node, pveshGet(`/nodes/${node.name}/network`), 'network'));
      const found = (Array.isArray(entries) ? entries : []).find((e) => e.iface === bridge);
      if (found?.type === 'bridge' && (found.active === 1 || found.active === true)) verified.push(`${node.name}: ${bridge} active${found.cidr ? ` (${found.cidr})` : ''}`);
      else blockers.push({
        check: `bridge:${node.name}`,
        message: found ? `${node.name}: ${bridge} is ${found.type === 'bridge' ? 'not active' : `a ${found.type ?? 'interface'}, not a bridge`}` : `${node.name} has no ${bridge}`,
        fix: `On ${node.name}, make ${bridge} a Linux bridge over the LAN NIC carrying ${node.ip} (Datacenter → ${node.name} → System → Network → Create → Linux Bridge, or /etc/network/interfaces and ifreload -a) from its console, then rerun.`,
      });
    }
    return { changed: [], verified, blockers };
  },
};
