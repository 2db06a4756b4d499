/**
 * Normalize: applies every default once and resolves names against the site (placement, node,
 * external host). Reports what cannot be resolved; the semantic checks live in ../policy.
 */
import type { ProblemCollector } from './collector.ts';
import { readFacts } from './facts/index.ts';
import type {
  GuestProps, NormalizedGuest, NormalizedRoute, NormalizedService, PackageInfo, ResourcesProps, RouteProps, ServiceProps,
} from './service.ts';
import type { BackendCa, Placement, Site } from './site.ts';
import type { Tier } from './tiers.ts';

// Debian 13: its docker-compose package is Compose v2 (the `docker compose` plugin); Debian 12's is v1.
const DEFAULT_LXC_OS = 'debian-13';
const DEFAULT_LXC_SWAP_MIB = 512;

export function normalizeService(props: ServiceProps, pkg: PackageInfo, site: Site, out: ProblemCollector): NormalizedService {
  const placementName = props.placement ?? props.name;
  const needsPlacement = props.kind !== 'none';
  const placement = needsPlacement ? resolvePlacement(site, placementName, 'placement', out) : site.addressPlan[placementName];
  const node = placement?.node !== undefined ? site.nodes.find((n) => n.name === placement.node) : undefined;
  if (placement?.node !== undefined && !node) {
    out.report('placement', 'UnknownNode', `address plan entry "${placementName}" names node "${placement.node}", which the site does not have`, placement.node, `Use one of: ${site.nodes.map((n) => n.name).join(', ')}.`);
  }
  const externalHost = placement?.host !== undefined ? site.externalHosts.find((h) => h.name === placement.host) : undefined;
  if (placement?.host !== undefined && !externalHost) {
    out.report('placement', 'UnknownHost', `address plan entry "${placementName}" names external host "${placement.host}", which the site does not have`, placement.host, `Use one of: ${site.externalHosts.map((h) => h.name).join(', ')}.`);
  }
  if (props.kind === 'external' && placement && placement.host === undefined) {
    out.report('placement', 'ExternalWithoutHost', 'an external service runs on a host outside Proxmox, but its address-plan entry names none', placement, 'Set host: "<external host name>" in the address plan.');
  }
  if ((props.kind === 'lxc' || props.kind === 'vm') && placement && !props.sharesGuestWith && (placement.node === undefined || placement.vmid === undefined)) {
    out.report('placement', 'GuestWithoutNodeOrVmid', `an ${props.kind.toUpperCase()} needs a node and a VMID in the address plan`, placement, `Give "${placementName}" a node and a vmid in the site's address plan.`);
  }
  // The site may put a package into one of its own groups (site.serviceGroups); else the package's own.
  const assigned = site.serviceGroups?.[props.name];
  const group = assigned ?? props.group;
  if (!(group in site.groups)) {
    const where = assigned !== undefined ? `the site's serviceGroups puts ${props.name} into group "${group}", which` : `group "${group}"`;
    out.report('group', 'UnknownGroup', `${where} is not one of the site's groups`, group, `Use one of: ${Object.keys(site.groups).join(', ')}${assigned === undefined ? ', or assign the service to one in the site\'s serviceGroups' : ''}.`);
  }

  const cpuWeight = resolveWeight(site, props.tier, props.cpuWeight, 'cpuWeight', out);
  const ip = placement?.ip;
  const routes = (props.routes ?? []).map((r, i) => normalizeRoute(r, i, site, ip, out));
  const guests: NormalizedGuest[] = [];
  if ((props.kind === 'lxc' || props.kind === 'vm') && !props.sharesGuestWith && placement && props.resources) {
    guests.push(makeGuest(site, {
      name: props.name, kind: props.kind, placement: placementName, tier: props.tier, cpuWeight: props.cpuWeight,
      resources: props.resources, os: props.os, devices: props.devices,
    }, placement, cpuWeight));
  }
  (props.guests ?? []).forEach((g, i) => {
    const p = resolvePlacement(site, g.placement, `guests[${i}].placement`, out);
    if (!p) return;
    if (p.node !== undefined && !site.nodes.some((n) => n.name === p.node)) {
      out.report(`guests[${i}].placement`, 'UnknownNode', `address plan entry "${g.placement}" names node "${p.node}", which the site does not have`, p.node, `Use one of: ${site.nodes.map((n) => n.name).join(', ')}.`);
    }
    guests.push(makeGuest(site, g, p, resolveWeight(site, g.tier, g.cpuWeight, `guests[${i}].cpuWeight`, out)));
  });

  return {
    props,
    pkg,
    name: props.name,
    description: props.description,
    kind: props.kind,
    placementName,
    placement,
    node,
    externalHost,
    ip,
    tier: props.tier,
    cpuWeight,
    group,
    docker: props.docker ?? false,
    startOnBoot: props.startOnBoot ?? true,
    nfsMounts: (props.nfsMounts ?? []).map((m) => ({ share: m.share, path: m.path, readOnly: m.readOnly ?? false })),
    devices: props.devices ?? [],
    routes,
    metrics: (props.metrics ?? []).map((m) => ({
      name: m.name, port: m.port, path: m.path ?? '/metrics', address: m.address ?? ip ?? '', scheme: m.scheme ?? 'http', params: m.params ?? {},
    })),
    ports: (props.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol, description: p.description, public: p.public ?? false, from: [...new Set(p.from ?? [])].sort() })),
    secrets: withPinnedCa(props.secrets ?? [], site.edge?.backendCas?.[props.name], routes.some((r) => r.selfSignedBackend)),
    dependsOn: [...(props.dependsOn ?? [])].sort(),
    tags: [...new Set(props.tags ?? [])].sort(),
    guests,
    sharesGuestWith: props.sharesGuestWith,
    provides: props.provides ?? [],
    nodeDisks: [...new Set(props.nodeDisks ?? [])].sort(),
    observer: props.observer ?? false,
    // parse has reported what is wrong with them; the model keeps the sound ones.
    facts: readFacts(props),
    // Filled in by the model once every service is known (model/observers.ts).
    observes: [],
    hostPackages: Object.fromEntries(Object.entries(props.hostPackages ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([h, p]) => [h, [...new Set(p)].sort()])),
  };
}

function resolvePlacement(site: Site, name: string, path: string, out: ProblemCollector): Placement | undefined {
  const placement = site.addressPlan[name];
  if (!placement) {
    out.report(path, 'UnknownPlacement', `the site's address plan has no entry "${name}"`, name, 'Add the entry to the site\'s address plan (libs/site) or set placement to an existing one.');
  }
  return placement;
}

function resolveWeight(site: Site, tier: Tier, explicit: number | undefined, path: string, out: ProblemCollector): number {
  const band = site.tiers[tier];
  if (!band) return explicit ?? 1024;
  if (explicit !== undefined && (explicit < band.min || explicit > band.max)) {
    const range = band.min === band.max ? `${band.min}` : `${band.min}–${band.max}`;
    out.report(path, 'CpuWeightOutsideTier', `tier "${tier}" has CPU weight ${range}`, explicit, `Remove cpuWeight to take ${band.default}, or change the tier.`);
  }
  return explicit ?? band.default;
}

function normalizeRoute(r: RouteProps, i: number, site: Site, ip: string | undefined, out: ProblemCollector): NormalizedRoute {
  const fqdn = r.host.includes('.') ? r.host : `${r.host}.${site.domain}`;
  if (fqdn !== site.domain && !fqdn.endsWith(`.${site.domain}`)) {
    out.report(`routes[${i}].host`, 'RouteHostOutsideDomain', `route host "${fqdn}" is not inside the domain ${site.domain}, so the wildcard certificate does not cover it`, r.host, `Use a name under ${site.domain}, e.g. "${r.host.split('.')[0]}".`);
  }
  const scheme = r.scheme ?? 'http';
  return {
    host: r.host,
    fqdn,
    port: r.port,
    scheme,
    auth: r.auth,
    admin: r.admin ?? true,
    public: r.public ?? false,
    backendUrl: r.backend ?? `${scheme}://${ip ?? '0.0.0.0'}:${r.port}`,
    middlewares: r.middlewares ?? [],
    probePath: r.probePath ?? '/',
    name: r.name ?? fqdn.split('.')[0]!.replace(/^\*$/, 'wildcard'),
    selfSignedBackend: r.selfSignedBackend ?? false,
  };
}

function makeGuest(site: Site, g: GuestProps, placement: Placement, cpuWeight: number): NormalizedGuest {
  const r: ResourcesProps = g.resources;
  return {
    name: g.name,
    kind: g.kind,
    placementName: g.placement,
    placement,
    node: site.nodes.find((n) => n.name === placement.node),
    tier: g.tier,
    cpuWeight,
    resources: {
      cores: r.cores,
      memoryMiB: r.memoryMiB,
      balloonMiB: r.balloonMiB ?? r.memoryMiB,
      swapMiB: r.swapMiB ?? (g.kind === 'lxc' ? DEFAULT_LXC_SWAP_MIB : 0),
      disks: r.disks,
      passthroughDisks: r.passthroughDisks ?? false,
    },
    os: g.os ?? (g.kind === 'lxc' ? DEFAULT_LXC_OS : 'l26'),
    devices: g.devices ?? [],
  };
}

/**
 * The CA a self-signed backend is verified with is an input of the deploy (site.edge.backendCas):
 * declared among the service's variables, so preflight refuses to deploy without it.
 */
function withPinnedCa(secrets: NonNullable<ServiceProps['secrets']>, ca: BackendCa | undefined, selfSigned: boolean): NonNullable<ServiceProps['secrets']> {
  if (!ca || !selfSigned || secrets.some((x) => x.env === ca.pemEnv)) return secrets;
  return [...secrets, { env: ca.pemEnv, description: `CA certificate (PEM) that verifies the self-signed backend: ${ca.description}` }];
}
