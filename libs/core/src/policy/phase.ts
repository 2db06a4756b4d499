/**
 * The policy phase: runs the model-phase rules on the model (`buildHomelab`) and, after synth,
 * the rendered-phase rules and the file-level problems of the others on the rendered files
 * (`checkRenderedFiles`). The model is built without the policy (model/homelab.ts).
 */
import { buildModel, type Homelab, type ModelOptions } from '../model/homelab.ts';
import type { ServiceEntry } from '../model/load.ts';
import { collapseUnderLoadFailures } from '../model/load-failures.ts';
import { reportSiteSkips, watchSiteReads } from '../model/site-guard.ts';
import { EMPTY_SITE } from '../model/parse-site.ts';
import type { Problem } from '../model/problem.ts';
import type { ConfigFile } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { collapseUnderDuplicateNodeNames } from './duplicate-node-names.ts';
import { POLICY_RULES } from './index.ts';
import type { PolicyContext, PolicyRule } from './rule.ts';

export interface BuildOptions extends ModelOptions {
  readonly rules?: readonly PolicyRule[];
}

/** The model with the problems of every model-phase rule added. */
export function buildHomelab(site: Site, entries: readonly ServiceEntry[], options: BuildOptions = {}): Homelab {
  const home = buildModel(site, entries, options);
  // Every service would be measured against a broken site: the site's problems stand alone.
  if (home.site === EMPTY_SITE) return home;
  const skipped: { name: string; reads: string[] }[] = [];
  const found = checkModel(home, options.rules, options.siteSource, skipped);
  // A package that did not load is the root cause of its dependents' "no service is named X".
  // Two nodes of one name are the root cause of the UnknownNode problems of the name that disappeared.
  const problems = collapseUnderDuplicateNodeNames(collapseUnderLoadFailures([...home.problems, ...found]));
  return { ...home, problems: home.siteSkips ? reportSiteSkips(problems, home.siteSkips, skipped, options.siteSource ?? 'libs/site') : problems };
}

/**
 * The problems of the model-phase rules on a model. On a site with a misshapen block, a rule that
 * reads it is left out and added to `skipped` (site-guard.ts): its problems would be follow-ons.
 */
export function checkModel(home: Homelab, rules: readonly PolicyRule[] = POLICY_RULES, siteSource = 'libs/site', skipped: { name: string; reads: string[] }[] = []): Problem[] {
  const watch = home.siteSkips ? watchSiteReads(home.site, home.siteSkips.broken) : undefined;
  const ctx: PolicyContext = { site: watch?.site ?? home.site, siteSource, services: home.services, byName: home.byName };
  return rules.filter((rule) => (rule.phase ?? 'model') === 'model').flatMap((rule) => {
    const found = safeCheck(rule, ctx);
    const reads = watch?.take() ?? [];
    if (!reads.length) return found;
    skipped.push({ name: rule.name, reads });
    return [];
  });
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
