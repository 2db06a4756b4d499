import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_SRC, currentFlowDoc, FLOW_DOC, readSubpaths, renderFlowDoc } from './flow-doc.ts';
import { layerEdges, readImportGraph } from './import-graph.ts';
import { LAYERS } from './layers.ts';

describe('docs/flow.md', () => {
  it('is the picture of the real import graph (run `npm run docs:flow` after moving imports)', async () => {
    expect(readFileSync(FLOW_DOC, 'utf8')).toBe(await currentFlowDoc());
  });

  it('draws an import a fixture tree adds, so a stale picture differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'core-flow-doc-'));
    try {
      const files = {
        'model/site.ts': "import type { Rule } from '../policy/rule.ts';\nexport type Site = { rules: Rule[] };\n",
        'policy/rule.ts': 'export type Rule = () => void;\n',
      };
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      const edges = layerEdges(await readImportGraph(dir), LAYERS);
      expect(edges).toEqual([['model', 'policy']]);
      const doc = renderFlowDoc(LAYERS, edges, readSubpaths(CORE_SRC));
      expect(doc).toContain('  model --> policy\n');
      expect(doc).not.toBe(readFileSync(FLOW_DOC, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
