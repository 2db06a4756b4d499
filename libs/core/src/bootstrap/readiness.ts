/**
 * Phase 7: first-run readiness. Every guest the plan has is on its node and running (those that
 * do not start on boot may be stopped), and every VM's QEMU guest agent answers: the same signal
 * the provider waits for, asked again here because a guest's first boot (cloud-init, a
 * reboot after the first package upgrade) can outlast the apply. Waits with a bounded number of
 * attempts; what is still not ready is named with where to look.
 */
import type { Homelab } from '../model/homelab.ts';
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult, PlannedStep } from './phase.ts';
import { onHost, pveshGet, run, runJson, type Host } from './remote.ts';

export interface ExpectedGuest {
  readonly service: string;
  readonly name: string;
  readonly vmid: number;
  readonly node: string;
  readonly type: 'lxc' | 'qemu';
  readonly mustRun: boolean;
}

export function expectedGuests(home: Homelab): ExpectedGuest[] {
  return home.services.flatMap((s) => s.guests.flatMap((g) => (g.node && g.placement.vmid !== undefined
    ? [{ service: s.name, name: g.name, vmid: g.placement.vmid, node: g.node.name, type: g.kind === 'vm' ? 'qemu' as const : 'lxc' as const, mustRun: s.startOnBoot }]
    : [])))
    .sort((a, b) => a.vmid - b.vmid);
}

const agentPing = (g: ExpectedGuest): string[] => ['pvesh', 'create', `/nodes/${g.node}/qemu/${g.vmid}/agent/ping`, '--output-format', 'json'];
const resourcesCmd = [...pveshGet('/cluster/resources'), '--type', 'vm'];

interface Resource { readonly vmid?: number; readonly node?: string; readonly type?: string; readonly status?: string }

export const readinessPhase: BootstrapPhase = {
  id: 'readiness',
  title: 'First-run readiness',
  describe: (ctx) => {
    const first = ctx.site.nodes[0];
    if (!first) return [];
    const guests = expectedGuests(ctx.home);
    return [
      { what: `every guest (${guests.length}) on its node; running unless it does not start on boot`, mutates: false, command: onHost(ctx, first, resourcesCmd, 'guests') },
      ...guests.filter((g) => g.type === 'qemu' && g.mustRun).map((g): PlannedStep => ({ what: `${g.name} (VM ${g.vmid}): guest agent answers`, mutates: false, command: onHost(ctx, first, agentPing(g), `${g.name}: agent ping`) })),
    ];
  },
  async run(ctx: BootstrapContext): Promise<PhaseResult> {
    const first: Host = ctx.site.nodes[0]!;
    const guests = expectedGuests(ctx.home);
    let blockers: BootstrapBlocker[] = [];
    for (let attempt = 1; attempt <= ctx.wait.attempts; attempt++) {
      blockers = [];
      const live = await runJson<Resource[]>(ctx, onHost(ctx, first, resourcesCmd, 'guests'));
      for (const g of guests) {
        const found = (Array.isArray(live) ? live : []).find((r) => r.vmid === g.vmid);
        const where = `${g.name} (${g.type === 'qemu' ? 'VM' : 'LXC'} ${g.vmid}, ${g.service})`;
        if (!found) blockers.push({ check: `guest:${g.vmid}`, message: `${where} is not in the cluster`, fix: `Deploy ${g.service} (homelab deploy --service ${g.service}) and read its apply output.` });
        else if (found.node !== g.node || found.type !== g.type) blockers.push({ check: `guest:${g.vmid}`, message: `${where} is a ${found.type} on ${found.node}, the plan says a ${g.type} on ${g.node}`, fix: 'Migrate it or correct the address plan; see homelab adopt.' });
        else if (g.mustRun && found.status !== 'running') blockers.push({ check: `guest:${g.vmid}`, message: `${where} is ${found.status ?? 'in an unknown state'}`, fix: `Start it and read its console: pvesh create /nodes/${g.node}/${g.type}/${g.vmid}/status/start` });
        else if (g.type === 'qemu' && g.mustRun) {
          const ping = await run(ctx, onHost(ctx, first, agentPing(g), `${g.name}: agent ping`));
          if (ping.exitCode !== 0) blockers.push({ check: `agent:${g.vmid}`, message: `${where}: the QEMU guest agent does not answer yet`, fix: `Open the VM's console (${g.node}, VM ${g.vmid}) and check that qemu-guest-agent is installed and running.` });
        }
      }
      if (!blockers.length) break;
      if (attempt < ctx.wait.attempts) {
        ctx.out(`  waiting for ${blockers.length} guest${blockers.length === 1 ? '' : 's'} (attempt ${attempt} of ${ctx.wait.attempts})`);
        await ctx.sleep(ctx.wait.pauseMs);
      }
    }
    return { changed: [], verified: blockers.length ? [] : [`${guests.length} guests on their nodes, running where they start on boot, agents answering`], blockers };
  },
};
