import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CORE_SRC, currentFlowDoc, FLOW_DOC, readSubpaths, renderFlowDoc } from './flow-doc.ts';
import { fixtureTree, removeFixtureTrees } from './fixture-tree.ts';
import { layerEdges, readImportGraph } from './import-graph.ts';
import { LAYERS } from './layers.ts';

afterAll(removeFixtureTrees);

describe('docs/flow.md', () => {
  it('is the picture of the real import graph (run `npm run docs:flow` after moving imports)', async () => {
    expect(readFileSync(FLOW_DOC, 'utf8')).toBe(await currentFlowDoc());
  });

  it('draws an import a fixture tree adds, so a stale picture differs', async () => {
    const dir = fixtureTree({
      'model/site.ts': "import type { Rule } from '../policy/rule.ts';\nexport type Site = { rules: Rule[] };\n",
      'policy/rule.ts': 'export type Rule = () => void;\n',
    });
    const edges = layerEdges(await readImportGraph(dir), LAYERS);
    expect(edges).toEqual([['model', 'policy']]);
    const doc = renderFlowDoc(LAYERS, edges, readSubpaths(CORE_SRC));
    expect(doc).toContain('  model --> policy\n');
    expect(doc).not.toBe(readFileSync(FLOW_DOC, 'utf8'));
  });
});
