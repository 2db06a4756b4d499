/**
 * Parse for the site: checks the runtime shape of a site module's export (sites are TypeScript,
 * but HOMELAB_SITE may name a plain-JS module or a cast) against the site schema
 * (site-schema.ts). Only keys and shapes: the values are checked by the policy rules. Reports
 * every problem; never throws.
 */
import type { ProblemCollector } from './collector.ts';
import { reportMalformedUnmeasured } from './parse-unmeasured.ts';
import { reportSchemaProblems } from './schema-problems.ts';
import { siteSchema } from './site-schema.ts';
import type { Site } from './site.ts';

export const SITE_SCHEMA_REFERENCE = 'Site (schemas/homelab/site.schema.json)';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Returns true when the site is well-formed enough to build the model on. An unknown key is
 * reported (it is a mistake) but does not stop the model: nothing reads it.
 */
export function parseSite(raw: unknown, out: ProblemCollector): boolean {
  if (!isRecord(raw)) {
    out.report('', 'InvalidSite', 'the site module does not export a site object', typeof raw, 'Export the site as the default export (or as "site"), shaped like Site in libs/core/src/model/site.ts.');
    return false;
  }
  const malformed = reportMalformedUnmeasured(raw, out);
  const found = reportSchemaProblems(siteSchema, raw, out, { shapeCode: 'InvalidSite', subject: 'the site', reference: SITE_SCHEMA_REFERENCE }, malformed);
  return found.shapes === 0 && malformed.length === 0;
}

/** What the model is built on when the site does not parse: nothing, so nothing else is reported. */
export const EMPTY_SITE: Site = {
  name: 'invalid-site', domain: 'invalid.invalid',
  network: { cidr: '0.0.0.0/32', gateway: '0.0.0.0', dns: [], bridge: '' },
  nodes: [], externalHosts: [],
  storage: { local: '', images: '', nfs: { datastore: '', server: '', export: '', hostMountPath: '' } },
  addressPlan: {}, portForwards: [], management: { sources: [] }, dns: { provider: '', zone: '', records: [] },
  groups: {}, overcommit: { cpu: 1, memory: 1 }, tiers: {}, providerEnv: { endpoint: '', apiToken: '', adminApiToken: '' }, assumptions: [],
};
