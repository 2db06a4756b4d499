/**
 * Dependency order as waves: every member of a wave depends only on members of earlier waves,
 * so a wave's members can be deployed in parallel. Deterministic: members sorted by name.
 */
export interface WaveResult {
  readonly waves: readonly (readonly string[])[];
  /** Each cycle as the list of names along it, first name repeated at the end. */
  readonly cycles: readonly (readonly string[])[];
}

export function dependencyWaves(deps: ReadonlyMap<string, readonly string[]>): WaveResult {
  const remaining = new Map<string, Set<string>>();
  for (const [name, list] of deps) remaining.set(name, new Set(list.filter((d) => deps.has(d))));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, d]) => d.size === 0).map(([n]) => n).sort();
    if (ready.length === 0) break;
    waves.push(ready);
    for (const name of ready) remaining.delete(name);
    for (const d of remaining.values()) for (const name of ready) d.delete(name);
  }
  return { waves, cycles: remaining.size ? findCycles(remaining) : [] };
}

function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of [...(graph.get(n) ?? [])].sort()) {
      if (state.get(d) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(d)), d];
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

/** Everything that transitively depends on `name` (its dependents), sorted. */
export function dependentsOf(deps: ReadonlyMap<string, readonly string[]>, name: string): string[] {
  const result = new Set<string>();
  let frontier = [name];
  while (frontier.length) {
    const next: string[] = [];
    for (const [n, list] of deps) {
      if (!result.has(n) && list.some((d) => frontier.includes(d))) {
        result.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return [...result].sort();
}
