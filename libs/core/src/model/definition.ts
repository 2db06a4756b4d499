/**
 * Turns a package's default export into its definition for one site: a plain definition is used
 * as it is; a definition function (`defineService((site) => ...)`) is called with the site being
 * synthesized. A function that cannot make a definition for this site reports a coded problem of
 * its package instead of crashing the run.
 */
import type { ProblemCollector } from './collector.ts';
import { SiteRequirementError } from './site-features.ts';
import type { Site } from './site.ts';

/** The definition for `site` (unchecked: parse checks it), or `{ failed: true }` after reporting why there is none. */
export function resolveDefinition(raw: unknown, site: Site, out: ProblemCollector): { readonly failed: false; readonly definition: unknown } | { readonly failed: true } {
  if (typeof raw !== 'function') return { failed: false, definition: raw };
  try {
    return { failed: false, definition: (raw as (s: Site) => unknown)(site) };
  } catch (error) {
    if (error instanceof SiteRequirementError) {
      out.report(`site.${error.field}`, error.code, error.message, error.received, error.fix);
    } else {
      out.report('', 'DefinitionThrew', `the definition function threw for the site "${site.name}": ${error instanceof Error ? error.message : String(error)}`, undefined, 'Fix the definition function in src/index.ts (its unit test with the core fixture site should reproduce it); a fact it needs belongs in the site.');
    }
    return { failed: true };
  }
}
