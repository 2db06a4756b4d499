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
}

export function buildPlan(home: Homelab): Plan {
  const { waves } = dependencyWaves(new Map(home.services.map((s) => [s.name, s.dependsOn])));
  const waveOf = new Map<string, number>();
  waves.forEach((names, i) => names.forEach((n) => waveOf.set(n, i + 1)));
  return {
    waves: waves.map((names) => names.map((n) => home.byName.get(n)!)),
    capacity: nodeCapacity(home),
    waveOf,
  };
}
