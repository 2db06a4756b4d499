/**
 * A site whose shape is wrong in one block (a field of the wrong type, a missing required block)
 * must not hide every other problem: the operator would fix the site, run again, and only then
 * meet the rest. So the model is built on the site with each misshapen top-level block replaced
 * by an empty one, every definition and rule that reads such a block is watched and set aside
 * (its results would be follow-ons of the shape error), and one SiteChecksSkipped warning names
 * what did not run and why. Everything else runs and reports as usual.
 */
import type { ProblemCollector } from './collector.ts';
import { missingServiceOf, serviceOfDir } from './load-failures.ts';
import { EMPTY_SITE, parseSite } from './parse-site.ts';
import { INVALID_UNMEASURED } from './parse-unmeasured.ts';
import type { Problem } from './problem.ts';
import type { Site } from './site.ts';

export interface SiteShape {
  /** The site to build on: the export with each misshapen top-level block replaced by an empty one (an optional one removed). */
  readonly site: Site;
  /** The top-level fields whose shape is wrong, sorted; empty for a well-formed site. */
  readonly broken: readonly string[];
}

/** What was set aside because it read a misshapen block. */
export interface SiteSkips {
  readonly broken: readonly string[];
  /** Package directories whose definition read a misshapen block, with the blocks it read. */
  readonly packages: readonly { readonly dir: string; readonly reads: readonly string[] }[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `nodes[0].cores` → `nodes`; `osImages["x"].kind` → `osImages`. */
function topField(path: string): string {
  return /^[^.[]*/.exec(path)![0];
}

/**
 * Parses the site's shape (parse-site.ts reports the problems) and returns what the model can
 * still be built on, or undefined when the export is not a site object at all.
 */
export function parseSiteShape(raw: unknown, out: ProblemCollector): SiteShape | undefined {
  const before = out.problems.length;
  if (parseSite(raw, out)) return { site: raw as Site, broken: [] };
  if (!isRecord(raw)) return undefined;
  const broken = [...new Set(out.problems.slice(before).filter((p) => p.code === 'InvalidSite' || p.code === INVALID_UNMEASURED).map((p) => topField(p.path)))].filter(Boolean).sort();
  if (broken.length === 0) return undefined;
  const site: Record<string, unknown> = { ...raw };
  for (const field of broken) {
    if (field in EMPTY_SITE) site[field] = EMPTY_SITE[field as keyof Site];
    else delete site[field];
  }
  return { site: site as unknown as Site, broken };
}

/**
 * The site behind a proxy that notes which misshapen blocks are read. `take()` returns those read
 * since the last call, sorted, and forgets them.
 */
export function watchSiteReads(site: Site, broken: readonly string[]): { readonly site: Site; take(): string[] } {
  const read = new Set<string>();
  const proxy = new Proxy(site, {
    get(target, key, receiver) {
      if (typeof key === 'string' && broken.includes(key)) read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      // A spread or Object.keys reads every block.
      for (const key of broken) read.add(key);
      return Reflect.ownKeys(target);
    },
  });
  return {
    site: proxy,
    take: () => {
      const list = [...read].sort();
      read.clear();
      return list;
    },
  };
}

/**
 * Drops the "no service is named X" problems whose X is a package set aside, and adds the one
 * SiteChecksSkipped warning naming the misshapen blocks, the packages and the rules that did not
 * run because they read them.
 */
export function reportSiteSkips(problems: readonly Problem[], skips: SiteSkips, skippedRules: readonly { readonly name: string; readonly reads: readonly string[] }[], siteSource: string): Problem[] {
  const setAside = new Set(skips.packages.map((p) => serviceOfDir(p.dir)));
  const kept = problems.filter((p) => {
    const missing = missingServiceOf(p);
    return missing === undefined || !setAside.has(missing);
  });
  const list = (items: readonly { reads: readonly string[] }[], name: (i: number) => string) => items.map((x, i) => `${name(i)} (reads ${x.reads.join(', ')})`).join(', ');
  const parts = [
    skips.packages.length ? `the definitions of ${list(skips.packages, (i) => skips.packages[i]!.dir)}` : '',
    skippedRules.length ? `the rules ${list(skippedRules, (i) => skippedRules[i]!.name)}` : '',
    'synth and the rules on rendered files (they need the whole site)',
  ].filter(Boolean);
  const warning: Problem = {
    source: siteSource, path: skips.broken.join(', '), code: 'SiteChecksSkipped', severity: 'warning',
    message: `the site field${skips.broken.length === 1 ? '' : 's'} ${skips.broken.join(', ')} ${skips.broken.length === 1 ? 'does' : 'do'} not have the shape the model needs (see the InvalidSite problems), so these checks did not run: ${parts.join('; ')}. Every other check ran`,
    received: skips.broken,
    fix: 'Fix the InvalidSite problems and run again: the skipped checks then run too.',
  };
  return [...kept, warning];
}
