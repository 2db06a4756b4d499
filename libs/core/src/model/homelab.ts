/**
 * The homelab model from a site and the loaded service packages: parse → normalize. Returns
 * every problem at once; never throws on bad input. The model never runs the policy: the
 * policy phase (policy/phase.ts) reads the model this builds.
 */
import { ProblemCollector } from './collector.ts';
import { packageDoesNotLoad } from './load-failures.ts';
import type { Problem } from './problem.ts';
import type { LoadFailure, ServiceEntry } from './load.ts';
import { resolveDefinition } from './definition.ts';
import { normalizeService } from './normalize.ts';
import { parseService } from './parse.ts';
import { EMPTY_SITE, parseSite } from './parse-site.ts';
import type { NormalizedService, ServiceProps } from './service.ts';
import type { Site } from './site.ts';

export interface Homelab {
  readonly site: Site;
  readonly services: readonly NormalizedService[];
  readonly byName: ReadonlyMap<string, NormalizedService>;
  readonly problems: readonly Problem[];
}

export interface ModelOptions {
  readonly siteSource?: string;
  readonly failures?: readonly LoadFailure[];
}

export function buildModel(site: Site, entries: readonly ServiceEntry[], options: ModelOptions = {}): Homelab {
  const problems: Problem[] = [];
  for (const f of options.failures ?? []) {
    problems.push(packageDoesNotLoad(f.dir, f.message));
  }
  const siteSource = options.siteSource ?? 'libs/site';
  const siteOut = new ProblemCollector(siteSource);
  if (!parseSite(site, siteOut)) {
    // Every service would be measured against a broken site: report the site alone.
    return { site: EMPTY_SITE, services: [], byName: new Map(), problems: [...problems, ...siteOut.problems] };
  }
  // A site that parses may still carry problems that do not stop the model (unknown keys).
  problems.push(...siteOut.problems);
  const services: NormalizedService[] = [];
  for (const entry of entries) {
    const out = new ProblemCollector(entry.pkg.dir);
    const resolved = resolveDefinition(entry.definition, site, out);
    if (!resolved.failed && parseService(resolved.definition, out)) {
      try {
        services.push(normalizeService(resolved.definition as ServiceProps, entry.pkg, site, out));
      } catch (error) {
        // Parse checks the shape; this catches what it does not check yet, instead of a crash.
        out.report('', 'DefinitionDoesNotNormalize', `the definition has a shape the model cannot use: ${error instanceof Error ? error.message : String(error)}`, undefined, 'Compare the definition with ServiceProps (libs/core/src/model/service.ts); its TypeScript errors point at the field.');
      }
    }
    problems.push(...out.problems);
  }
  services.sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(services.map((s) => [s.name, s]));
  return { site, services, byName, problems };
}
