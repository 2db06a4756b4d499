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
import { withObservers } from './observers.ts';
import { withTokenEdges } from './token-edges.ts';
import { parseService } from './parse.ts';
import { EMPTY_SITE } from './parse-site.ts';
import { parseSiteShape, watchSiteReads, type SiteSkips } from './site-guard.ts';
import type { NormalizedService, ServiceProps } from './service.ts';
import type { Site } from './site.ts';

export interface Homelab {
  readonly site: Site;
  readonly services: readonly NormalizedService[];
  readonly byName: ReadonlyMap<string, NormalizedService>;
  readonly problems: readonly Problem[];
  /** Set when the site's shape is wrong: what the model set aside (site-guard.ts). */
  readonly siteSkips?: SiteSkips;
}

export interface ModelOptions {
  readonly siteSource?: string;
  readonly failures?: readonly LoadFailure[];
}

export function buildModel(site: Site, entries: readonly ServiceEntry[], options: ModelOptions = {}): Homelab {
  const problems: Problem[] = [];
  for (const f of options.failures ?? []) {
    problems.push(packageDoesNotLoad(f.dir, f.message, f.at));
  }
  const siteSource = options.siteSource ?? 'libs/site';
  const siteOut = new ProblemCollector(siteSource);
  const shape = parseSiteShape(site, siteOut);
  if (!shape) {
    // Not a site object at all: every service would be measured against nothing.
    return { site: EMPTY_SITE, services: [], byName: new Map(), problems: [...problems, ...siteOut.problems] };
  }
  // Shape and unknown-key problems of the site; a misshapen block is replaced (site-guard.ts).
  problems.push(...siteOut.problems);
  const watch = shape.broken.length ? watchSiteReads(shape.site, shape.broken) : { site: shape.site, take: (): string[] => [] };
  const setAside: { dir: string; reads: string[] }[] = [];
  const services: NormalizedService[] = [];
  for (const entry of entries) {
    const out = new ProblemCollector(entry.pkg.dir);
    const built: NormalizedService[] = [];
    const resolved = resolveDefinition(entry.definition, watch.site, out);
    if (!resolved.failed && parseService(resolved.definition, out)) {
      try {
        built.push(normalizeService(resolved.definition as ServiceProps, entry.pkg, watch.site, out));
      } catch (error) {
        // Parse checks the shape; this catches what it does not check yet, instead of a crash.
        out.report('', 'DefinitionDoesNotNormalize', `the definition has a shape the model cannot use: ${error instanceof Error ? error.message : String(error)}`, undefined, 'Compare the definition with ServiceProps (libs/core/src/model/service.ts); its TypeScript errors point at the field.');
      }
    }
    // A definition that read a misshapen block of the site is set aside: its results would be follow-ons.
    const reads = watch.take();
    if (reads.length) { setAside.push({ dir: entry.pkg.dir, reads }); continue; }
    services.push(...built);
    problems.push(...out.problems);
  }
  services.sort((a, b) => a.name.localeCompare(b.name));
  const observed = withObservers(withTokenEdges(services));
  const byName = new Map(observed.map((s) => [s.name, s]));
  const skips = shape.broken.length ? { broken: shape.broken, packages: setAside } : undefined;
  return { site: shape.site, services: observed, byName, problems, ...(skips && { siteSkips: skips }) };
}
