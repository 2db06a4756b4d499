/**
 * Parse: checks the runtime shape of a service definition (packages are TypeScript, but a cast or a
 * plain-JS package can still hand us anything). Keys and shapes come from the schema
 * (service-schema.ts); the hand-written checks below give the common mistakes their own codes and
 * fixes. Reports every problem; never throws.
 */
import type { ProblemCollector } from './collector.ts';
import { readFacts } from './facts/index.ts';
import { FACTS_KEY } from './facts/fact.ts';
import { reportSchemaProblems } from './schema-problems.ts';
import { authModeSchema, ENV_NAME, ROUTE_HOST, SERVICE_NAME, serviceDefinitionSchema, serviceKindSchema, serviceRoleSchema } from './service-schema.ts';
import { TIERS } from './tiers.ts';

const NAME = SERVICE_NAME;
const KINDS: readonly string[] = serviceKindSchema.options;
const AUTH: readonly string[] = authModeSchema.options;
const ROLES: readonly string[] = serviceRoleSchema.options;

export const SERVICE_SCHEMA_REFERENCE = 'ServiceProps (schemas/homelab/service-definition.schema.json)';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isPort(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** Returns true when the definition is well-formed enough to normalize. */
export function parseService(raw: unknown, out: ProblemCollector): boolean {
  const before = out.problems.length;
  if (!isObj(raw)) {
    out.report('', 'NotAServiceDefinition', 'the default export is not a service definition', raw, 'Export `defineService({...})` as the default export of src/index.ts.');
    return false;
  }
  if (typeof raw.name !== 'string' || !NAME.test(raw.name)) {
    out.report('name', 'InvalidName', 'the service name must be a DNS label: lowercase letters, digits and dashes', raw.name, 'Use a name like "home-assistant".');
  }
  if (typeof raw.description !== 'string' || raw.description.trim() === '') {
    out.report('description', 'MissingDescription', 'every service says what it is for', raw.description, 'Add a one-line description.');
  }
  if (!KINDS.includes(raw.kind as string)) {
    out.report('kind', 'InvalidKind', `kind must be one of ${KINDS.join(', ')}`, raw.kind, 'Set kind: "lxc" for a container, "vm" for a virtual machine.');
  }
  if (!TIERS.includes(raw.tier as never)) {
    out.report('tier', 'InvalidTier', `tier must be one of ${TIERS.join(', ')}`, raw.tier, 'Pick the tier from the CPU weight table.');
  }
  if (typeof raw.group !== 'string' || raw.group === '') {
    out.report('group', 'MissingGroup', 'every service belongs to one group', raw.group, 'Set group to one of the site\'s groups.');
  }
  if (raw.cpuWeight !== undefined && !isPositiveInt(raw.cpuWeight)) {
    out.report('cpuWeight', 'InvalidCpuWeight', 'cpuWeight must be a positive integer', raw.cpuWeight, 'Remove it to take the tier default, or give an integer.');
  }
  if (raw.kind === 'lxc' || raw.kind === 'vm') {
    if (raw.sharesGuestWith === undefined) parseResources(raw.resources, 'resources', out);
  }
  parseList(raw.routes, 'routes', out, (r, path) => {
    if (!isObj(r)) return out.report(path, 'InvalidRoute', 'a route is an object', r, 'Write { host, port, auth }.');
    if (typeof r.host !== 'string' || !ROUTE_HOST.test(r.host)) {
      out.report(`${path}.host`, 'InvalidRouteHost', 'the route host must be a DNS name', r.host, 'Use a label like "sonarr" or a name inside the domain.');
    }
    if (!isPort(r.port)) out.report(`${path}.port`, 'InvalidPort', 'the backend port must be an integer from 1 to 65535', r.port, 'Set the port the application listens on.');
    if (r.public !== undefined && typeof r.public !== 'boolean') {
      out.report(`${path}.public`, 'InvalidRoutePublic', 'public is true or false', r.public, 'Write public: true only for a deliberately public, read-only site.');
    }
    if (!AUTH.includes(r.auth as string)) {
      out.report(`${path}.auth`, 'InvalidAuth', `auth must be one of ${AUTH.join(', ')}`, r.auth, 'Use "authentik" unless the application has its own login.');
    }
    if (r.middlewares !== undefined && !(Array.isArray(r.middlewares) && r.middlewares.every((m) => typeof m === 'string' && m !== ''))) {
      out.report(`${path}.middlewares`, 'InvalidMiddlewares', 'middlewares is a list of Traefik middleware names', r.middlewares, 'Write middlewares: ["name@file"].');
    }
  });
  parseList(raw.ports, 'ports', out, (p, path) => {
    if (!isObj(p) || !isPort(p.port) || (p.protocol !== 'tcp' && p.protocol !== 'udp')) {
      out.report(path, 'InvalidPort', 'a port is { port: 1-65535, protocol: "tcp" | "udp", description }', p, 'Fix the port declaration.');
    }
  });
  parseList(raw.metrics, 'metrics', out, (m, path) => {
    if (!isObj(m) || typeof m.name !== 'string' || !isPort(m.port)) {
      out.report(path, 'InvalidMetrics', 'a metrics endpoint is { name, port, path? }', m, 'Fix the metrics declaration.');
    }
  });
  parseList(raw.secrets, 'secrets', out, (s, path) => {
    if (!isObj(s) || typeof s.env !== 'string' || !ENV_NAME.test(s.env)) {
      out.report(`${path}.env`, 'SecretNotEnvReference', 'a secret is referenced by the name of an environment variable, never by its value', isObj(s) ? maskSecret(s.env) : s, 'Put the value in an environment variable and write its name, e.g. env: "CF_DNS_API_TOKEN".');
    }
  });
  parseList(raw.dependsOn, 'dependsOn', out, (d, path) => {
    if (typeof d !== 'string' || d === '') out.report(path, 'InvalidDependency', 'a dependency is a service name', d, 'Write the other service\'s name.');
  });
  parseList(raw.nfsMounts, 'nfsMounts', out, (m, path) => {
    if (!isObj(m) || typeof m.share !== 'string' || typeof m.path !== 'string' || !m.path.startsWith('/') || !m.share.startsWith('/')) {
      out.report(path, 'InvalidNfsMount', 'an NFS mount is { share: "/media", path: "/media" } with absolute paths', m, 'Fix the mount declaration.');
    }
  });
  parseList(raw.devices, 'devices', out, (d, path) => {
    if (!isObj(d) || typeof d.device !== 'string') out.report(path, 'InvalidDevice', 'a device is { device: "<name on the node>" }', d, 'Name a device the site lists on the node.');
  });
  parseList(raw.provides, 'provides', out, (r, path) => {
    if (!ROLES.includes(r as string)) out.report(path, 'InvalidRole', `a role is one of ${ROLES.join(', ')}`, r, 'Name a role the service plays for the others, or remove it.');
  });
  for (const flag of ['docker', 'startOnBoot'] as const) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') out.report(flag, 'InvalidFlag', `${flag} is true or false`, raw[flag], `Write ${flag}: true or remove it to take the default.`);
  }
  parseList(raw.guests, 'guests', out, (g, path) => {
    if (!isObj(g)) return out.report(path, 'InvalidGuest', 'a guest is { name, kind, placement, tier, resources }', g, 'Fix the guest declaration.');
    if (typeof g.name !== 'string' || !NAME.test(g.name)) out.report(`${path}.name`, 'InvalidGuest', 'the guest name must be a DNS label', g.name, 'Use a name like "talos-cp-1".');
    if (g.kind !== 'lxc' && g.kind !== 'vm') out.report(`${path}.kind`, 'InvalidGuest', 'a guest is an "lxc" or a "vm"', g.kind, 'Set kind: "lxc" or "vm".');
    if (typeof g.placement !== 'string' || g.placement === '') out.report(`${path}.placement`, 'InvalidGuest', 'a guest names its address-plan entry', g.placement, 'Set placement to an address-plan entry name.');
    if (!TIERS.includes(g.tier as never)) out.report(`${path}.tier`, 'InvalidTier', `tier must be one of ${TIERS.join(', ')}`, g.tier, 'Pick the tier from the CPU weight table.');
    parseResources(g.resources, `${path}.resources`, out);
  });
  if (raw.files !== undefined && typeof raw.files !== 'function') {
    out.report('files', 'InvalidFiles', 'files is a function of the render context', typeof raw.files, 'Write files: (ctx) => [...].');
  }
  readFacts(raw, out);
  const covered = out.problems.slice(before).map((p) => p.path);
  reportSchemaProblems(serviceDefinitionSchema, raw, out, { shapeCode: 'InvalidField', subject: 'a service definition', reference: SERVICE_SCHEMA_REFERENCE }, covered);
  // An unknown key is an error, but the rest of the definition is still sound enough to check; so
  // is one with a broken fact, which the model leaves out (its readers see no fact, not a bad one).
  return out.problems.slice(before).every((p) => p.code === 'UnknownKey' || isFactPath(p.path));
}

function isFactPath(path: string): boolean {
  return path.startsWith(`${FACTS_KEY}.`) || path.startsWith(`${FACTS_KEY}[`);
}

function parseList(value: unknown, path: string, out: ProblemCollector, each: (item: unknown, path: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    out.report(path, 'NotAList', `${path} must be a list`, value, `Write ${path}: [...].`);
    return;
  }
  value.forEach((item, i) => each(item, `${path}[${i}]`));
}

export function parseResources(r: unknown, path: string, out: ProblemCollector): void {
  if (!isObj(r)) {
    out.report(path, 'MissingResources', 'an LXC or VM needs resources: cores, memoryMiB and disks', r, 'Add resources: { cores, memoryMiB, disks: [{ storage: "local", sizeGiB }] }.');
    return;
  }
  if (!isPositiveInt(r.cores)) out.report(`${path}.cores`, 'InvalidCores', 'cores must be a positive integer', r.cores, 'Give the number of vCPUs.');
  if (!isPositiveInt(r.memoryMiB)) out.report(`${path}.memoryMiB`, 'InvalidMemory', 'memoryMiB must be a positive integer (MiB)', r.memoryMiB, 'Give the memory in MiB, e.g. 1024.');
  if (r.balloonMiB !== undefined && (!isPositiveInt(r.balloonMiB) || (isPositiveInt(r.memoryMiB) && r.balloonMiB > r.memoryMiB))) {
    out.report(`${path}.balloonMiB`, 'InvalidBalloonFloor', 'the balloon floor must be a positive integer no larger than memoryMiB', r.balloonMiB, 'Set it between 1 and memoryMiB.');
  }
  if (!Array.isArray(r.disks) || r.disks.length === 0) {
    out.report(`${path}.disks`, 'MissingDisk', 'a guest needs at least one disk', r.disks, 'Add disks: [{ storage: "local", sizeGiB: 8 }].');
  } else {
    r.disks.forEach((d: unknown, i: number) => {
      if (!isObj(d) || (d.storage !== 'local' && d.storage !== 'ceph') || !isPositiveInt(d.sizeGiB)) {
        out.report(`${path}.disks[${i}]`, 'InvalidDisk', 'a disk is { storage: "local" | "ceph", sizeGiB: positive integer }', d, 'Fix the disk declaration.');
      }
    });
  }
}

/** Never echo something that may be a secret back into a log. */
function maskSecret(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…(${value.length} chars)`;
}
