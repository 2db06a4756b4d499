import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureTree, removeFixtureTrees } from './fixture-tree.ts';
import { packageName, readImportGraph, undeclaredPackages } from './import-graph.ts';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = JSON.parse(readFileSync(join(CORE, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };

afterAll(removeFixtureTrees);


describe('libs/core/package.json', () => {
  it('declares every npm package libs/core/src imports', async () => {
    expect(undeclaredPackages(await readImportGraph(join(CORE, 'src')), manifest)).toEqual([]);
  });

  it('declares no package libs/core/src does not import', async () => {
    const imported = new Set((await readImportGraph(join(CORE, 'src'))).packages.map((p) => p.name));
    const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
    expect(declared.filter((name) => !imported.has(name))).toEqual([]);
  });
});

describe('the same check on a fixture', () => {
  const files = {
    'src/index.ts': "import { parse } from 'yaml';\nimport type { Tags } from 'yaml/util';\nimport { readFileSync } from 'node:fs';\nimport { z } from 'zod';\nexport const read = (p: string): unknown => parse(readFileSync(p, 'utf8'));\nexport type T = Tags;\nexport const s = z.string();\n",
    'src/nx.ts': "import { createProjectGraphAsync } from '@nx/devkit';\nexport const graph = createProjectGraphAsync;\n",
  };

  it('names a bare import, type-only or scoped, that package.json does not declare, and the file importing it', async () => {
    const graph = await readImportGraph(fixtureTree(files), ['src']);
    expect(undeclaredPackages(graph, { dependencies: { yaml: '2.9.1' } })).toEqual([
      '@nx/devkit (imported by src/nx.ts) is not in the package.json dependencies',
      'zod (imported by src/index.ts) is not in the package.json dependencies',
    ]);
  });

  it('passes when each is a dependency or a peer dependency; node builtins need none', async () => {
    const graph = await readImportGraph(fixtureTree(files), ['src']);
    expect(undeclaredPackages(graph, { dependencies: { yaml: '2.9.1', zod: '4.6.7' }, peerDependencies: { '@nx/devkit': '23.3.1' } })).toEqual([]);
  });

  it('reads a package name from a deep import', () => {
    expect(['@nx/devkit/testing', 'ajv/dist/2020.js', 'yaml'].map(packageName)).toEqual(['@nx/devkit', 'ajv', 'yaml']);
  });
});
