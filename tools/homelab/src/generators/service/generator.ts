/**
 * `nx g @homelab/tools:service --name=foo --kind=lxc --group=apps`: scaffolds packages/foo/ as
 * @homelab/foo in the standard shape, so a newcomer who has read one service package can read
 * them all, and writes its address-plan entry into the site (next free VMID and IP, or
 * --node/--vmid/--ip). The groups and the address plan are the site's ($HOMELAB_SITE or
 * libs/site), read as the CLI reads them. Every problem with the options is reported at once,
 * each with the option, a code, what was received and how to fix it; nothing is written unless
 * all options are valid.
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
import { existingPlacement, placeGuest, type GuestPlacement } from './address-plan.ts';
import { insertPlanEntry } from './address-plan-source.ts';
import { siteFactsInChild, type PlanEntry, type SiteFacts } from './site-facts.ts';

export const SERVICE_KINDS = ['lxc', 'vm', 'external', 'none'] as const;
export const SERVICE_TIERS = ['critical', 'high', 'normal', 'low', 'minimal'] as const;
export const LAYERS = ['platform', 'storage', 'security', 'observability', 'apps'] as const;

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
  /** Address-plan entry of an LXC or VM; each proposed from the site when not given. */
  node?: string;
  vmid?: number;
  ip?: string;
  skipInstall?: boolean;
}

export interface NormalizedServiceOptions {
  readonly name: string;
  readonly packageName: string;
  readonly projectRoot: string;
  readonly kind: (typeof SERVICE_KINDS)[number];
  readonly group: string;
  readonly tier: (typeof SERVICE_TIERS)[number];
  readonly layer: (typeof LAYERS)[number];
  readonly description: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
  readonly dependsOn: readonly string[];
  /** The address-plan entry written into the site (LXC and VM). */
  readonly placement?: GuestPlacement;
  /** The site file that entry goes into, with the entry added. */
  readonly planFile?: { readonly path: string; readonly text: string };
  /** The site's own entry for the name, written before the package: kept as it is. */
  readonly existingEntry?: PlanEntry;
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

/** The generator over a site reader; the default reads the workspace's site in a tsx child. */
export function createServiceGenerator(readFacts: (root: string) => SiteFacts) {
  return (tree: Tree, schema: ServiceGeneratorSchema) => generateService(tree, schema, readFacts(tree.root));
}

export const serviceGenerator = createServiceGenerator(siteFactsInChild);

async function generateService(tree: Tree, schema: ServiceGeneratorSchema, facts: SiteFacts): Promise<GeneratorCallback | undefined> {
  const o = normalizeOptions(tree, schema, facts);
  if (o.planFile) tree.write(o.planFile.path, o.planFile.text);

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
      o.placement && o.planFile
        ? `  - its address-plan entry "${o.name}" is node ${o.placement.node}, VMID ${o.placement.vmid}, IP ${o.placement.ip} in ${o.planFile.path}: check it`
        : o.existingEntry
          ? `  - it keeps the site's address-plan entry "${o.name}"`
          : `  - give it an address-plan entry "${o.name}" (host, ip) in the site's address plan if it has an address`,
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

export function normalizeOptions(tree: Tree, schema: ServiceGeneratorSchema, facts: SiteFacts): NormalizedServiceOptions {
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
  if (!includes(facts.groups, group)) report('group', 'InvalidGroup', `${JSON.stringify(group)} is not one of the site's groups.`, `Use one of ${facts.groups.join(', ')}.`);
  const tier = schema.tier ?? 'normal';
  if (!includes(SERVICE_TIERS, tier)) report('tier', 'InvalidTier', `${JSON.stringify(tier)} is not a tier.`, `Use one of ${SERVICE_TIERS.join(', ')}.`);
  const layer = schema.layer ?? layerOfGroup(tree, group);
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

  let placement: GuestPlacement | undefined;
  let planFile: NormalizedServiceOptions['planFile'];
  let existingEntry: PlanEntry | undefined;
  if (kind === 'lxc' || kind === 'vm') {
    const flags = { ...(schema.node !== undefined ? { node: schema.node } : {}), ...(schema.vmid !== undefined ? { vmid: schema.vmid } : {}), ...(schema.ip !== undefined ? { ip: schema.ip } : {}) };
    const existing = existingPlacement(facts, name, flags, report);
    if (existing) existingEntry = existing;
    else placement = placeGuest(facts, name, kind, flags, report);
    if (placement) {
      const files = tree.exists(facts.siteDir) ? tree.children(facts.siteDir).filter((f) => f.endsWith('.ts')).map((f) => ({ path: `${facts.siteDir}/${f}`, text: tree.read(`${facts.siteDir}/${f}`, 'utf-8') ?? '' })) : [];
      planFile = insertPlanEntry(files, Object.keys(facts.addressPlan), name, placement);
      if (!planFile) {
        report('name', 'AddressPlanNotFound', `no file under ${facts.siteDir}/ holds the site's address plan as an object literal.`,
          `Add ${name}: { node: '${placement.node}', vmid: ${placement.vmid}, ip: '${placement.ip}' } to the site's address plan by hand.`);
      }
    }
  } else {
    for (const option of ['node', 'vmid', 'ip'] as const) {
      if (schema[option] !== undefined) report(option, 'PlacementForNoGuest', `--${option} is for an LXC or a VM, and the kind is "${kind}".`, `Leave --${option} out, or use --kind=lxc or --kind=vm.`);
    }
  }

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
    ...(placement ? { placement } : {}),
    ...(planFile ? { planFile } : {}),
    ...(existingEntry ? { existingEntry } : {}),
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

/** The layer the existing packages of `group` have (the most common), else apps. */
function layerOfGroup(tree: Tree, group: string): (typeof LAYERS)[number] {
  const counts = new Map<string, number>();
  if (tree.exists('packages')) {
    for (const child of tree.children('packages')) {
      const file = `packages/${child}/package.json`;
      if (!tree.exists(file)) continue;
      try {
        const field = readJson<{ homelab?: { group?: unknown; layer?: unknown } }>(tree, file).homelab;
        if (field?.group === group && includes(LAYERS, field.layer)) counts.set(field.layer, (counts.get(field.layer) ?? 0) + 1);
      } catch {
        // An unreadable package.json says nothing about layers.
      }
    }
  }
  return ([...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0] as (typeof LAYERS)[number] | undefined) ?? 'apps';
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
