import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { logger, readJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import {
  createServiceGenerator,
  LAYERS,
  SERVICE_KINDS,
  SERVICE_NAME_PATTERN,
  SERVICE_TIERS,
  ServiceGeneratorError,
  type ServiceGeneratorSchema,
} from '../../src/generators/service/generator.ts';
import type { SiteFacts } from '../../src/generators/service/site-facts.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCHEMA_PATH = fileURLToPath(new URL('../../src/generators/service/schema.json', import.meta.url));

let tree: Tree;

/** A made-up site: its own groups, two nodes, an address plan in libs/site/src/address-plan.ts. */
const FACTS: SiteFacts = {
  groups: ['core', 'apps', 'special', 'kubernetes', 'media'],
  nodes: ['n1', 'n2'],
  cidr: '10.20.0.0/24',
  addressPlan: { traefik: { node: 'n1', vmid: 100, ip: '10.20.0.20' }, authentik: { node: 'n1', vmid: 101, ip: '10.20.0.21' } },
  reserved: ['10.20.0.1', '10.20.0.11', '10.20.0.12'],
  reservedRanges: [],
  kinds: { traefik: 'lxc', authentik: 'lxc' },
  siteDir: 'libs/site/src',
};
const PLAN_SOURCE = "export const PLAN = {\n  traefik: { node: 'n1', vmid: 100, ip: '10.20.0.20' },\n  authentik: { node: 'n1', vmid: 101, ip: '10.20.0.21' },\n};\n";
const serviceGenerator = createServiceGenerator(() => FACTS);

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  writeJson(tree, 'libs/core/package.json', { name: '@homelab/core', version: '0.1.0' });
  writeJson(tree, 'libs/site/package.json', { name: '@homelab/site', version: '0.1.0' });
  writeJson(tree, 'tools/homelab/package.json', { name: '@homelab/tools', version: '0.1.0' });
  tree.write('libs/site/src/address-plan.ts', PLAN_SOURCE);
  for (const svc of ['traefik', 'authentik']) {
    writeJson(tree, `packages/${svc}/package.json`, { name: `@homelab/${svc}`, version: '0.1.0', homelab: { group: 'core', layer: 'platform' } });
    tree.write(`packages/${svc}/src/index.ts`, 'export default {};\n');
  }
});

async function generate(options: Partial<ServiceGeneratorSchema> = {}): Promise<Awaited<ReturnType<typeof serviceGenerator>>> {
  return serviceGenerator(tree, { name: 'foo', kind: 'lxc', group: 'apps', skipInstall: true, ...options });
}

function read(path: string): string {
  const content = tree.read(path, 'utf-8');
  if (content === null) throw new Error(`${path} was not generated`);
  return content;
}

/** Type-checks generated sources as if they were in the repo, with the real @homelab/core. */
function typeCheck(files: Readonly<Record<string, string>>): string[] {
  const base = join(REPO_ROOT, 'tools/homelab/test/nx/.virtual');
  const virtual = new Map(Object.entries(files).map(([path, content]) => [join(base, path), content]));
  const config = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.base.json'), (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  const virtualDirs = new Set([...virtual.keys()].flatMap((f) => f.slice(base.length).split('/').slice(1, -1).map((_, i, parts) => join(base, ...parts.slice(0, i + 1)))));
  const directoryExists = host.directoryExists?.bind(host) ?? ts.sys.directoryExists;
  host.directoryExists = (d) => d === base || virtualDirs.has(d) || directoryExists(d);
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, lang, ...rest) : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram([...virtual.keys()], { ...options, noEmit: true }, host);
  // Only the generated files' own diagnostics: libs/core may be mid-edit, and its errors are
  // the root typecheck's to report, not this test's.
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || virtual.has(d.file.fileName))
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('service generator: the files', () => {
  it('writes the standard shape under packages/<name>/', async () => {
    await generate();
    expect(tree.listChanges().map((c) => c.path).filter((p) => p.startsWith('packages/foo/')).sort()).toEqual([
      'packages/foo/CHANGELOG.md',
      'packages/foo/README.md',
      'packages/foo/package.json',
      'packages/foo/smoke/foo.smoke.ts',
      'packages/foo/src/index.ts',
      'packages/foo/test/foo.test.ts',
      'packages/foo/tsconfig.json',
    ]);
  });

  it('package.json: private @homelab/<name> 0.1.0 exporting its TS source, with group, layer and core/site', async () => {
    await generate({ description: 'A thing that does foo' });
    expect(readJson(tree, 'packages/foo/package.json')).toEqual({
      name: '@homelab/foo',
      version: '0.1.0',
      private: true,
      description: 'A thing that does foo',
      type: 'module',
      exports: { '.': './src/index.ts' },
      homelab: { group: 'apps', layer: 'apps' },
      dependencies: { '@homelab/core': '*', '@homelab/site': '*' },
    });
  });

  it('src/index.ts: a defineService stub with name, description, kind, tier, group, resources and routes', async () => {
    await generate({ cores: 2, memoryMiB: 2048, diskGiB: 16, tier: 'low' });
    const src = read('packages/foo/src/index.ts');
    expect(src).toContain("import { defineService } from '@homelab/core/model';");
    expect(src).toContain('export default defineService({');
    expect(src).toContain("  name: 'foo',\n  description: 'TODO: what foo does, in one line.',\n  kind: 'lxc',\n  tier: 'low',\n  group: 'apps',\n");
    expect(src).toContain("  resources: {\n    cores: 2,\n    memoryMiB: 2048,\n    disks: [{ storage: 'local', sizeGiB: 16 }],\n  },\n");
    expect(src).toContain('  routes: [],\n});');
    expect(src).not.toContain('dependsOn');
  });

  it('a service without a guest of its own (external, none) gets no resources', async () => {
    await generate({ name: 'pi-board', kind: 'external', group: 'special' });
    const src = read('packages/pi-board/src/index.ts');
    expect(src).toContain("kind: 'external'");
    expect(src).not.toContain('resources');
  });

  it('dependsOn goes to both package.json and defineService, sorted and without duplicates', async () => {
    await generate({ dependsOn: ['traefik,authentik', '@homelab/traefik'] });
    expect(readJson(tree, 'packages/foo/package.json').dependencies).toEqual({
      '@homelab/authentik': '*', '@homelab/core': '*', '@homelab/site': '*', '@homelab/traefik': '*',
    });
    expect(read('packages/foo/src/index.ts')).toContain("  dependsOn: ['authentik', 'traefik'],\n");
    expect(read('packages/foo/README.md')).toContain('| depends on | `authentik`, `traefik` |');
  });

  it('tests, smoke tests, CHANGELOG.md (changesets), README.md and tsconfig.json', async () => {
    await generate();
    const test = read('packages/foo/test/foo.test.ts');
    expect(test).toContain("import service from '../src/index.ts';");
    expect(test).toContain('expect(parseService(service, out)).toBe(true);');
    expect(test).toContain("expect(service).toMatchObject({ name: 'foo', kind: 'lxc', tier: 'normal', group: 'apps' });");
    const smoke = read('packages/foo/smoke/foo.smoke.ts');
    expect(smoke).toContain("import { describeSmoke } from '@homelab/core/smoke-table';");
    expect(smoke).toContain("describeSmoke('foo', [\n  ...(service ? serviceSmokeRows(home, service) : []),\n]);");
    expect(read('packages/foo/CHANGELOG.md')).toBe('# @homelab/foo\n\n## 0.1.0\n\n- Scaffolded with `nx g @homelab/tools:service`.\n');
    expect(read('packages/foo/README.md')).toMatch(/^# @homelab\/foo\n/);
    expect(read('packages/foo/README.md')).toContain('npx nx run @homelab/foo:deploy');
    expect(readJson(tree, 'packages/foo/tsconfig.json')).toEqual({
      extends: '../../tsconfig.base.json', include: ['src/**/*.ts', 'test/**/*.ts', 'smoke/**/*.ts'],
    });
  });

  it.each([
    ['core', 'platform', 'the layer its packages have'], ['media', 'apps', 'apps: no package of the group says'],
  ])('group %s defaults to layer %s (%s)', async (group, layer) => {
    await generate({ group });
    expect(readJson(tree, 'packages/foo/package.json').homelab).toEqual({ group, layer });
  });

  it('an explicit layer wins over the group\'s', async () => {
    await generate({ group: 'media', layer: 'platform' });
    expect(readJson(tree, 'packages/foo/package.json').homelab).toEqual({ group: 'media', layer: 'platform' });
  });

  it('the generated sources type-check against the real @homelab/core, quotes in the description included', async () => {
    await generate({ name: 'foo', description: "Bob's \"foo\" \\ service", dependsOn: ['traefik'] });
    await generate({ name: 'pi-board', kind: 'external', group: 'special' });
    await generate({ name: 'big-vm', kind: 'vm', group: 'kubernetes', tier: 'critical', cores: 4, memoryMiB: 8192, diskGiB: 64 });
    const files: Record<string, string> = {};
    for (const name of ['foo', 'pi-board', 'big-vm']) {
      for (const rel of ['src/index.ts', `test/${name}.test.ts`, `smoke/${name}.smoke.ts`]) {
        files[`${name}/${rel}`] = read(`packages/${name}/${rel}`);
      }
    }
    // One program (building it is the slow part): a deliberately wrong file proves the check is
    // not vacuous, and it must be the only one with errors.
    files['bad/src/index.ts'] = "import { defineService } from '@homelab/core';\nexport default defineService({ name: 'bad', kind: 'teapot' });\n";
    const errors = typeCheck(files);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((e) => !e.includes('/.virtual/bad/'))).toEqual([]);
    expect(errors.join('\n')).toMatch(/teapot/);
    expect(read('packages/foo/src/index.ts')).toContain(`description: 'Bob\\'s "foo" \\\\ service',`);
  }, 180_000);

  it('returns an install task (npm install links the package and updates the lock) unless skipInstall', async () => {
    expect(await generate({ skipInstall: true })).toBeUndefined();
    expect(typeof (await generate({ name: 'bar', skipInstall: false }))).toBe('function');
  });
});

describe('service generator: refused options', () => {
  it('rejects an invalid name with a clear message and writes nothing', async () => {
    const before = tree.listChanges().length;
    await expect(generate({ name: 'Foo_Bar' })).rejects.toThrow(
      'Cannot generate service "Foo_Bar": 1 problem\n  - name: InvalidServiceName: "Foo_Bar" is not a valid service name. ' +
        'Use lowercase letters, digits and single hyphens, starting with a letter (e.g. "foo-bar")',
    );
    expect(tree.listChanges().length).toBe(before);
    expect(tree.exists('packages/Foo_Bar')).toBe(false);
  });

  it.each([
    ['InvalidServiceName', { name: 'Foo_Bar' }, 'name'],
    ['InvalidServiceName', { name: '1password' }, 'name'],
    ['InvalidServiceName', { name: 'foo--bar' }, 'name'],
    ['InvalidServiceName', { name: 'foo-' }, 'name'],
    ['InvalidServiceName', { name: '' }, 'name'],
    ['InvalidServiceName', { name: '@homelab/foo' }, 'name'],
    ['ServiceNameTooLong', { name: `a${'b'.repeat(63)}` }, 'name'],
    ['ServiceExists', { name: 'traefik' }, 'name'],
    ['PackageNameTaken', { name: 'core' }, 'name'],
    ['PackageNameTaken', { name: 'tools' }, 'name'],
    ['InvalidKind', { kind: 'container' }, 'kind'],
    ['InvalidGroup', { group: 'misc' }, 'group'],
    ['InvalidTier', { tier: 'urgent' }, 'tier'],
    ['InvalidLayer', { layer: 'metal' }, 'layer'],
    ['InvalidResource', { cores: 0 }, 'cores'],
    ['InvalidResource', { memoryMiB: 1.5 }, 'memoryMiB'],
    ['UnknownService', { dependsOn: ['nope'] }, 'dependsOn[0]'],
    ['DependsOnItself', { dependsOn: ['foo'] }, 'dependsOn[0]'],
  ] as const)('%s: %j', async (code, options, option) => {
    const error = await generate(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceGeneratorError);
    expect((error as ServiceGeneratorError).problems.map((p) => [p.option, p.code])).toEqual([[option, code]]);
    expect((error as Error).message).toContain(`  - ${option}: ${code}: `);
  });

  it('refuses an existing package, naming it', async () => {
    await expect(generate({ name: 'traefik' })).rejects.toThrow('name: ServiceExists: packages/traefik already exists. Pick another name, or edit the existing package.');
    expect(read('packages/traefik/src/index.ts')).toBe('export default {};\n');
  });

  it('refuses a second run over its own output', async () => {
    await generate();
    await expect(generate()).rejects.toThrow('packages/foo already exists');
  });

  it('reports every problem at once', async () => {
    const error = (await generate({ name: 'Bad Name', kind: 'ct', group: 'misc', tier: 'x', cores: -1 }).catch((e: unknown) => e)) as ServiceGeneratorError;
    expect(error.problems.map((p) => p.code)).toEqual(['InvalidServiceName', 'InvalidKind', 'InvalidGroup', 'InvalidTier', 'InvalidResource']);
    expect(error.message).toMatch(/^Cannot generate service "Bad Name": 5 problems\n/);
  });
});

describe('service generator: schema.json', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
    properties: Record<string, { enum?: string[]; pattern?: string; default?: unknown }>;
    required: string[];
  };

  it('declares the same choices the generator checks (one list each, no drift)', () => {
    expect(schema.properties['kind']?.enum).toEqual([...SERVICE_KINDS]);
    // The groups are the site's: no list in the schema to drift from it.
    expect(schema.properties['group']?.enum).toBeUndefined();
    expect(schema.properties['tier']?.enum).toEqual([...SERVICE_TIERS]);
    expect(schema.properties['layer']?.enum).toEqual([...LAYERS]);
    // No `pattern` on name: Nx would reject a bad name with its generic schema message before
    // the generator could say what a service name must be (the description says it).
    expect(schema.properties['name']?.pattern).toBeUndefined();
    expect(SERVICE_NAME_PATTERN.test('recipe-site')).toBe(true);
    expect(schema.required).toEqual(['name', 'group']);
  });

  it('is registered in generators.json and package.json', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'tools/homelab/package.json'), 'utf8')) as { generators?: string; exports?: Record<string, string> };
    expect(pkg.generators).toBe('./generators.json');
    // Nx resolves `@homelab/tools/package.json` to find the collection; `exports` must allow it.
    expect(pkg.exports?.['./package.json']).toBe('./package.json');
    const collection = JSON.parse(readFileSync(join(REPO_ROOT, 'tools/homelab/generators.json'), 'utf8')) as { generators: Record<string, { factory: string; schema: string }> };
    expect(collection.generators['service']).toMatchObject({ factory: './src/generators/service/generator.ts', schema: './src/generators/service/schema.json' });
  });
});
