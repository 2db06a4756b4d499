/**
 * The plugin's edges are kept between Nx runs while the files the model reads are unchanged
 * (model-edges-cache.ts). Checked with a counting builder over a file map of Nx's shape: what
 * must rebuild does, what must not does not.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileMap } from '@nx/devkit';
import type { ModelEdges } from '../../src/nx/model-edges.ts';
import { cachedModelEdges, isModelInput, MODEL_EDGES_FILE, modelInputsDigest, workspaceDataDir } from '../../src/nx/model-edges-cache.ts';

let root: string;
let builds: number;
let edges: ModelEdges;
const build = (): ModelEdges => { builds++; return edges; };

/** A file map of Nx's shape: service projects, core and the site, a tool, and root files. */
function fileMap(changes: Record<string, string> = {}): FileMap {
  const files: Record<string, string> = {
    'packages/arr/src/index.ts': 'a1',
    'packages/arr/package.json': 'a2',
    'packages/arr/test/arr.test.ts': 'a3',
    'packages/arr/README.md': 'a4',
    'libs/core/src/model/observers.ts': 'c1',
    'libs/core/test/x.test.ts': 'c2',
    'libs/site/src/index.ts': 's1',
    'tools/homelab/src/nx/read-model-edges.ts': 't1',
    'tools/homelab/src/commands/context.ts': 't2',
    'tools/homelab/src/commands/deploy.ts': 't3',
    'docs/deploy.md': 'd1',
    'package-lock.json': 'l1',
    ...changes,
  };
  const roots: Record<string, string> = { '@homelab/arr': 'packages/arr/', '@homelab/core': 'libs/core/', '@homelab/site': 'libs/site/', '@homelab/tools': 'tools/homelab/' };
  const entries = Object.entries(files).map(([file, hash]) => ({ file, hash }));
  return {
    projectFileMap: Object.fromEntries(Object.entries(roots).map(([name, prefix]) => [name, entries.filter((e) => e.file.startsWith(prefix))])),
    nonProjectFiles: entries.filter((e) => !Object.values(roots).some((prefix) => e.file.startsWith(prefix))),
  };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homelab-edges-cache-'));
  builds = 0;
  edges = { edges: [{ dir: 'packages/arr', service: 'arr', dependsOn: ['traefik'] }], failures: [] };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the model edges kept between Nx runs', () => {
  it('built once, then read back while the file map is the same; stored in Nx\'s workspace data', () => {
    expect(cachedModelEdges(root, fileMap(), build, { env: {} })).toEqual(edges);
    expect(builds).toBe(1);
    const file = join(root, '.nx', 'workspace-data', MODEL_EDGES_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ model: edges });
    edges = { edges: [], failures: ['changed, but the inputs did not'] };
    expect(cachedModelEdges(root, fileMap(), build, { env: {} }).edges).toEqual([{ dir: 'packages/arr', service: 'arr', dependsOn: ['traefik'] }]);
    expect(builds).toBe(1);
  });

  it.each([
    ['a service\'s source', 'packages/arr/src/index.ts'],
    ['a service\'s package.json', 'packages/arr/package.json'],
    ['core', 'libs/core/src/model/observers.ts'],
    ['the site', 'libs/site/src/index.ts'],
    ['the edge reader', 'tools/homelab/src/nx/read-model-edges.ts'],
    ['the site loader', 'tools/homelab/src/commands/context.ts'],
    ['the lock file', 'package-lock.json'],
  ])('rebuilt when %s changes', (_what, file) => {
    cachedModelEdges(root, fileMap(), build, { env: {} });
    cachedModelEdges(root, fileMap({ [file]: 'changed' }), build, { env: {} });
    expect(builds).toBe(2);
  });

  it('rebuilt when a service package appears', () => {
    cachedModelEdges(root, fileMap(), build, { env: {} });
    cachedModelEdges(root, fileMap({ 'packages/fresh/src/index.ts': 'f1' }), build, { env: {} });
    expect(builds).toBe(2);
  });

  it.each([
    ['a package\'s test', 'packages/arr/test/arr.test.ts'],
    ['a package\'s README', 'packages/arr/README.md'],
    ['core\'s tests', 'libs/core/test/x.test.ts'],
    ['a command the model does not use', 'tools/homelab/src/commands/deploy.ts'],
    ['a doc', 'docs/deploy.md'],
  ])('kept when %s changes', (_what, file) => {
    cachedModelEdges(root, fileMap(), build, { env: {} });
    cachedModelEdges(root, fileMap({ [file]: 'changed' }), build, { env: {} });
    expect(builds).toBe(1);
  });

  it('the digest covers exactly the model inputs, in any order', () => {
    expect(isModelInput('packages/arr/src/lib/x.ts')).toBe(true);
    expect(isModelInput('packages/arr/smoke/x.ts')).toBe(false);
    const map = fileMap();
    const reversed: FileMap = { projectFileMap: Object.fromEntries(Object.entries(map.projectFileMap).reverse().map(([k, v]) => [k, [...v].reverse()])), nonProjectFiles: map.nonProjectFiles };
    expect(modelInputsDigest(reversed)).toBe(modelInputsDigest(map));
  });

  it('built every time when HOMELAB_SITE names the site (it may be outside the workspace, where Nx hashes nothing)', () => {
    cachedModelEdges(root, fileMap(), build, { env: { HOMELAB_SITE: '/elsewhere/site.ts' } });
    cachedModelEdges(root, fileMap(), build, { env: { HOMELAB_SITE: '/elsewhere/site.ts' } });
    expect(builds).toBe(2);
  });

  it('an unreadable or foreign file is rebuilt over, not an error', () => {
    const dir = join(root, '.nx', 'workspace-data');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MODEL_EDGES_FILE), '{ not json');
    expect(cachedModelEdges(root, fileMap(), build, { env: {} })).toEqual(edges);
    writeFileSync(join(dir, MODEL_EDGES_FILE), JSON.stringify({ format: 999, digest: modelInputsDigest(fileMap()), model: { edges: [], failures: [] } }));
    expect(cachedModelEdges(root, fileMap(), build, { env: {} })).toEqual(edges);
    expect(builds).toBe(2);
  });

  it('follows NX_WORKSPACE_DATA_DIRECTORY, relative to the workspace or absolute', () => {
    expect(workspaceDataDir(root, {})).toBe(join(root, '.nx', 'workspace-data'));
    expect(workspaceDataDir(root, { NX_WORKSPACE_DATA_DIRECTORY: 'data' })).toBe(join(root, 'data'));
    expect(workspaceDataDir(root, { NX_WORKSPACE_DATA_DIRECTORY: '/abs/data' })).toBe('/abs/data');
    cachedModelEdges(root, fileMap(), build, { env: { NX_WORKSPACE_DATA_DIRECTORY: 'data' } });
    expect(JSON.parse(readFileSync(join(root, 'data', MODEL_EDGES_FILE), 'utf8'))).toMatchObject({ model: edges });
  });
});
