/**
 * Builds the whole homelab model from a site and the loaded service packages:
 * parse → normalize → policy rules. Returns every problem at once; never throws on bad input.
 */
import { ProblemCollector } from './collector.ts';
import type { Problem } from './problem.ts';
import type { LoadFailure, ServiceEntry } from './load.ts';
import { resolveDefinition } from './definition.ts';
import { normalizeService } from './normalize.ts';
import { parseService } from './parse.ts';
import { EMPTY_SITE, parseSite } from './parse-site.ts';
import type { ConfigFile, NormalizedService, ServiceProps } from './service.ts';
import type { Site } from './site.ts';
import type { PolicyContext, PolicyRule } from '../policy/rule.ts';
import { POLICY_RULES } from '../policy/index.ts';

export interface Homelab {
  readonly site: Site;
  readonly services: readonly NormalizedService[];
  readonly byName: ReadonlyMap<string, NormalizedService>;
  readonly problems: readonly Problem[];
}

export interface BuildOptions {
  readonly siteSource?: string;
  readonly failures?: readonly LoadFailure[];
  readonly rules?: readonly PolicyRule[];
}

export function buildHomelab(site: Site, entries: readonly ServiceEntry[], options: BuildOptions = {}): Homelab {
  const problems: Problem[] = [];
  for (const f of options.failures ?? []) {
    problems.push({ source: f.dir, path: 'src/index.ts', code: 'PackageDoesNotLoad', message: `the package failed to load: ${f.message}`, fix: 'Fix the error in the package source (run `npx tsc --noEmit`).' });
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
  const ctx: PolicyContext = { site, siteSource, services, byName };
  for (const rule of options.rules ?? POLICY_RULES) {
    if ((rule.phase ?? 'model') === 'model') problems.push(...safeCheck(rule, ctx));
  }
  return { site, services, byName, problems };
}

/**
 * Runs the rules again on the rendered files (and, when given, the synthesized Terraform stacks
 * per service name): every problem of a `rendered` rule, and the file-level problems of the others.
 */
export function checkRenderedFiles(
  home: Homelab, files: ReadonlyMap<string, readonly ConfigFile[]>, rules: readonly PolicyRule[] = POLICY_RULES, siteSource = 'libs/site',
  stacks?: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): Problem[] {
  const ctx: PolicyContext = { site: home.site, siteSource, services: home.services, byName: home.byName, files, stacks };
  return rules.flatMap((r) => {
    const found = safeCheck(r, ctx);
    return r.phase === 'rendered' ? found : found.filter((p) => filesOnly(p) || newCrash(home, p));
  });
}

/** File-level problems are reported only in the files pass, so each is reported once. */
function filesOnly(p: Problem): boolean {
  return p.path.startsWith('files[');
}

/** A rule that crashes only on the rendered files must still say so. */
function newCrash(home: Homelab, p: Problem): boolean {
  return p.code === 'RuleCrashed' && !home.problems.some((q) => q.code === 'RuleCrashed' && q.path === p.path);
}

function safeCheck(rule: PolicyRule, ctx: PolicyContext): Problem[] {
  try {
    return rule.check(ctx);
  } catch (error) {
    // A rule must never crash the run on bad input; report the crash as a problem instead.
    return [{ source: ctx.siteSource, path: `rules.${rule.name}`, code: 'RuleCrashed', message: `rule ${rule.name} crashed: ${error instanceof Error ? error.message : String(error)}`, fix: 'This is a bug in the rule: report it with the definition that caused it.' }];
  }
}
