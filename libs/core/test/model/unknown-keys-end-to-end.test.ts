/**
 * Unknown keys through the real entry points: a package on disk loaded by loadHomelab (the loader
 * the CLI uses), and `homelab synth` on a site module with a typo (exit 1, the key, the fix).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHomelab } from '../../src/index.ts';
import { REAL_SITE_URL, STACK_FRAME, synthWithSite } from '../fixtures/synth-with-site.ts';
import { testSite } from '../fixtures/test-site.ts';

const dir = mkdtempSync(join(tmpdir(), 'homelab-unknown-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A throwaway workspace with one plain-JS-shaped package whose definition has `over` in it. */
function workspaceWith(name: string, over: Record<string, unknown>): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'packages', 'app', 'src'), { recursive: true });
  writeFileSync(join(root, 'packages', 'app', 'package.json'), JSON.stringify({ name: '@t/app', version: '1.0.0' }));
  const definition = {
    name: 'app', description: 'an application', kind: 'lxc', tier: 'normal', group: 'apps',
    resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] }, ...over,
  };
  writeFileSync(join(root, 'packages', 'app', 'src', 'index.ts'), `export default ${JSON.stringify(definition)};\n`);
  return root;
}

describe('a package on disk, through loadHomelab', () => {
  it('passes with declared keys only', async () => {
    const home = await loadHomelab(workspaceWith('good', {}), testSite);
    expect(home.problems.filter((p) => p.code === 'UnknownKey')).toEqual([]);
    expect(home.services.map((s) => s.name)).toEqual(['app']);
  });

  it('reports the typo with the package, the path and the closest key', async () => {
    const home = await loadHomelab(workspaceWith('typo', { startOnBot: false }), testSite);
    const typo = home.problems.filter((p) => p.code === 'UnknownKey');
    expect(typo).toEqual([expect.objectContaining({ source: 'packages/app', path: 'startOnBot', received: 'startOnBot' })]);
    expect(typo[0]!.fix).toMatch(/^Did you mean `startOnBoot`\?/);
  });
});

describe('homelab synth on a site with a typo (end to end)', () => {
  it('exits 1, names the key under libs/site with the fix, and says nothing was written', () => {
    const { status, output } = synthWithSite(dir, 'typo-site.mjs', `import { site } from ${JSON.stringify(REAL_SITE_URL)};
export default { ...site, nodes: [{ ...site.nodes[0], hardwre: site.nodes[0].hardware }, ...site.nodes.slice(1)] };
`);
    expect(status, output).toBe(1);
    expect(output).toMatch(/^libs\/site \(1 problem\)$/m);
    expect(output).toMatch(/^ {2}error UnknownKey at nodes\[0\]\.hardwre$/m);
    expect(output).toMatch(/^ {6}fix: Did you mean `hardware`\? /m);
    expect(output).toContain('nothing was written');
    expect(output).not.toMatch(STACK_FRAME);
  }, 300_000);
});
