import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureTree, removeFixtureTrees } from './fixture-tree.ts';
import { readImportGraph, type ImportGraph } from './import-graph.ts';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '../..');
const exportsMap = (JSON.parse(readFileSync(join(CORE, 'package.json'), 'utf8')) as { exports: Record<string, string> }).exports;

/** What a package that renders Compose must not load: the runners, the Proxmox API, Nx, Terraform. */
const NOT_FOR_RENDERING = { dirs: ['deploy', 'fleet', 'pve', 'process', 'plan'], packages: ['execa', 'nx', '@nx/devkit', 'cdktf', 'constructs'] };

/** The modules and packages of `forbidden` that the graph reaches. */
function reachedForbidden(graph: ImportGraph, forbidden: typeof NOT_FOR_RENDERING): string[] {
  const modules = graph.modules.filter((m) => forbidden.dirs.includes(m.split('/')[0]!));
  const packages = [...new Set(graph.packages.map((p) => p.name))].filter((n) => forbidden.packages.includes(n) || n.startsWith('@nx/'));
  return [...modules, ...packages].sort();
}

afterAll(removeFixtureTrees);

describe('the subpath exports of @homelab/core', () => {
  it('has one subpath per layer entry file, and each names its file', () => {
    const layerFiles = readdirSync(join(CORE, 'src/layers')).filter((f) => f.endsWith('.ts')).sort();
    expect(layerFiles.map((f) => exportsMap[`./${f.replace(/\.ts$/, '')}`])).toEqual(layerFiles.map((f) => `./src/layers/${f}`));
    expect(layerFiles).toEqual(['deploy', 'fleet', 'model', 'plan', 'policy', 'render', 'smoke', 'synth', 'terraform', 'validate'].map((n) => `${n}.ts`));
  });

  it('@homelab/core/render resolves to the render entry and loads', async () => {
    expect(fileURLToPath(import.meta.resolve('@homelab/core/render'))).toBe(join(CORE, 'src/layers/render.ts'));
    const render = await import('@homelab/core/render');
    expect(typeof render.composeFile).toBe('function');
  });

  it('the render subpath reaches no deploy runner, fleet, Proxmox API, Nx or Terraform', async () => {
    const graph = await readImportGraph(join(CORE, 'src'), ['layers/render.ts']);
    expect(graph.modules).toContain('render/compose.ts');
    expect(reachedForbidden(graph, NOT_FOR_RENDERING)).toEqual([]);
  });

  it('the model subpath reaches only the model and the foundation', async () => {
    const graph = await readImportGraph(join(CORE, 'src'), ['layers/model.ts']);
    const tops = [...new Set(graph.modules.map((m) => m.split('/')[0]!))].sort();
    expect(tops).toEqual(['exit-codes.ts', 'graph', 'layers', 'model', 'net', 'schema', 'setup-error.ts', 'shell']);
  });

  it('the same check reports a renderer that pulls in the runner (fixture)', async () => {
    const dir = fixtureTree({
      'layers/render.ts': "export * from '../render/compose.ts';\n",
      'render/compose.ts': "import { runTool } from '../deploy/run-tool.ts';\nexport const composeFile = runTool;\n",
      'deploy/run-tool.ts': "import { execa } from 'execa';\nexport const runTool = execa;\n",
    });
    expect(reachedForbidden(await readImportGraph(dir, ['layers/render.ts']), NOT_FOR_RENDERING)).toEqual(['deploy/run-tool.ts', 'execa']);
  });
});
