/**
 * The deploy plan: waves in dependency order, what each service would create, and per-node
 * capacity. Data only; format-plan.ts prints it.
 */
import { dependencyWaves } from '../graph/waves.ts';
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import { nodeCapacity, type NodeCapacity } from '../model/capacity.ts';

export interface Plan {
  readonly waves: readonly (readonly NormalizedService[])[];
  readonly capacity: readonly NodeCapacity[];
  readonly waveOf: ReadonlyMap<string, number>;
  /**
   * The guests' boot order: the waves without the edge to the stack that creates the Proxmox
   * token (model/token-edges.ts). That stack has no guest to boot, so waiting for it would only
   * shift every boot order by one.
   */
  readonly bootWaveOf: ReadonlyMap<string, number>;
}

function waveNumbers(waves: readonly (readonly string[])[]): Map<string, number> {
  const out = new Map<string, number>();
  waves.forEach((names, i) => names.forEach((n) => out.set(n, i + 1)));
  return out;
}

export function buildPlan(home: Homelab): Plan {
  const { waves } = dependencyWaves(new Map(home.services.map((s) => [s.name, s.dependsOn])));
  const boot = dependencyWaves(new Map(home.services.map((s) => [s.name, s.dependsOn.filter((d) => d !== s.tokenFrom)])));
  return {
    waves: waves.map((names) => names.map((n) => home.byName.get(n)!)),
    capacity: nodeCapacity(home),
    waveOf: waveNumbers(waves),
    bootWaveOf: waveNumbers(boot.waves),
  };
}
