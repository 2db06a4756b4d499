/**
 * The service edges of the model (each service's dependsOn, an observer's watched services
 * included: libs/core model/observers.ts), read for the Nx plugin. Service packages are
 * TypeScript definitions that are functions of the site, so the model is built in a tsx child
 * process (read-model-edges.ts run as a script) and handed back as JSON; the plugin's own
 * process loads no package and not libs/core.
 */
import { runTsxScript } from './tsx-child.ts';

export interface ModelEdge {
  /** The service's package directory, `packages/<dir>`: the Nx project root. */
  readonly dir: string;
  readonly service: string;
  /** The services it depends on, by name (declared, plus what it observes). */
  readonly dependsOn: readonly string[];
}

export interface ModelEdges {
  readonly edges: readonly ModelEdge[];
  /** Packages that did not load: their edges are missing, and the plugin says so. */
  readonly failures: readonly string[];
}

/** From the plugin: built in a tsx child process (read-model-edges.ts) with the workspace as its directory. */
export function modelEdgesInChild(root: string): ModelEdges {
  return runTsxScript<ModelEdges>(new URL('./read-model-edges.ts', import.meta.url).href, root);
}
