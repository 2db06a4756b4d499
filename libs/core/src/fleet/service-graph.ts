/**
 * The service dependency graph fleet operations walk, taken from Nx's project graph: a service
 * is the Nx project whose name is its package name (`@homelab/<svc>`, or whose root is its
 * package directory), and its dependencies are the Nx edges to other service projects. Only
 * when Nx is not available does it fall back to the services' `dependsOn` in the model, and
 * it says so: the caller prints `fallback` loudly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Homelab } from '../model/homelab.ts';
import { readNxProjectGraph, type NxGraphMethod, type NxGraphRead, type NxProjectGraphLike } from './nx-graph.ts';

export interface ServiceGraph {
  /** Where the edges came from. */
  readonly source: 'nx' | 'model';
  /** Why the model was used; absent when the graph came from Nx. */
  readonly fallback?: string;
  /** Service name → the services it depends on directly, sorted. Every service of the model is a key. */
  readonly deps: ReadonlyMap<string, readonly string[]>;
  /** Service name → its Nx project name (absent for a service Nx does not know). */
  readonly projectOf: ReadonlyMap<string, string>;
  /** Disagreements between Nx and the model, for the operator. */
  readonly warnings: readonly string[];
  readonly method?: NxGraphMethod;
  readonly elapsedMs: number;
}

export interface FromNxOptions {
  /**
   * Whether a workspace package is linked in node_modules. Nx sees a package.json dependency on
   * a workspace package only once npm has linked it, so a package added without `npm install`
   * is a missing edge; this names the cause in the warning. @default - not checked
   */
  readonly linked?: (packageName: string) => boolean;
}

/** Pure: maps an Nx project graph onto the model's services. */
export function serviceGraphFromNx(home: Homelab, graph: NxProjectGraphLike, read: Omit<NxGraphRead, 'graph'> = { method: 'devkit', elapsedMs: 0 }, options: FromNxOptions = {}): ServiceGraph {
  const projectOf = new Map<string, string>();
  const serviceOf = new Map<string, string>();
  const warnings: string[] = [];
  for (const s of home.services) {
    const project = graph.nodes[s.pkg.name] ? s.pkg.name : Object.values(graph.nodes).find((n) => n.data.root === s.pkg.dir)?.name;
    if (project) {
      projectOf.set(s.name, project);
      serviceOf.set(project, s.name);
    }
  }
  const deps = new Map<string, readonly string[]>();
  for (const s of home.services) {
    const project = projectOf.get(s.name);
    if (!project) {
      warnings.push(`${s.name}: Nx has no project for ${s.pkg.name} (${s.pkg.dir}); using its dependsOn from the model`);
      deps.set(s.name, [...s.dependsOn].sort());
      continue;
    }
    const fromNx = [...new Set((graph.dependencies[project] ?? []).map((d) => serviceOf.get(d.target)).filter((x): x is string => x !== undefined && x !== s.name))].sort();
    deps.set(s.name, fromNx);
    const model = [...s.dependsOn].filter((d) => home.byName.has(d)).sort();
    if (model.join(',') !== fromNx.join(',')) {
      const unlinked = model.filter((d) => !fromNx.includes(d)).map((d) => home.byName.get(d)!.pkg.name).filter((p) => options.linked?.(p) === false);
      const why = unlinked.length
        ? `${unlinked.join(', ')} ${unlinked.length > 1 ? 'are' : 'is'} not linked in node_modules, so Nx cannot see the edge: run npm install`
        : 'fix package.json or dependsOn so they agree';
      warnings.push(`${s.name}: Nx says it depends on [${fromNx.join(', ')}], its dependsOn says [${model.join(', ')}]; following Nx (${why})`);
    }
  }
  return { source: 'nx', deps, projectOf, warnings, method: read.method, elapsedMs: read.elapsedMs };
}

/** The fallback: the services' dependsOn from the model. */
export function serviceGraphFromModel(home: Homelab, why: string): ServiceGraph {
  return {
    source: 'model',
    fallback: why,
    deps: new Map(home.services.map((s) => [s.name, [...s.dependsOn].filter((d) => home.byName.has(d)).sort()])),
    projectOf: new Map(),
    warnings: [],
    elapsedMs: 0,
  };
}

export type GraphReader = (root: string) => Promise<NxGraphRead>;

/** Reads Nx's graph; on failure falls back to the model and records why. */
export async function loadServiceGraph(root: string, home: Homelab, reader: GraphReader = (r) => readNxProjectGraph(r)): Promise<ServiceGraph> {
  try {
    const read = await reader(root);
    return serviceGraphFromNx(home, read.graph, read, { linked: (pkg) => existsSync(join(root, 'node_modules', pkg, 'package.json')) });
  } catch (error) {
    return serviceGraphFromModel(home, error instanceof Error ? error.message : String(error));
  }
}

/** Everything that transitively depends on `name`, sorted. */
export function dependentsIn(graph: ServiceGraph, names: Iterable<string>): string[] {
  const out = new Set<string>();
  let frontier = [...names];
  while (frontier.length) {
    const next: string[] = [];
    for (const [svc, deps] of graph.deps) {
      if (!out.has(svc) && deps.some((d) => frontier.includes(d))) {
        out.add(svc);
        next.push(svc);
      }
    }
    frontier = next;
  }
  return [...out].sort();
}

/** Everything `names` transitively depend on, sorted. */
export function dependenciesIn(graph: ServiceGraph, names: Iterable<string>): string[] {
  const out = new Set<string>();
  const stack = [...names];
  while (stack.length) {
    for (const d of graph.deps.get(stack.pop()!) ?? []) {
      if (!out.has(d)) {
        out.add(d);
        stack.push(d);
      }
    }
  }
  return [...out].sort();
}

/**
 * The graph that matters while things run: an observer's edges (monitoring → what it scrapes)
 * order deploys but never make a stop wait for the observer, nor a start wait for what it watches.
 */
export function runtimeGraph(home: Homelab, graph: ServiceGraph): ServiceGraph {
  const deps = new Map([...graph.deps].map(([svc, d]) => [svc, home.byName.get(svc)?.observer ? [] : d]));
  return { ...graph, deps };
}
