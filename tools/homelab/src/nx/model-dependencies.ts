/**
 * Nx project dependencies from the model: an edge from a service's project to the project of
 * every service it depends on — its declared dependsOn and, for an observer (monitoring), every
 * service it watches. So `nx graph` and `nx affected` follow the model, and a new service marks
 * itself and its observers affected without an edit to the observer's package.json.
 */
import type { CreateDependenciesContext, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import type { ModelEdges } from './model-edges.ts';

/** `DependencyType.static` of @nx/devkit, without loading it at run time (a type-only import; a test checks the value). */
export const STATIC = 'static' as DependencyType.static;

export function modelDependencies(model: ModelEdges, projects: CreateDependenciesContext['projects']): RawProjectGraphDependency[] {
  const projectAt = new Map(Object.entries(projects).map(([name, p]) => [p.root, name]));
  const dirOf = new Map(model.edges.map((e) => [e.service, e.dir]));
  const out: RawProjectGraphDependency[] = [];
  for (const edge of model.edges) {
    const source = projectAt.get(edge.dir);
    if (!source) continue;
    for (const dep of edge.dependsOn) {
      const target = projectAt.get(dirOf.get(dep) ?? '');
      // An unknown service name is the model's problem to report (UnknownDependency), not an edge.
      if (!target || target === source) continue;
      out.push({ source, target, type: STATIC, sourceFile: `${edge.dir}/src/index.ts` });
    }
  }
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
}
