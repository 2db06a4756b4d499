import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArtifactCheck } from '@homelab/core';
import { validationCache } from '../src/commands/validation-cache.ts';
import { validateDist } from '../src/commands/validate.ts';
import { WORKSPACE_ROOT } from '@homelab/site/testing';

/** A workspace whose validator code and schemas are the real ones, with one synthesized service. */
function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'vcache-'));
  mkdirSync(join(root, 'dist/svc'), { recursive: true });
  writeFileSync(join(root, 'dist/svc/manifest.json'), '{"service":"svc","artifacts":[]}');
  return root;
}
const env = { ...process.env, HOMELAB_SCHEMAS_DIR: join(WORKSPACE_ROOT, 'schemas'), HOMELAB_VALIDATE_CACHE: '' };
const passing: ArtifactCheck[] = [{ file: 'a.yml', format: 'yaml', check: 'yaml parse', ok: true, problems: [] }];

describe('validation cache', () => {
  it('returns what was stored for an unchanged service', async () => {
    const root = workspace();
    const cache = validationCache(root, env)!;
    expect(await cache.get('svc')).toBeUndefined();
    await cache.put('svc', passing);
    expect(await cache.get('svc')).toEqual(passing);
  });
  it('misses once the synthesized manifest changes', async () => {
    const root = workspace();
    const cache = validationCache(root, env)!;
    await cache.put('svc', passing);
    writeFileSync(join(root, 'dist/svc/manifest.json'), '{"service":"svc","artifacts":[{"file":"x"}]}');
    expect(await cache.get('svc')).toBeUndefined();
  });
  it('never stores a failing result, so a failure always shows fresh output', async () => {
    const root = workspace();
    const cache = validationCache(root, env)!;
    await cache.put('svc', [{ ...passing[0]!, ok: false }]);
    expect(await cache.get('svc')).toBeUndefined();
  });
  it('with the tools off and every service from the cache, the summary still says the tools were off', async () => {
    const root = workspace();
    const off = { ...env, HOMELAB_VALIDATE_TOOLS: 'off', CI: '' };
    await validationCache(root, off)!.put('svc', passing);
    const summary = await validateDist(root, ['svc'], off);
    expect(summary.cachedServices).toBe(1);
    expect(summary.tools).toEqual({ off: 'HOMELAB_VALIDATE_TOOLS=off' });
    expect(summary.warnings.map((w) => w.code)).toEqual(['ToolChecksDisabled']);
  });
  it('is off with HOMELAB_VALIDATE_CACHE=off', () => {
    expect(validationCache(workspace(), { ...env, HOMELAB_VALIDATE_CACHE: 'off' })).toBeUndefined();
  });
});
