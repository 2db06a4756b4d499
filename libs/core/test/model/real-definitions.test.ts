/**
 * The unknown-key check on this repository's own definitions: the real site and every real
 * package use only declared keys (a typo there would otherwise be ignored silently).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SCHEMAS_DIR, formatProblems, loadHomelab } from '../../src/index.ts';
import { site } from '../../../site/src/index.ts';

const ROOT = path.resolve(BUNDLED_SCHEMAS_DIR, '..');

describe('the real site and packages', () => {
  it('load all 26 packages with no UnknownKey or InvalidField problem', async () => {
    const home = await loadHomelab(ROOT, site);
    expect(home.services.length).toBeGreaterThanOrEqual(26);
    const schemaProblems = home.problems.filter((p) => p.code === 'UnknownKey' || p.code === 'InvalidField' || p.code === 'InvalidSite');
    expect(schemaProblems, formatProblems(schemaProblems)).toEqual([]);
  });
});
