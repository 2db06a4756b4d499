/**
 * Service groups as fleet operations see them: the site's policy (always on, hardware-bound),
 * the members (services whose `group` names it) and the dependencies between groups, which
 * follow from the services' dependencies in the graph: group A depends on group B when a
 * service of A depends on a service of B.
 */
import { dependencyWaves } from '../graph/waves.ts';
import type { Homelab } from '../model/homelab.ts';
import type { ServiceGraph } from './service-graph.ts';

export interface GroupView {
  readonly name: string;
  readonly description: string;
  readonly alwaysOn: boolean;
  readonly hardwareBound: boolean;
  /** Service names, sorted. */
  readonly members: readonly string[];
  /** Groups this one depends on, sorted. */
  readonly dependsOn: readonly string[];
  /** Groups that depend on this one, sorted. */
  readonly dependents: readonly string[];
}

/** Group → groups it depends on. */
export function groupDependencies(home: Homelab, graph: ServiceGraph): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const g of Object.keys(home.site.groups)) out.set(g, new Set());
  for (const s of home.services) {
    if (!out.has(s.group)) out.set(s.group, new Set());
    for (const d of graph.deps.get(s.name) ?? []) {
      const dg = home.byName.get(d)?.group;
      if (dg && dg !== s.group) out.get(s.group)!.add(dg);
    }
  }
  return new Map([...out].map(([g, set]) => [g, [...set].sort()]));
}

/** Every group of the site, in the site's order (then any group only a service names). */
export function groupViews(home: Homelab, graph: ServiceGraph): GroupView[] {
  const deps = groupDependencies(home, graph);
  return [...deps.keys()].map((name) => {
    const policy = home.site.groups[name];
    return {
      name,
      description: policy?.description ?? '(not a group of the site)',
      alwaysOn: policy?.alwaysOn === true,
      hardwareBound: policy?.hardwareBound === true,
      members: home.services.filter((s) => s.group === name).map((s) => s.name).sort(),
      dependsOn: deps.get(name) ?? [],
      dependents: [...deps].filter(([, d]) => d.includes(name)).map(([g]) => g).sort(),
    };
  });
}

/** Orders groups so each comes after the groups it depends on (roots first) or before them (leaves first). */
export function orderGroups(home: Homelab, graph: ServiceGraph, names: Iterable<string>, direction: 'roots-first' | 'leaves-first'): string[] {
  const wanted = new Set(names);
  const deps = groupDependencies(home, graph);
  const sub = new Map([...wanted].map((g) => [g, (deps.get(g) ?? []).filter((d) => wanted.has(d))]));
  // Groups on a cycle (the policy forbids it) come last, sorted.
  const ordered = dependencyWaves(sub).waves.flat();
  const all = [...ordered, ...[...wanted].filter((g) => !ordered.includes(g)).sort()];
  return direction === 'roots-first' ? all : all.reverse();
}
