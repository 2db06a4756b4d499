import type { Homelab } from '../model/homelab.ts';
import type { NormalizedRoute, NormalizedService } from '../model/service.ts';
import type { Plan } from './plan.ts';
import { unmeasuredInputsByService, type UnmeasuredInput } from '../model/unmeasured-inputs.ts';
import { DISCOVER_COMMAND } from '../model/unmeasured.ts';

export type ChangeStatus = 'new' | 'changed' | 'unchanged';

export interface PlanFormatOptions {
  /** Per service: new / changed (with the artifacts that changed) / unchanged against the last deploy. */
  readonly changes?: ReadonlyMap<string, { status: ChangeStatus; artifacts: readonly string[] }>;
  /** Only these services (`plan --service`): their waves, their lines, the nodes their guests use. @default every service */
  readonly only?: readonly string[];
}

/** The services a plan shows: `only`, else all; and whether that is a part of the homelab. */
export function shownServices(home: Homelab, only: readonly string[] | undefined): { readonly names: ReadonlySet<string>; readonly partial: boolean } {
  const partial = only !== undefined && only.length > 0;
  return { names: new Set(partial ? only : home.services.map((s) => s.name)), partial };
}

const gib = (mib: number) => `${(mib / 1024).toFixed(mib % 1024 === 0 ? 0 : 1)}G`;

function describeGuests(s: NormalizedService): string[] {
  if (s.sharesGuestWith) return [`shares the guest of ${s.sharesGuestWith}`];
  if (s.kind === 'external') return [`external host ${s.externalHost?.name ?? '?'} at ${s.ip ?? '?'} (configured over SSH)`];
  if (s.guests.length === 0) return [s.kind === 'none' ? 'no guest (cluster-level configuration)' : 'no guest'];
  return s.guests.map((g) => {
    const mem = g.kind === 'vm' && g.resources.balloonMiB !== g.resources.memoryMiB
      ? `${gib(g.resources.memoryMiB)} (balloon floor ${gib(g.resources.balloonMiB)})`
      : gib(g.resources.memoryMiB);
    const disks = g.resources.disks.map((d) => `${d.sizeGiB}G on ${d.storage}`).join(' + ');
    return `${g.kind.toUpperCase()} ${g.placement.vmid} ${g.name} on ${g.placement.node} at ${g.placement.ip}: ${g.resources.cores} cores, ${mem}, weight ${g.cpuWeight}, disk ${disks}`;
  });
}

export function formatPlan(home: Homelab, plan: Plan, options: PlanFormatOptions = {}): string {
  const { names, partial } = shownServices(home, options.only);
  const lines: string[] = [];
  const unmeasured = unmeasuredInputsByService(home.site, home.services);
  lines.push(partial
    ? `Deploy plan for ${home.site.name} (${home.site.domain}): ${[...names].join(', ')} (${names.size} of ${home.services.length} services; ${plan.waves.length} waves in all)`
    : `Deploy plan for ${home.site.name} (${home.site.domain}): ${home.services.length} services in ${plan.waves.length} waves`);
  plan.waves.forEach((all, i) => {
    const wave = all.filter((s) => names.has(s.name));
    if (!wave.length) return;
    lines.push('', `Wave ${i + 1}${i === 0 ? ' (no dependencies)' : ''}: ${wave.map((s) => s.name).join(', ')}`);
    for (const s of wave) {
      const change = options.changes?.get(s.name);
      const status = change ? ` [${change.status}${change.artifacts.length ? `: ${change.artifacts.join(', ')}` : ''}]` : '';
      lines.push(`  ${s.name} ${s.pkg.version} (${s.group}, ${s.tier})${status}${s.dependsOn.length ? ` after ${s.dependsOn.join(', ')}` : ''}`);
      for (const g of describeGuests(s)) lines.push(`    ${g}`);
      for (const r of s.routes) lines.push(`    route https://${r.fqdn} -> ${r.backendUrl} (${describeRouteAuth(r)}${r.admin ? ', admin' : ''})`);
      for (const p of s.ports.filter((x) => x.public)) lines.push(`    public port ${p.port}/${p.protocol}: ${p.description}`);
      const waits = unmeasured.filter((u) => u.services.includes(s.name)).map((u) => u.input.path);
      if (waits.length) lines.push(`    WAITS for ${waits.length} unmeasured input${waits.length === 1 ? '' : 's'} (deploy refuses it until measured): ${waits.join(', ')}`);
    }
  });
  lines.push(...formatUnmeasured(shownUnmeasured(unmeasured, names, partial)));
  // A part of the plan shows the nodes its guests land on; their figures still count every guest.
  const usedNodes = new Set(home.services.filter((s) => names.has(s.name)).flatMap((s) => s.guests.map((g) => g.placement.node)));
  const capacity = partial ? plan.capacity.filter((c) => usedNodes.has(c.node)) : plan.capacity;
  if (!capacity.length) return lines.join('\n');
  lines.push('', `Capacity per node${partial ? ' (the nodes of these services; every guest counts)' : ''} (committed = LXC limits + VM balloon floors; limits: `
    + `CPU ${home.site.overcommit.cpu}x, RAM ${home.site.overcommit.memory}x)`);
  lines.push('  node      cores  committed  ratio   RAM     committed  ratio   VM floors  ceiling');
  for (const c of capacity) {
    const flag = (ratio: number, limit: number) => (ratio > limit ? ' OVER' : '');
    lines.push(`  ${c.node.padEnd(9)} ${String(c.cores).padStart(5)}  ${String(c.committedCores).padStart(9)}  ${`${c.cpuRatio.toFixed(2)}x`.padStart(5)}${flag(c.cpuRatio, home.site.overcommit.cpu).padEnd(5)} ${gib(c.memoryMiB).padStart(5)}  ${gib(c.committedMemoryMiB).padStart(9)}  ${`${c.memoryRatio.toFixed(2)}x`.padStart(5)}${flag(c.memoryRatio, home.site.overcommit.memory).padEnd(5)} ${gib(c.guaranteedMemoryMiB).padStart(9)}  ${gib(c.ceilingMemoryMiB).padStart(7)}`);
  }
  return lines.join('\n');
}

type WaitingInput = { readonly input: UnmeasuredInput; readonly services: readonly string[] };

/** A part of the plan shows the inputs its services wait for; the whole plan shows every one. */
export function shownUnmeasured(all: readonly WaitingInput[], names: ReadonlySet<string>, partial: boolean): WaitingInput[] {
  return partial ? all.filter((u) => u.services.some((s) => names.has(s))) : [...all];
}

/** The plan's section of inputs nobody has measured yet: each with how to measure it and who waits. */
function formatUnmeasured(inputs: readonly WaitingInput[]): string[] {
  if (!inputs.length) return [];
  return [
    '', `Unmeasured inputs (${inputs.length}): the parts that need them are left out of dist/ and deploy refuses the services that wait for them; \`${DISCOVER_COMMAND}\` reads them from the cluster`,
    ...inputs.map(({ input, services }) => `  ${input.path}: ${input.how}; ${services.length ? `waiting: ${services.join(', ')}` : 'no service uses it yet'}`),
  ];
}

/** Who logs a user in on this route, in the plan's words. */
export function describeRouteAuth(r: NormalizedRoute): string {
  return r.auth === 'authentik' ? 'behind Authentik' : r.auth === 'app' ? 'own auth' : r.public ? 'public, no login' : 'NO AUTH';
}
