/**
 * The schema checks on this repository's own definitions: the real site, every real package and
 * every file they render use only declared keys (a typo there would otherwise be ignored).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SCHEMAS_DIR, formatProblems, loadHomelab, synthesizeSite, type Problem } from '../../src/index.ts';
import { site } from '../../../site/src/index.ts';

const ROOT = path.resolve(BUNDLED_SCHEMAS_DIR, '..');
const SCHEMA_CODES = new Set(['UnknownKey', 'InvalidField', 'InvalidSite', 'InvalidConfigFile']);
const schemaProblems = (problems: readonly Problem[]) => problems.filter((p) => SCHEMA_CODES.has(p.code));

describe('the real site and packages', () => {
  it('load all 26 packages, and render their files, with no UnknownKey or other schema problem', async () => {
    const home = await loadHomelab(ROOT, site);
    expect(home.services.length).toBeGreaterThanOrEqual(26);
    expect(schemaProblems(home.problems), formatProblems(schemaProblems(home.problems))).toEqual([]);
    const rendered = synthesizeSite(home);
    expect(rendered.results.length).toBe(home.services.length);
    expect(schemaProblems(rendered.problems), formatProblems(schemaProblems(rendered.problems))).toEqual([]);
  }, 120_000);
});
