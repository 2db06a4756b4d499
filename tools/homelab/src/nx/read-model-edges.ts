/** The script side of model-edges.ts: builds the model and prints its service edges. */
import { buildModel, loadServices } from '@homelab/core/model';
import { loadSite } from '../commands/context.ts';
import type { ModelEdges } from './model-edges.ts';
import { isScript, printForParent } from './tsx-child.ts';

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

if (isScript(import.meta.url)) await printForParent(readModelEdges);
