import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureTree, removeFixtureTrees } from './fixture-tree.ts';
import { layerViolations, readImportGraph } from './import-graph.ts';
import { ENTRIES, LAYERS } from './layers.ts';

const CORE_SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

afterAll(removeFixtureTrees);


describe('the import flow of libs/core/src', () => {
  it('has no import cycle, type-only imports included', async () => {
    const graph = await readImportGraph(CORE_SRC);
    expect(graph.modules.length).toBeGreaterThan(100);
    expect(graph.cycles).toEqual([]);
  });

  it('imports only along the layer order, and every module is in a layer', async () => {
    expect(layerViolations(await readImportGraph(CORE_SRC), LAYERS, ENTRIES)).toEqual([]);
  });
});

describe('the same check on a fixture', () => {
  it('reports a cycle, type-only or not, and the import against the order that closes it', async () => {
    const dir = fixtureTree({
      'model/site.ts': "import type { Rule } from '../policy/rule.ts';\nexport type Site = { rules: Rule[] };\n",
      'policy/rule.ts': "import type { Site } from '../model/site.ts';\nexport type Rule = (site: Site) => void;\n",
    });
    const graph = await readImportGraph(dir);
    expect(graph.cycles).toEqual(['model/site.ts > policy/rule.ts > model/site.ts']);
    expect(layerViolations(graph, LAYERS, ENTRIES)).toEqual([
      'model/site.ts (model) imports policy/rule.ts (policy): policy comes after model in the flow',
    ]);
  });

  it('finds nothing in a tree that imports downwards only', async () => {
    const dir = fixtureTree({
      'model/site.ts': 'export type Site = { name: string };\n',
      'policy/rule.ts': "import type { Site } from '../model/site.ts';\nexport type Rule = (site: Site) => void;\n",
      'index.ts': "export * from './policy/rule.ts';\n",
    });
    const graph = await readImportGraph(dir);
    expect(graph.cycles).toEqual([]);
    expect(layerViolations(graph, LAYERS, ENTRIES)).toEqual([]);
  });

  it('reports a module outside every layer and a layer importing an entry', async () => {
    const dir = fixtureTree({
      'index.ts': "export * from './model/site.ts';\n",
      'model/site.ts': "import { helper } from '../misc/helper.ts';\nexport const site = helper;\n",
      'misc/helper.ts': 'export const helper = 1;\n',
      'policy/rule.ts': "import { site } from '../index.ts';\nexport const rule = site;\n",
    });
    expect(layerViolations(await readImportGraph(dir), LAYERS, ENTRIES)).toEqual([
      'misc/helper.ts is in no layer: add its top directory to a layer in libs/core/test/flow/layers.ts',
      'policy/rule.ts imports the entry index.ts: import the module itself, entries only re-export',
    ]);
  });
});
