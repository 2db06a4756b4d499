/**
 * The service definition, declared once: everything `defineService({...})` accepts. The types in
 * service.ts are inferred from these schemas, parse.ts checks a definition's keys and shapes
 * against them, and schemas/homelab/service-definition.schema.json is generated from them
 * (`npm run schemas:generate`). Every optional field says its default; normalize.ts applies them.
 */
import { z } from 'zod';
import { serviceFactsSchema } from './facts/index.ts';
import { TIERS } from './tiers.ts';

export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
export const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
export const ROUTE_HOST = /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const ABSOLUTE_PATH = /^\//;

/**
 * The schema only knows that a function field holds a function: its signature names the
 * normalized service, which is inferred from this schema, so service.ts declares it.
 */
type ServiceFunction = (...args: never[]) => unknown;

/** A function field: TypeScript only, so a JSON or YAML export of a definition leaves it out. */
function callback(description: string) {
  return z.custom<ServiceFunction>((v) => typeof v === 'function', { message: 'expected a function' }).meta({ description: `${description} (TypeScript only: a function, absent from a JSON export)` });
}

const port = z.number().int().min(1).max(65535);
const positiveInt = z.number().int().positive();
const stringList = z.array(z.string());

export const tierSchema = z.enum(TIERS).meta({ description: 'CPU weight tier: the band of the Proxmox CPU weight (cpuunits) under contention.' });
export const serviceKindSchema = z.enum(['lxc', 'vm', 'external', 'none']).meta({ description: '`lxc` a container, `vm` a virtual machine, `external` a host outside Proxmox, `none` no guest of its own.' });
export const authModeSchema = z.enum(['authentik', 'app', 'none']).meta({ description: 'Who authenticates users: `authentik` the forwardAuth middleware, `app` the application\'s own login, `none` nobody.' });
export const serviceRoleSchema = z.enum(['ingress', 'identity', 'metrics', 'nfs', 'block-storage', 'dns', 'hypervisor']);
export const schemeSchema = z.enum(['http', 'https']);
export const protocolSchema = z.enum(['tcp', 'udp']);

export const artifactFormatSchema = z.enum([
  'traefik-static', 'traefik-dynamic', 'compose', 'authentik-blueprint', 'talos-config', 'prometheus-config', 'prometheus-rules',
  'prometheus-rules-test', 'alertmanager-config', 'nginx', 'wireguard', 'kubernetes', 'shell', 'systemd', 'json', 'yaml', 'text',
]).meta({ description: 'What kind of artifact a file is: selects the validators that apply to it.' });

export const routeSchema = z.strictObject({
  host: z.string().regex(ROUTE_HOST).meta({ description: 'Host name: a bare label (`sonarr`) becomes `sonarr.<domain>`; a full name must be inside the domain.' }),
  port: port.meta({ description: 'Backend port on the service\'s address.' }),
  scheme: schemeSchema.optional().meta({ description: 'Backend scheme.', default: 'http' }),
  auth: authModeSchema,
  admin: z.boolean().optional().meta({ description: 'An admin surface must be behind Authentik.', default: true }),
  public: z.boolean().optional().meta({ description: 'A deliberately public, read-only site with no login at all (a recipe site). Only a public, non-admin route may have auth "none" (rule routes: UnauthenticatedRoute).', default: false }),
  backend: z.string().optional().meta({ description: 'Backend address when it is not the service\'s own (Traefik\'s dashboard is `api@internal`). Default: the service\'s planned IP.' }),
  middlewares: z.array(z.string().min(1)).optional().meta({ description: 'Extra Traefik middlewares after auth. Default: none.' }),
  probePath: z.string().optional().meta({ description: 'Path probed by smoke tests and the blackbox exporter.', default: '/' }),
  name: z.string().optional().meta({ description: 'Name of the route, unique in the package. Default: the host label.' }),
  selfSignedBackend: z.boolean().optional().meta({ description: 'The https backend presents a self-signed certificate: the ingress verifies it against the CA the site pins in edge.backendCas.<service> (TLS verification is never skipped).', default: false }),
}).meta({ id: 'Route', description: 'A route through the ingress proxy to this service.' });

export const metricsEndpointSchema = z.strictObject({
  name: z.string(),
  port,
  path: z.string().optional().meta({ default: '/metrics' }),
  address: z.string().optional().meta({ description: 'Default: the service\'s planned IP.' }),
  params: z.record(z.string(), stringList).optional().meta({ description: 'Extra Prometheus params (the PVE exporter takes `target`). Default: none.' }),
  scheme: schemeSchema.optional().meta({ default: 'http' }),
}).meta({ id: 'MetricsEndpoint', description: 'An endpoint Prometheus scrapes.' });

export const portSchema = z.strictObject({
  port,
  protocol: protocolSchema,
  description: z.string(),
  public: z.boolean().optional().meta({ description: 'Reachable from the internet through a router port forward.', default: false }),
  from: z.array(z.string().min(1)).optional().meta({ description: 'Who else may reach the port through the guest firewall, beyond what the model derives (Traefik to route ports, the metrics scraper to metrics ports, anyone to public ports): `lan` (the site network), `vpn` (the WireGuard subnet), `management` (the site\'s management sources), `nfs-clients` (the Proxmox nodes that mount the NFS share) or a service name. Default: nobody else.' }),
}).meta({ id: 'Port', description: 'A port the service listens on.' });

export const secretRefSchema = z.strictObject({
  env: z.string().regex(ENV_NAME).meta({ description: 'Environment variable that holds the value at deploy time (never the value itself).' }),
  description: z.string(),
}).meta({ id: 'SecretRef', description: 'A secret, referenced by the name of the environment variable that holds it.' });

export const diskSchema = z.strictObject({
  storage: z.enum(['local', 'ceph']).meta({ description: '`local` (the node\'s LVM) or `ceph`.' }),
  sizeGiB: positiveInt,
}).meta({ id: 'GuestDisk' });

export const nfsMountSchema = z.strictObject({
  share: z.string().regex(ABSOLUTE_PATH).meta({ description: 'Path under the NFS share, e.g. `/media`.' }),
  path: z.string().regex(ABSOLUTE_PATH).meta({ description: 'Path inside the guest.' }),
  readOnly: z.boolean().optional().meta({ default: false }),
}).meta({ id: 'NfsMount' });

export const devicePassthroughSchema = z.strictObject({
  device: z.string().meta({ description: 'Device name on the node (`igpu`, `zigbee-coordinator`).' }),
  paths: stringList.optional().meta({ description: 'LXC only: the device nodes to pass through. Default: the site device\'s `path`, else its id.' }),
}).meta({ id: 'DevicePassthrough' });

export const resourcesSchema = z.strictObject({
  cores: positiveInt,
  memoryMiB: positiveInt.meta({ description: 'LXC: cgroup hard limit; VM: dedicated (maximum) memory.' }),
  balloonMiB: positiveInt.optional().meta({ description: 'VM balloon floor: the guaranteed minimum. Default: memoryMiB (no ballooning).' }),
  swapMiB: z.number().int().nonnegative().optional().meta({ description: 'Default: 512 for an LXC.' }),
  disks: z.array(diskSchema).min(1),
  passthroughDisks: z.boolean().optional().meta({ description: 'VM only: pass the node\'s disks whose role is `passthrough` to the guest raw (TrueNAS).', default: false }),
}).meta({ id: 'Resources' });

export const hostLevelSchema = z.strictObject({
  reason: z.string().meta({ description: 'Why this file belongs on a host outside the package\'s own guests, in one sentence.' }),
}).meta({ id: 'HostLevelFile', description: 'A declared file on a host that is not one of the package\'s own guests.' });

export const configFileSchema = z.strictObject({
  path: z.string().meta({ description: 'Absolute, normalized path on the target host, of letters, digits, `._-+@%=:,~` and systemd `\\xNN` escapes only (rule file-paths).' }),
  content: z.string(),
  mode: z.string().meta({ description: 'Octal mode string. Files that hold secrets must be 0600 or stricter.' }),
  format: artifactFormatSchema,
  host: z.string().optional().meta({ description: 'The host that receives the file: a service with a guest, a Proxmox node, an external host of the site, or `localhost` (the deploy machine). Default: the owning service.' }),
  hostLevel: hostLevelSchema.optional().meta({ description: 'Required for a file that goes to a host that is not one of the package\'s own guests (a Proxmox node, the deploy machine, another service\'s guest), saying why (rule file-hosts). Never allows a credentials path. Default: none (own guests only).' }),
  secret: z.boolean().optional().meta({ description: 'The file holds (or will hold, after deploy-time substitution) a secret. Default: true when its content reads an environment variable at deploy time, else false; `false` says such a file holds no secret (a CA certificate), so it may be readable by others.' }),
  owner: z.string().optional().meta({ description: 'Owner (and group) on the target: a user name (lowercase letters, digits, `_`, `-`) or a numeric id (rule file-owners).', default: 'root' }),
  createOnly: z.boolean().optional().meta({ description: 'Create the file only when it is absent (state the service writes itself, e.g. acme.json).', default: false }),
  restarts: stringList.optional().meta({ description: 'What to restart when this file changes: Compose stack directories (recreated), or systemd unit names such as `nginx.service` (deploy also enables and starts those). Default: the stack the file lives in.' }),
  run: z.boolean().optional().meta({ description: 'The file is a script (format `shell`) that deploy runs on its host after installing the files, on every deploy, so it must be idempotent. A line of its output starting with `homelab: changed` marks the step changed.', default: false }),
  tags: stringList.optional().meta({ description: 'Extra Ansible tags on the tasks that install and run this file. Default: none.' }),
}).meta({ id: 'ConfigFile', description: 'A file rendered from a template, with its exact target.' });

export const guestSchema = z.strictObject({
  name: z.string().regex(SERVICE_NAME),
  kind: z.enum(['lxc', 'vm']),
  placement: z.string().min(1).meta({ description: 'Address-plan entry name.' }),
  tier: tierSchema,
  cpuWeight: positiveInt.optional(),
  resources: resourcesSchema,
  os: z.string().optional(),
  devices: z.array(devicePassthroughSchema).optional(),
}).meta({ id: 'Guest', description: 'An additional guest in one service\'s stack, e.g. each Talos node.' });

export const serviceDefinitionSchema = z.strictObject({
  name: z.string().regex(SERVICE_NAME).meta({ description: 'Service name, a DNS label; also the address-plan key unless `placement` says otherwise.' }),
  description: z.string().min(1).meta({ description: 'What the service is for, in one line.' }),
  kind: serviceKindSchema,
  placement: z.string().optional().meta({ description: 'Address-plan entry name. Default: the service name.' }),
  sharesGuestWith: z.string().optional().meta({ description: 'Another service whose LXC/VM this one shares (declared sharing). Default: its own guest.' }),
  tier: tierSchema,
  cpuWeight: positiveInt.optional().meta({ description: 'Explicit CPU weight inside the tier\'s band. Default: the tier\'s default.' }),
  group: z.string().min(1).meta({ description: 'The site group the service belongs to.' }),
  resources: resourcesSchema.optional().meta({ description: 'Required for lxc and vm (unless the guest is shared).' }),
  os: z.string().optional().meta({ description: 'LXC template or VM image. Default: "debian-13" for an LXC.' }),
  docker: z.boolean().optional().meta({ description: 'Docker (Compose) runs inside: the LXC needs nesting and keyctl.', default: false }),
  nfsMounts: z.array(nfsMountSchema).optional(),
  devices: z.array(devicePassthroughSchema).optional(),
  routes: z.array(routeSchema).optional(),
  metrics: z.array(metricsEndpointSchema).optional(),
  ports: z.array(portSchema).optional(),
  secrets: z.array(secretRefSchema).optional(),
  dependsOn: z.array(z.string().min(1)).optional().meta({ description: 'Other services this one needs first. Must match the package.json dependencies.' }),
  startOnBoot: z.boolean().optional().meta({ default: true }),
  tags: stringList.optional(),
  files: callback('Config templates: a function of the render context returning ConfigFile objects').optional(),
  guests: z.array(guestSchema).optional().meta({ description: 'Extra guests in this service\'s stack (VMs of a cluster).' }),
  observer: z.boolean().optional().meta({ description: 'The service watches every other service with a metrics endpoint or a route (monitoring): they become its dependencies, derived by the model, which order deploys, but stopping them never waits for it to stop.', default: false }),
  nodeDisks: z.array(z.enum(['system', 'ceph-osd', 'passthrough'])).optional().meta({ description: 'Roles of the site\'s node disks this service sets up on the Proxmox hosts themselves (Ceph: `ceph-osd`): their device paths are its inputs, so one not yet measured holds its deploy back.' }),
  provides: z.array(serviceRoleSchema).optional().meta({ description: 'Roles this service plays for the others: route files go to the `ingress` host, blueprints to the `identity` host.' }),
  firewall: z.strictObject({
    enabled: z.literal(false),
    reason: z.string().min(1).meta({ description: 'Why these guests cannot have an input policy of DROP, and what guards them instead.' }),
  }).optional().meta({ description: 'Turns the generated Proxmox guest firewall off for this service\'s guests, with the reason. Default: on (input DROP, only what the model allows). A service with an admin route cannot turn it off (rule admin-backend-reach).' }),
  terraform: callback('Extra Terraform resources in this service\'s own stack (DNS records, roles, storage)').optional(),
  facts: serviceFactsSchema.optional(),
  hostPackages: z.record(z.string(), stringList).optional().meta({ description: 'Debian packages deploy installs (apt) before the files, per inventory host: the service\'s own name for its guest, or another host its files go to.' }),
}).meta({ description: 'What one service package declares: the argument of defineService({...}).' });
