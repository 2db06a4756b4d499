/**
 * Guards nx.json against settings that silently override what the plugin infers: with Nx 23,
 * `targetDefaults` replace (not merge) an inferred target's `inputs`, `outputs` and `dependsOn`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface NxJson {
  namedInputs?: Record<string, string[]>;
  targetDefaults?: Record<string, { inputs?: unknown; outputs?: unknown; dependsOn?: string[]; cache?: boolean }>;
  plugins?: ({ plugin: string; options?: unknown } | string)[];
}

const nxJsonText = readFileSync(fileURLToPath(new URL('../../../../nx.json', import.meta.url)), 'utf8');
const nxJson = JSON.parse(nxJsonText) as NxJson;
const INFERRED = ['synth', 'validate', 'plan', 'deploy', 'smoke', 'test', 'typecheck'];

describe('nx.json', () => {
  it('registers the homelab plugin', () => {
    const plugins = (nxJson.plugins ?? []).map((p) => (typeof p === 'string' ? p : p.plugin));
    expect(plugins).toContain('./tools/homelab/src/nx/plugin.cjs');
  });

  it.each(INFERRED)('targetDefaults.%s sets no inputs or outputs (they would replace the inferred ones)', (target) => {
    const defaults = nxJson.targetDefaults?.[target];
    expect(defaults?.inputs).toBeUndefined();
    expect(defaults?.outputs).toBeUndefined();
  });

  it.each(INFERRED)('targetDefaults.%s sets no dependsOn (it would replace the inferred one: deploy\'s forwards --dry-run)', (target) => {
    expect(nxJson.targetDefaults?.[target]?.dependsOn).toBeUndefined();
  });

  it('targetDefaults.deploy, if there, keeps deploy uncached', () => {
    const deploy = nxJson.targetDefaults?.['deploy'];
    if (deploy?.cache !== undefined) expect(deploy.cache).toBe(false);
  });

  it('names nothing outside the repository (the schemas live in it; HOMELAB_SCHEMAS_DIR overrides at run time)', () => {
    expect(nxJsonText).not.toMatch(/\.\.\/|shared\/schemas|schemasDir/);
  });

  it('defines a production input without tests, smoke tests and docs (what synth and validate read of the package)', () => {
    expect(nxJson.namedInputs?.['production']).toEqual(expect.arrayContaining([
      'default', '!{projectRoot}/test/**/*', '!{projectRoot}/smoke/**/*', '!{projectRoot}/**/*.md',
    ]));
  });
});
