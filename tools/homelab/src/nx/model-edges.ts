/**
 * The service edges of the model (each service's dependsOn, an observer's watched services
 * included: libs/core model/observers.ts), read for the Nx plugin. Service packages are
 * TypeScript definitions that are functions of the site, so the model is built in a tsx child
 * process (this file run as a script) and handed back as JSON; the plugin's own process loads
 * no package.
 */
import { buildModel, loadServices } from '@homelab/core/model';
import { loadSite } from '../commands/context.ts';
import { isScript, printForParent, runTsxScript } from './tsx-child.ts';

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

/** In-process: loads the site ($HOMELAB_SITE or libs/site) and the packages, and builds the model. */
export async function readModelEdges(root: string): Promise<ModelEdges> {
  const site = await loadSite(root);
  const { entries, failures } = await loadServices(root);
  const home = buildModel(site, entries, { failures });
  return {
    edges: home.services.map((s) => ({ dir: s.pkg.dir, service: s.name, dependsOn: s.dependsOn })),
    failures: failures.map((f) => `${f.dir}: ${f.message}`),
  };
}

/** From the plugin: the same, in a tsx child process with the workspace as its directory. */
export function modelEdgesInChild(root: string): ModelEdges {
  return runTsxScript<ModelEdges>(import.meta.url, root);
}

if (isScript(import.meta.url)) await printForParent(readModelEdges);
