import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDependency, type CreateDependenciesContext, type RawProjectGraphDependency } from '@nx/devkit';
import { createDependencies, createDependenciesFrom } from '../../src/nx/plugin.ts';
import { readModelEdges } from '../../src/nx/read-model-edges.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const testSite = join(repo, 'libs/core/test/fixtures/test-site.ts');

/** Every file under `dir` (workspace-relative, node_modules left out) with the hash of its content, as Nx's file map has them. */
function hashedFiles(root: string, dir: string): { file: string; hash: string }[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : hashedFiles(root, rel);
    return [{ file: rel, hash: createHash('sha1').update(readFileSync(join(root, rel))).digest('hex') }];
  });
}

/**
 * The context Nx gives createDependencies: a project per service package, keyed by package
 * name, and the file map with the hash of each file's content (the plugin keeps the edges
 * while the hashes of the files the model reads are unchanged).
 */
function contextOf(root: string): CreateDependenciesContext {
  const dirs = readdirSync(join(root, 'packages')).filter((d) => readdirSync(join(root, 'packages', d)).includes('package.json'));
  const projects = Object.fromEntries(dirs.map((d) => {
    const name = (JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) as { name: string }).name;
    return [name, { root: `packages/${d}` }];
  }));
  const projectFileMap = Object.fromEntries(Object.entries(projects).map(([name, p]) => [name, hashedFiles(root, p.root)]));
  const nonProjectFiles = [...hashedFiles(root, 'libs'), ...hashedFiles(root, 'tools/homelab/src')];
  return {
    workspaceRoot: root, projects, externalNodes: {}, nxJsonConfiguration: {},
    fileMap: { projectFileMap, nonProjectFiles }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
  };
}

const targetsOf = (deps: readonly RawProjectGraphDependency[], source: string) => deps.filter((d) => d.source === source).map((d) => d.target).sort();

/** Everything `nx affected` marks when `changed` changes: it and its dependents, transitively. */
function affected(deps: readonly RawProjectGraphDependency[], changed: string): string[] {
  const out = new Set([changed]);
  for (let grew = true; grew;) {
    grew = false;
    for (const d of deps) if (out.has(d.target) && !out.has(d.source)) { out.add(d.source); grew = true; }
  }
  return [...out].sort();
}

describe('Nx plugin: dependencies from the model, on this workspace', () => {
  it('monitoring depends on every service it observes, though its package.json lists none of them', async () => {
    const ctx = contextOf(repo);
    const deps = await createDependencies(undefined, ctx);
    for (const d of deps) expect(() => validateDependency(d, ctx), `${d.source} → ${d.target}`).not.toThrow();
    const { edges } = await readModelEdges(repo);
    const observes = edges.find((e) => e.service === 'monitoring')!.dependsOn;
    expect(observes).toContain('traefik');
    expect(observes).not.toContain('alertmind');
    expect(targetsOf(deps, '@homelab/monitoring')).toEqual(observes.map((s) => `@homelab/${s}`).sort());
    const listed = Object.keys((JSON.parse(readFileSync(join(repo, 'packages/monitoring/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    expect(listed).toEqual(['@homelab/core']);
    // AlertMind receives monitoring's alerts: the edge goes from it to monitoring, never back.
    expect(targetsOf(deps, '@homelab/alertmind')).toContain('@homelab/monitoring');
  }, 60_000);

  it('every guest stack depends on proxmox, which creates its token (a model edge, no package.json line); stacks without guests do not', async () => {
    const ctx = contextOf(repo);
    const deps = await createDependencies(undefined, ctx);
    for (const svc of ['traefik', 'wireguard', 'pxe', 'pwnagotchi', 'openclaw', 'libby-alert', 'talos']) expect(targetsOf(deps, `@homelab/${svc}`), svc).toContain('@homelab/proxmox');
    expect(targetsOf(deps, '@homelab/dns')).not.toContain('@homelab/proxmox');
    expect(targetsOf(deps, '@homelab/proxmox')).toEqual([]);
    const listed = Object.keys((JSON.parse(readFileSync(join(repo, 'packages/traefik/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    expect(listed).not.toContain('@homelab/proxmox');
  }, 60_000);
});

describe('Nx plugin: dependencies from the model, on a fixture workspace', () => {
  let root: string;
  const write = (rel: string, content: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  const service = (name: string, definition: Record<string, unknown>) => {
    write(`packages/${name}/package.json`, JSON.stringify({ name: `@fx/${name}`, version: '0.1.0' }));
    write(`packages/${name}/src/index.ts`, `export default ${JSON.stringify(definition)};\n`);
  };
  const lxc = { kind: 'lxc', tier: 'normal', group: 'apps', resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'homelab-nx-deps-'));
    write('package.json', JSON.stringify({ name: 'fixture-homelab', private: true, type: 'module' }));
    write('libs/site/src/index.ts', [
      `import { testSite } from ${JSON.stringify(testSite)};`,
      'export default { ...testSite, addressPlan: { ...testSite.addressPlan, watch: { node: \'n1\', vmid: 110, ip: \'10.20.0.30\' }, fresh: { node: \'n2\', vmid: 111, ip: \'10.20.0.31\' } } };',
      '',
    ].join('\n'));
    service('proxy', { ...lxc, name: 'proxy', description: 'proxy', routes: [{ host: 'proxy', port: 8080, auth: 'none', admin: false, public: true }] });
    service('app', { ...lxc, name: 'app', description: 'app', dependsOn: ['proxy'], routes: [{ host: 'app', port: 3000, auth: 'none', admin: false, public: true }] });
    service('watch', { ...lxc, name: 'watch', description: 'monitoring', observer: true });
    // The new service: a metrics endpoint, so watched; nothing else names it.
    service('fresh', { ...lxc, name: 'fresh', description: 'new', dependsOn: ['proxy'], metrics: [{ name: 'fresh', port: 9100 }] });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('adds declared and observed edges; a new service marks only itself and its observer affected', async () => {
    const deps = await createDependencies(undefined, contextOf(root));
    expect(deps.map((d) => `${d.source} → ${d.target}`)).toEqual([
      '@fx/app → @fx/proxy', '@fx/fresh → @fx/proxy', '@fx/watch → @fx/app', '@fx/watch → @fx/fresh', '@fx/watch → @fx/proxy',
    ]);
    expect(deps.every((d) => 'sourceFile' in d && d.sourceFile === `${join('packages', d.source.slice(4))}/src/index.ts`)).toBe(true);
    expect(affected(deps, '@fx/fresh')).toEqual(['@fx/fresh', '@fx/watch']);
  }, 60_000);

  it('a package that does not load is named, and the others keep their edges', async () => {
    write('packages/broken/package.json', JSON.stringify({ name: '@fx/broken', version: '0.1.0' }));
    write('packages/broken/src/index.ts', 'throw new Error(\'boom\');\n');
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const deps = await createDependencies(undefined, contextOf(root));
      expect(targetsOf(deps, '@fx/watch')).toEqual(['@fx/app', '@fx/fresh', '@fx/proxy']);
    } finally {
      console.warn = warn;
      rmSync(join(root, 'packages/broken'), { recursive: true });
    }
    expect(warnings).toEqual([expect.stringMatching(/^homelab Nx plugin: packages\/broken: .*boom.*; its dependencies are missing from the graph until it loads$/)]);
  }, 60_000);

  it('a model that cannot be built fails the graph with the cause and where to look', () => {
    const failing = createDependenciesFrom(() => {
      throw Object.assign(new Error('Command failed'), { stderr: '/repo/context.ts:36\n    throw new SiteModuleError(...)\n\nSiteModuleError: libs/site: the site module does not load: SyntaxError\n    at loadSite (/repo/context.ts:36:11)\n' });
    });
    expect(() => failing(undefined, contextOf(root))).toThrow(/^homelab Nx plugin: cannot build the model for the service dependencies: SiteModuleError: libs\/site: the site module does not load: SyntaxError\nFix the site or package it names/);
  });
});
