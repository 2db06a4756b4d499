import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyType, type CreateNodesContext, type CreateNodesResult, type TargetConfiguration } from '@nx/devkit';
import { STATIC } from '../../src/nx/model-dependencies.ts';
import { createNodes, createNodesV2, serviceTags, SERVICE_PACKAGE_GLOB } from '../../src/nx/plugin.ts';
import { SCHEMAS_DIR_ENV as CORE_SCHEMAS_DIR_ENV } from '@homelab/core';
import { checkPluginOptions } from '../../src/nx/plugin.ts';
import { dirDigestCommand, SCHEMAS_DIR_ENV, schemasOverrideDigestCommand, synthInputs } from '../../src/nx/targets.ts';

let root: string;

function write(rel: string, content: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

function context(namedInputs: Record<string, string[]> = {}): CreateNodesContext {
  return { workspaceRoot: root, nxJsonConfiguration: { namedInputs } };
}

async function run(files: string[], ctx = context(), options?: Record<string, unknown>): Promise<Map<string, CreateNodesResult>> {
  const [, fn] = createNodesV2;
  const results = await fn(files, options, ctx);
  return new Map(results.map(([file, result]) => [file, result]));
}

async function targetsOf(service: string, ctx = context()): Promise<Record<string, TargetConfiguration>> {
  const results = await run([`packages/${service}/package.json`], ctx);
  const project = results.get(`packages/${service}/package.json`)?.projects?.[`packages/${service}`];
  if (!project?.targets) throw new Error(`no targets for ${service}`);
  return project.targets;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'homelab-nx-plugin-'));
  write('packages/traefik/package.json', JSON.stringify({ name: '@homelab/traefik', version: '0.1.0', homelab: { group: 'core', layer: 'platform' } }));
  write('packages/traefik/src/index.ts', 'export default {};\n');
  write('packages/authentik/package.json', JSON.stringify({ name: '@homelab/authentik', version: '0.1.0' }));
  write('packages/authentik/src/index.ts', 'export default {};\n');
  write('packages/authentik/tsconfig.json', '{}');
  write('packages/not-a-service/package.json', JSON.stringify({ name: '@homelab/not-a-service' }));
  write('packages/broken/package.json', '{ not json');
  write('packages/broken/src/index.ts', 'export default {};\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('homelab Nx plugin', () => {
  it('is a createNodes pair on service package.json files, under both export names', () => {
    expect(createNodesV2).toBe(createNodes);
    expect(createNodes[0]).toBe(SERVICE_PACKAGE_GLOB);
    expect(SERVICE_PACKAGE_GLOB).toBe('packages/*/package.json');
  });

  it('adds a project only where src/index.ts exists', async () => {
    const results = await run(['packages/traefik/package.json', 'packages/not-a-service/package.json']);
    expect(Object.keys(results.get('packages/traefik/package.json')?.projects ?? {})).toEqual(['packages/traefik']);
    expect(results.get('packages/not-a-service/package.json')?.projects).toBeUndefined();
  });

  it('infers every target, each with a description', async () => {
    const targets = await targetsOf('traefik');
    expect(Object.keys(targets).sort()).toEqual(['deploy', 'plan', 'smoke', 'synth', 'test', 'validate']);
    for (const [name, target] of Object.entries(targets)) {
      // synth and validate in the homelab executor (one process per run: batch mode), the rest as commands.
      if (name === 'synth' || name === 'validate') {
        expect(target.executor, name).toBe('@homelab/tools:homelab');
      } else {
        expect(target.executor, name).toBe('nx:run-commands');
        expect(target.options?.cwd, name).toBe('{workspaceRoot}');
      }
      expect(String(target.metadata?.description), name).toMatch(/traefik/);
    }
  });

  it('synth: cached, reads every service package, libs/core, libs/site and the CLI, writes dist/<service>', async () => {
    const { synth } = await targetsOf('traefik');
    // Its options are all it reads: flags meant for deploy (`nx affected -t synth validate deploy -- --dry-run`) are not its.
    expect(synth?.options).toEqual({ verb: 'synth', service: 'traefik' });
    expect(synth?.cache).toBe(true);
    expect(synth?.outputs).toEqual(['{workspaceRoot}/dist/traefik']);
    expect(synth?.inputs).toEqual([
      'default',
      // every service package, by tag: changes the hash, not what `nx affected` selects
      { input: 'default', projects: 'tag:type:service' },
      '{workspaceRoot}/libs/core/src/**/*',
      '{workspaceRoot}/libs/site/src/**/*',
      // the CLI, without its generators and this plugin
      '{workspaceRoot}/tools/homelab/src/*',
      '{workspaceRoot}/tools/homelab/src/!(generators|nx)/**/*',
    ]);
    // No `{workspaceRoot}` fileset over packages/: it would make every service affected by any.
    expect(JSON.stringify(synth?.inputs)).not.toContain('{workspaceRoot}/packages');
    expect(synth?.dependsOn).toBeUndefined();
  });

  it('uses the `production` named input for the package itself when nx.json defines it', async () => {
    const { synth, validate, test } = await targetsOf('traefik', context({ production: ['default', '!{projectRoot}/test/**/*'] }));
    expect(synth?.inputs?.slice(0, 2)).toEqual(['production', { input: 'production', projects: 'tag:type:service' }]);
    expect(validate?.inputs?.slice(0, 2)).toEqual(['production', { input: 'production', projects: 'tag:type:service' }]);
    // Unit tests read their own test files (`default`), and the other services' production files.
    expect(test?.inputs?.slice(0, 2)).toEqual(['default', { input: 'production', projects: 'tag:type:service' }]);
  });

  it('validate: cached, after synth, on synth\'s inputs plus the files synth wrote, the schemas in the repo and HOMELAB_SCHEMAS_DIR', async () => {
    const { validate } = await targetsOf('traefik');
    expect(validate?.options).toEqual({ verb: 'validate', service: 'traefik' });
    expect(validate?.cache).toBe(true);
    expect(validate?.dependsOn).toEqual(['synth']);
    expect(validate?.inputs).toEqual([
      ...synthInputs('default'),
      { dependentTasksOutputFiles: '**/*' },
      '{workspaceRoot}/schemas/**/*',
      { env: 'HOMELAB_SCHEMAS_DIR' },
      { runtime: schemasOverrideDigestCommand() },
    ]);
    // The repository stands alone: no input reaches outside it by a fixed path.
    expect(JSON.stringify(validate?.inputs)).not.toContain('..');
    expect(validate?.outputs).toEqual([]);
  });

  it('the variable the inputs follow is the one findSchemasDir() reads', () => {
    expect(SCHEMAS_DIR_ENV).toBe(CORE_SCHEMAS_DIR_ENV);
  });

  it('plan and deploy are never cached and run after synth; deploy also after its dependencies\' deploys', async () => {
    const { plan, deploy } = await targetsOf('traefik');
    expect(plan).toMatchObject({ cache: false, dependsOn: ['synth'], options: { command: 'tsx tools/homelab/src/main.ts plan --service traefik' } });
    expect(deploy).toMatchObject({ cache: false, options: { command: 'tsx tools/homelab/src/main.ts deploy --service traefik' } });
    expect(deploy?.options?.forwardAllArgs).toBeUndefined();
    // The dependencies' deploys get this run's flags (--dry-run above all); then synth and validate.
    expect(deploy?.dependsOn).toEqual([{ dependencies: true, target: 'deploy', params: 'forward' }, 'synth', 'validate']);
  });

  it('test is cached and smoke is not; both run vitest on the package\'s own folder', async () => {
    const { test, smoke } = await targetsOf('traefik');
    expect(test).toMatchObject({ cache: true, outputs: [], options: { command: 'vitest run packages/traefik/test --passWithNoTests' } });
    expect(test?.inputs).toEqual([...synthInputs('default'), '{workspaceRoot}/vitest.config.ts']);
    expect(smoke).toMatchObject({ cache: false, options: { command: 'vitest run packages/traefik/smoke --passWithNoTests' } });
  });

  it('typecheck only where the package has its own tsconfig.json, on the package and its dependencies', async () => {
    expect((await targetsOf('traefik'))['typecheck']).toBeUndefined();
    const { typecheck } = await targetsOf('authentik');
    expect(typecheck).toMatchObject({
      cache: true,
      inputs: ['default', '^default', '{workspaceRoot}/tsconfig.base.json'],
      options: { command: 'tsc -p packages/authentik/tsconfig.json --noEmit' },
    });
  });

  it('refuses the retired schemasDir option, naming it, its value and what replaced it', async () => {
    const error = await run(['packages/traefik/package.json'], context(), { schemasDir: 'vendor/schemas' }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toBe(
      'nx.json: plugins["./tools/homelab/src/nx/plugin.cjs"].options: "schemasDir" ("vendor/schemas") is no longer read: '
      + 'the schemas live in the repository (schemas/); remove the option, and set HOMELAB_SCHEMAS_DIR to validate against another directory.',
    );
    expect(() => checkPluginOptions({ cliEntry: 'x.ts' })).not.toThrow();
    expect(() => checkPluginOptions(undefined)).not.toThrow();
  });

  it.each([
    ['group and layer', { group: 'media', layer: 'apps' }, ['type:service', 'group:media', 'layer:apps']],
    ['group only', { group: 'core' }, ['type:service', 'group:core']],
    ['no homelab field', undefined, ['type:service']],
    ['non-string values', { group: 3, layer: '' } as never, ['type:service']],
  ])('tags from package.json: %s', (_title, field, tags) => {
    expect(serviceTags(field)).toEqual(tags);
  });

  it('puts the tags on the project', async () => {
    const results = await run(['packages/traefik/package.json', 'packages/authentik/package.json']);
    expect(results.get('packages/traefik/package.json')?.projects?.['packages/traefik']?.tags).toEqual(['type:service', 'group:core', 'layer:platform']);
    expect(results.get('packages/authentik/package.json')?.projects?.['packages/authentik']?.tags).toEqual(['type:service']);
  });

  it('names the file of a package.json it cannot parse, and still returns the others', async () => {
    // createNodesFromFiles throws Nx's AggregateCreateNodesError: per-file errors plus the
    // results it could build, so one bad package does not hide the others from the graph.
    const error = (await run(['packages/traefik/package.json', 'packages/broken/package.json']).catch((e: unknown) => e)) as {
      errors?: [string, Error][];
      partialResults?: [string, CreateNodesResult][];
    };
    expect(error.errors?.map(([file, e]) => [file, e.message])).toEqual([
      ['packages/broken/package.json', expect.stringMatching(/^packages\/broken\/package\.json: cannot read it as JSON: /)],
    ]);
    expect(error.partialResults?.map(([file]) => file)).toEqual(['packages/traefik/package.json']);
  });
});

describe('the plugin loads without Nx\'s TypeScript transpiler', () => {
  const nxDir = fileURLToPath(new URL('../../src/nx/', import.meta.url));

  it('plugin.cjs (what nx.json registers) exports what plugin.ts exports', async () => {
    const entry = createRequire(import.meta.url)('../../src/nx/plugin.cjs') as Record<string, unknown>;
    const source = await import('../../src/nx/plugin.ts');
    expect(Object.keys(entry).sort()).toEqual(Object.keys(source).sort());
    expect((entry['createNodes'] as typeof source.createNodes)[0]).toBe(SERVICE_PACKAGE_GLOB);
    expect(typeof (entry['createNodes'] as typeof source.createNodes)[1]).toBe('function');
    expect(typeof entry['createDependencies']).toBe('function');
  });

  it('no file of the plugin imports @nx/devkit at run time (types only; Nx\'s own helper only on a parse error)', () => {
    for (const file of readdirSync(nxDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(nxDir, file), 'utf8');
      const imports = [...text.matchAll(/^import (?!type )[^;]*from '@nx\/devkit';/gm)];
      expect(imports.map((m) => m[0]), file).toEqual([]);
    }
  });

  it('the edge type it writes is DependencyType.static', () => {
    expect(STATIC).toBe(DependencyType.static);
  });

  it('synth and validate declare continuous: false, so building the graph never resolves the executor', async () => {
    const { synth, validate } = await targetsOf('traefik');
    expect(synth?.continuous).toBe(false);
    expect(validate?.continuous).toBe(false);
  });
});

describe('schemas digests (the runtime input of validate)', () => {
  const sh = (command: string, env: Record<string, string> = {}): string =>
    execSync(command, { cwd: root, encoding: 'utf8', shell: '/bin/sh', env: { PATH: process.env['PATH'] ?? '', ...env } }).trim();

  it('dirDigestCommand: changes when a file under the directory changes, and says "missing" when there is none', () => {
    write('schemas/a.schema.json', '{"type":"object"}');
    write('schemas/sub/b.schema.json', '{}');
    const first = sh(dirDigestCommand('schemas'));
    expect(first).toMatch(/^[0-9a-f]{64} {2}-$/);
    expect(sh(dirDigestCommand('schemas'))).toBe(first);
    write('schemas/sub/b.schema.json', '{"type":"string"}');
    expect(sh(dirDigestCommand('schemas'))).not.toBe(first);
    expect(sh(dirDigestCommand('no/such/dir'))).toBe('missing:no/such/dir');
  });

  it('override digest: "default" without HOMELAB_SCHEMAS_DIR; with it, the digest of that directory, relative or absolute, spaces and all', () => {
    const command = schemasOverrideDigestCommand();
    expect(sh(command)).toBe('default');
    expect(sh(command, { HOMELAB_SCHEMAS_DIR: '' })).toBe('default');
    write('elsewhere/my schemas/a.schema.json', '{"type":"object"}');
    const relative = sh(command, { HOMELAB_SCHEMAS_DIR: 'elsewhere/my schemas' });
    expect(relative).toMatch(/^[0-9a-f]{64} {2}-$/);
    expect(sh(command, { HOMELAB_SCHEMAS_DIR: join(root, 'elsewhere/my schemas') })).toBe(relative);
    // The same files as schemas/ hash the same; a change to one file outside the workspace shows.
    write('elsewhere/my schemas/a.schema.json', '{"type":"array"}');
    expect(sh(command, { HOMELAB_SCHEMAS_DIR: 'elsewhere/my schemas' })).not.toBe(relative);
    // A name the shell would expand stays literal: it is the variable's value, not shell code.
    expect(sh(command, { HOMELAB_SCHEMAS_DIR: '$(echo x)' })).toBe('missing:$(echo x)');
  });
});
