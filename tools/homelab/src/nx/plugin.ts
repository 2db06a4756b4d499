/**
 * Nx local plugin: infers the homelab targets of every service package. nx.json registers its
 * JavaScript entry, plugin.cjs, which loads this file without Nx's TypeScript transpiler.
 *
 * Marker: `packages/<service>/package.json` next to `packages/<service>/src/index.ts` (the
 * package's `defineService`). The project itself (name `@homelab/<service>`, its dependencies on
 * @homelab/core, @homelab/site and the packages it imports) comes from Nx's own package.json
 * support; this plugin adds targets and tags to the same root, and the edges between services
 * from the model (`createDependencies`: dependsOn, and what an observer watches). Shaped like Nx's own plugins
 * (`@nx/vite/plugin`): a glob, `createNodesFromFiles`, and targets with inputs, outputs, cache
 * and a description that `nx show project` prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
// Types only: @nx/devkit at run time costs a plugin worker about 0.3 s (plugin.cjs).
import type { CreateDependencies, CreateDependenciesContext, CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { modelDependencies } from './model-dependencies.ts';
import { modelEdgesInChild, type ModelEdges } from './model-edges.ts';
import { cachedModelEdges } from './model-edges-cache.ts';
import { childError } from './tsx-child.ts';
import { DEFAULT_SCHEMAS_DIR, SCHEMAS_DIR_ENV, SERVICE_TAG, serviceTargets, type HomelabPluginOptions } from './targets.ts';

export type { HomelabPluginOptions } from './targets.ts';

export const SERVICE_PACKAGE_GLOB = 'packages/*/package.json';

/** The `homelab` field of a service package.json: where it sits in the fleet. */
export interface HomelabPackageField {
  /** Service group (`core`, `media`, ...): becomes the Nx tag `group:<group>`. */
  readonly group?: string;
  /** Layer (`platform`, `storage`, `security`, `observability`, `apps`): becomes the Nx tag `layer:<layer>`. */
  readonly layer?: string;
}

/**
 * Tags of a service project: `type:service` (the inputs of synth, validate and test select the
 * services by it), plus `group:` and `layer:` from package.json.
 */
export function serviceTags(field: HomelabPackageField | undefined): string[] {
  const tags = [SERVICE_TAG];
  if (typeof field?.group === 'string' && field.group) tags.push(`group:${field.group}`);
  if (typeof field?.layer === 'string' && field.layer) tags.push(`layer:${field.layer}`);
  return tags;
}

export function createServiceNode(
  packageJsonPath: string,
  options: HomelabPluginOptions | undefined,
  context: CreateNodesContext,
): CreateNodesResult {
  const projectRoot = dirname(packageJsonPath);
  const abs = join(context.workspaceRoot, projectRoot);
  // A package without src/index.ts is not a service (yet): leave it to Nx's package.json support.
  if (!existsSync(join(abs, 'src', 'index.ts'))) return {};
  let pkg: { homelab?: HomelabPackageField };
  try {
    pkg = JSON.parse(readFileSync(join(context.workspaceRoot, packageJsonPath), 'utf8')) as typeof pkg;
  } catch (error) {
    throw new Error(`${packageJsonPath}: cannot read it as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const targets = serviceTargets({
    service: basename(projectRoot),
    projectRoot,
    hasTsconfig: existsSync(join(abs, 'tsconfig.json')),
    namedInputs: Object.keys(context.nxJsonConfiguration.namedInputs ?? {}),
    ...(options ? { options } : {}),
  });
  return {
    projects: {
      [projectRoot]: {
        root: projectRoot,
        projectType: 'application',
        tags: serviceTags(pkg.homelab),
        targets,
      },
    },
  };
}

/**
 * Options this plugin no longer reads, with what replaced them. Said once, loudly: silently
 * ignoring `schemasDir` would leave an nx.json that looks as if it chose a directory it does not.
 */
const RETIRED_OPTIONS: Readonly<Record<string, string>> = {
  schemasDir: `the schemas live in the repository (${DEFAULT_SCHEMAS_DIR}/); remove the option, and set ${SCHEMAS_DIR_ENV} to validate against another directory`,
};

export function checkPluginOptions(options: unknown): void {
  if (options === undefined || options === null) return;
  const retired = Object.keys(options).filter((key) => key in RETIRED_OPTIONS);
  if (!retired.length) return;
  throw new Error(
    `nx.json: plugins["./tools/homelab/src/nx/plugin.cjs"].options: ${retired
      .map((key) => `"${key}" (${JSON.stringify((options as Record<string, unknown>)[key])}) is no longer read: ${RETIRED_OPTIONS[key]}.`)
      .join(' ')}`,
  );
}

export const createNodes: CreateNodes<HomelabPluginOptions> = [
  SERVICE_PACKAGE_GLOB,
  async (files, options, context) => {
    checkPluginOptions(options);
    try {
      return files.map((file) => [file, createServiceNode(file, options ?? {}, context)] as const);
    } catch {
      // A package.json that does not parse: Nx's own helper reports each file that failed and
      // keeps the projects of the others (AggregateCreateNodesError), so one broken package does
      // not hide the rest. Loaded only then.
      const { createNodesFromFiles } = await import('@nx/devkit');
      return createNodesFromFiles(createServiceNode, files, options ?? {}, context);
    }
  },
];

/** The name the brief and older Nx versions use; Nx 23 prefers `createNodes`. */
export const createNodesV2 = createNodes;

/**
 * Edges from the model: every service's dependsOn, an observer's watched services included, so
 * monitoring depends on what it scrapes without a package.json line per service.
 */
export function createDependenciesFrom(readEdges: (root: string, context: CreateDependenciesContext) => ModelEdges): CreateDependencies<HomelabPluginOptions> {
  return (_options, context) => {
    let model: ModelEdges;
    try {
      model = readEdges(context.workspaceRoot, context);
    } catch (error) {
      throw new Error(`homelab Nx plugin: cannot build the model for the service dependencies: ${childError(error)}\nFix the site or package it names (npx homelab plan lists every problem).`);
    }
    for (const failure of model.failures) console.warn(`homelab Nx plugin: ${failure}; its dependencies are missing from the graph until it loads`);
    return modelDependencies(model, context.projects);
  };
}

/** The edges built in a tsx child, or read back while the files the model reads are unchanged (model-edges-cache.ts). */
export const createDependencies = createDependenciesFrom((root, context) => cachedModelEdges(root, context.fileMap, modelEdgesInChild));
