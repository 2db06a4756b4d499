/**
 * The whole pipeline for one site: load the packages, build the model, synthesize every service
 * and run the policy rules that need the rendered files. Reports problems; never throws on bad
 * input.
 */
import type { Homelab } from '../model/homelab.ts';
import { hasDuplicateNodeName } from '../policy/duplicate-node-names.ts';
import { buildHomelab, checkRenderedFiles } from '../policy/phase.ts';
import { listServicePackages, loadServices } from '../model/load.ts';
import { checkPackageFiles } from '../synth/package-files.ts';
import type { Problem } from '../model/problem.ts';
import type { ConfigFile, NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { buildPlan, type Plan } from './plan.ts';
import type { BackendSetting } from '../proxmox/backend.ts';
import { TERRAFORM_FILE } from '../synth/manifest.ts';
import { renderConfigFiles, synthService, type SynthResult } from '../synth/synth-service.ts';

export interface SiteSynthesis {
  readonly home: Homelab;
  readonly plan: Plan;
  readonly results: readonly SynthResult[];
  /** Model, policy and rendered-file problems together. */
  readonly problems: readonly Problem[];
}

function renderFailed(service: NormalizedService, error: unknown): Problem {
  return {
    source: service.pkg.dir, path: 'files', code: 'RenderFailed',
    message: `rendering failed: ${error instanceof Error ? error.message : String(error)}`,
    fix: 'Fix the template function of the package (its unit test should reproduce the failure).',
  };
}

export async function loadHomelab(root: string, site: Site): Promise<Homelab> {
  const { entries, failures } = await loadServices(root);
  // A broken package.json is reported against package.json itself, not as a package that does not load.
  const fileProblems = checkPackageFiles(root, await listServicePackages(root));
  const unreadable = new Set(fileProblems.filter((p) => p.code === 'PackageJsonUnreadable').map((p) => p.source));
  const home = buildHomelab(site, entries, { failures: failures.filter((f) => !unreadable.has(f.dir)) });
  return { ...home, problems: [...fileProblems, ...home.problems] };
}

export function synthesizeSite(home: Homelab, options: { backend?: BackendSetting; only?: readonly string[] } = {}): SiteSynthesis {
  const plan = buildPlan(home);
  // A misshapen site block or two nodes of one name: render nothing, the model's problems say why.
  if (home.siteSkips || hasDuplicateNodeName(home.problems)) return { home, plan, results: [], problems: home.problems };
  const results: SynthResult[] = [];
  const problems: Problem[] = [...home.problems];
  const files = new Map<string, readonly ConfigFile[]>();
  const stacks = new Map<string, Readonly<Record<string, unknown>>>();
  for (const service of home.services) {
    if (options.only && !options.only.includes(service.name)) continue;
    try {
      const result = synthService(home, service, { backend: options.backend, waves: plan.bootWaveOf });
      results.push(result);
      files.set(service.name, result.configFiles);
      const terraform = result.files.get(TERRAFORM_FILE);
      if (terraform !== undefined) stacks.set(service.name, JSON.parse(terraform) as Record<string, unknown>);
    } catch (error) {
      problems.push(renderFailed(service, error));
    }
  }
  // The cross-service file rules (conflicts, the hosts a file may reach, every rule that reads
  // a format) must see the whole site even when only some services are synthesized: a partial
  // synth (`deploy -s kanboard`) would otherwise never compare kanboard's files with Traefik's.
  for (const service of home.services) {
    if (files.has(service.name) || !options.only || options.only.includes(service.name)) continue;
    try {
      files.set(service.name, renderConfigFiles(home, service));
    } catch (error) {
      problems.push(renderFailed(service, error));
    }
  }
  problems.push(...checkRenderedFiles(home, files, undefined, undefined, stacks));
  return { home, plan, results, problems };
}
