/**
 * `nx g @homelab/tools:service --name=foo --kind=lxc --group=apps`: scaffolds packages/foo/ as
 * @homelab/foo in the standard shape, so a newcomer who has read one service package can read
 * them all. Every problem with the options is reported at once, each with the option, a code,
 * what was received and how to fix it; nothing is written unless all options are valid.
 */
import { fileURLToPath } from 'node:url';
import {
  generateFiles,
  installPackagesTask,
  joinPathFragments,
  logger,
  readJson,
  writeJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';

export const SERVICE_KINDS = ['lxc', 'vm', 'external', 'none'] as const;
export const SERVICE_TIERS = ['critical', 'high', 'normal', 'low', 'minimal'] as const;
export const SERVICE_GROUPS = ['core', 'storage', 'security', 'media', 'observability', 'smart-home', 'apps', 'kubernetes', 'special'] as const;
export const LAYERS = ['platform', 'storage', 'security', 'observability', 'apps'] as const;

/** The layer a group sits in, unless `--layer` says otherwise (as the existing packages have it). */
export const LAYER_OF_GROUP: Readonly<Record<(typeof SERVICE_GROUPS)[number], (typeof LAYERS)[number]>> = {
  core: 'platform',
  kubernetes: 'platform',
  storage: 'storage',
  security: 'security',
  observability: 'observability',
  media: 'apps',
  'smart-home': 'apps',
  apps: 'apps',
  special: 'apps',
};

/** Valid service names: DNS labels (the name is also the guest's hostname), starting with a letter. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Options as given (CLI or a caller); see schema.json for each. */
export interface ServiceGeneratorSchema {
  name: string;
  kind?: string;
  group: string;
  tier?: string;
  layer?: string;
  description?: string;
  cores?: number;
  memoryMiB?: number;
  diskGiB?: number;
  /** Service names; each entry may also be a comma-separated list (`traefik,authentik`). */
  dependsOn?: readonly string[] | string;
  skipInstall?: boolean;
}

export interface NormalizedServiceOptions {
  readonly name: string;
  readonly packageName: string;
  readonly projectRoot: string;
  readonly kind: (typeof SERVICE_KINDS)[number];
  readonly group: (typeof SERVICE_GROUPS)[number];
  readonly tier: (typeof SERVICE_TIERS)[number];
  readonly layer: (typeof LAYERS)[number];
  readonly description: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
  readonly dependsOn: readonly string[];
  readonly skipInstall: boolean;
}

export interface OptionProblem {
  readonly option: string;
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

/** Thrown with every problem in the options; `message` lists them, one a line. */
export class ServiceGeneratorError extends Error {
  constructor(readonly problems: readonly OptionProblem[], name: unknown) {
    super(
      `Cannot generate service ${JSON.stringify(name)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${p.option}: ${p.code}: ${p.message} ${p.fix}`).join('\n'),
    );
    this.name = 'ServiceGeneratorError';
  }
}

const FILES_DIR = fileURLToPath(new URL('./files', import.meta.url));

export async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<GeneratorCallback | undefined> {
  const o = normalizeOptions(tree, schema);

  writeJson(tree, joinPathFragments(o.projectRoot, 'package.json'), packageJson(o));
  writeJson(tree, joinPathFragments(o.projectRoot, 'tsconfig.json'), {
    extends: '../../tsconfig.base.json',
    include: ['src/**/*.ts', 'test/**/*.ts', 'smoke/**/*.ts'],
  });
  generateFiles(tree, FILES_DIR, o.projectRoot, {
    ...o,
    tmpl: '',
    hasResources: o.kind === 'lxc' || o.kind === 'vm',
    q: (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
  });

  logger.info(
    [
      `Created ${o.projectRoot}/ (${o.packageName}). Next:`,
      o.kind === 'lxc' || o.kind === 'vm'
        ? `  - give it an address-plan entry "${o.name}" (node, vmid, ip) in libs/site/src/address-plan.ts`
        : `  - give it an address-plan entry "${o.name}" (host, ip) in libs/site/src/address-plan.ts if it has an address`,
      `  - fill in ${o.projectRoot}/src/index.ts (description, routes, files) and its tests`,
      `  - npx nx run ${o.packageName}:synth   then   npx nx run ${o.packageName}:validate`,
      `  - npx changeset   to describe the change for ${o.packageName}'s CHANGELOG.md`,
    ].join('\n'),
  );

  if (o.skipInstall) return undefined;
  // Links the new workspace package into node_modules and records it in package-lock.json
  // (`npm ci` refuses a lock file that lacks a workspace).
  return () => installPackagesTask(tree, true);
}

export default serviceGenerator;

export function normalizeOptions(tree: Tree, schema: ServiceGeneratorSchema): NormalizedServiceOptions {
  const problems: OptionProblem[] = [];
  const report = (option: string, code: string, message: string, fix: string): void => {
    problems.push({ option, code, message, fix });
  };

  const name = schema.name;
  if (typeof name !== 'string' || !SERVICE_NAME_PATTERN.test(name)) {
    report('name', 'InvalidServiceName', `${JSON.stringify(name)} is not a valid service name.`,
      'Use lowercase letters, digits and single hyphens, starting with a letter (e.g. "foo-bar"): it becomes a directory, an npm package name and a hostname.');
  } else if (name.length > 63) {
    report('name', 'ServiceNameTooLong', `"${name}" has ${name.length} characters.`, 'Use at most 63: the name is also the guest\'s hostname.');
  } else {
    const packages = workspacePackages(tree);
    const projectRoot = `packages/${name}`;
    if (tree.exists(projectRoot)) {
      report('name', 'ServiceExists', `${projectRoot} already exists.`, 'Pick another name, or edit the existing package.');
    } else if (packages.has(`@homelab/${name}`)) {
      report('name', 'PackageNameTaken', `@homelab/${name} is already the name of ${packages.get(`@homelab/${name}`)}.`, 'Pick another name.');
    }
  }

  const kind = schema.kind ?? 'lxc';
  if (!includes(SERVICE_KINDS, kind)) report('kind', 'InvalidKind', `${JSON.stringify(kind)} is not a service kind.`, `Use one of ${SERVICE_KINDS.join(', ')}.`);
  const group = schema.group;
  if (!includes(SERVICE_GROUPS, group)) report('group', 'InvalidGroup', `${JSON.stringify(group)} is not a service group.`, `Use one of ${SERVICE_GROUPS.join(', ')}.`);
  const tier = schema.tier ?? 'normal';
  if (!includes(SERVICE_TIERS, tier)) report('tier', 'InvalidTier', `${JSON.stringify(tier)} is not a tier.`, `Use one of ${SERVICE_TIERS.join(', ')}.`);
  const layer = schema.layer ?? (includes(SERVICE_GROUPS, group) ? LAYER_OF_GROUP[group] : 'apps');
  if (!includes(LAYERS, layer)) report('layer', 'InvalidLayer', `${JSON.stringify(layer)} is not a layer.`, `Use one of ${LAYERS.join(', ')}, or leave it out to derive it from the group.`);

  const cores = schema.cores ?? 1;
  const memoryMiB = schema.memoryMiB ?? 512;
  const diskGiB = schema.diskGiB ?? 8;
  for (const [option, value, min] of [['cores', cores, 1], ['memoryMiB', memoryMiB, 64], ['diskGiB', diskGiB, 1]] as const) {
    if (!Number.isInteger(value) || value < min) report(option, 'InvalidResource', `${JSON.stringify(value)} is not a whole number of at least ${min}.`, `Give --${option} a whole number >= ${min}.`);
  }

  const dependsOn = [...new Set((Array.isArray(schema.dependsOn) ? schema.dependsOn : schema.dependsOn ? [schema.dependsOn] : [])
    .flatMap((d) => String(d).split(','))
    .map((d) => d.trim().replace(/^@homelab\//, ''))
    .filter(Boolean))].sort();
  dependsOn.forEach((dep, i) => {
    if (dep === name) {
      report(`dependsOn[${i}]`, 'DependsOnItself', `"${dep}" is the service being created.`, 'Remove it from --dependsOn.');
    } else if (!tree.exists(`packages/${dep}/src/index.ts`)) {
      report(`dependsOn[${i}]`, 'UnknownService', `there is no service package packages/${dep}.`, 'Name an existing service (a directory under packages/ with src/index.ts).');
    }
  });

  if (problems.length > 0) throw new ServiceGeneratorError(problems, name);
  const description = schema.description?.trim() || `TODO: what ${name} does, in one line.`;
  return {
    name,
    packageName: `@homelab/${name}`,
    projectRoot: `packages/${name}`,
    kind: kind as NormalizedServiceOptions['kind'],
    group: group as NormalizedServiceOptions['group'],
    tier: tier as NormalizedServiceOptions['tier'],
    layer: layer as NormalizedServiceOptions['layer'],
    description,
    cores,
    memoryMiB,
    diskGiB,
    dependsOn,
    skipInstall: schema.skipInstall ?? false,
  };
}

function packageJson(o: NormalizedServiceOptions): Record<string, unknown> {
  const dependencies: Record<string, string> = { '@homelab/core': '*', '@homelab/site': '*' };
  for (const dep of o.dependsOn) dependencies[`@homelab/${dep}`] = '*';
  return {
    name: o.packageName,
    version: '0.1.0',
    private: true,
    description: o.description,
    type: 'module',
    exports: { '.': './src/index.ts' },
    homelab: { group: o.group, layer: o.layer },
    dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Workspace package names (libs/*, packages/*, tools/*) → their directory. */
function workspacePackages(tree: Tree): Map<string, string> {
  const found = new Map<string, string>();
  for (const base of ['libs', 'packages', 'tools']) {
    if (!tree.exists(base) || tree.isFile(base)) continue;
    for (const child of tree.children(base)) {
      const file = `${base}/${child}/package.json`;
      if (!tree.exists(file)) continue;
      try {
        const name = readJson<{ name?: unknown }>(tree, file).name;
        if (typeof name === 'string') found.set(name, `${base}/${child}`);
      } catch {
        // An unreadable package.json is another tool's problem; it cannot clash by name.
      }
    }
  }
  return found;
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
