/**
 * The service model: the types of what one package declares (inferred from service-schema.ts,
 * where every optional field documents its default) and of its normalized form. The defaults are
 * applied once, in `normalize.ts`.
 */
import type { Tier } from './tiers.ts';
import type { Disk, Site, Placement, ProxmoxNode, ExternalHost } from './site.ts';
import type { Declared } from './deep-readonly.ts';
import type { ServiceFacts } from './facts/index.ts';
import type {
  artifactFormatSchema, authModeSchema, configFileSchema, devicePassthroughSchema, diskSchema, guestSchema, metricsEndpointSchema,
  nfsMountSchema, portSchema, resourcesSchema, routeSchema, secretRefSchema, serviceDefinitionSchema, serviceKindSchema, serviceRoleSchema,
} from './service-schema.ts';

// The definition types are inferred from the schemas (service-schema.ts): a key cannot exist here
// without being in the schema, and so in the generated JSON Schema and the unknown-key check.
export type ServiceKind = Declared<typeof serviceKindSchema>;
export type AuthMode = Declared<typeof authModeSchema>;
export type ServiceRole = Declared<typeof serviceRoleSchema>;
export type RouteProps = Declared<typeof routeSchema>;
export type MetricsEndpoint = Declared<typeof metricsEndpointSchema>;
export type PortProps = Declared<typeof portSchema>;
export type SecretRef = Declared<typeof secretRefSchema>;
export type DiskProps = Declared<typeof diskSchema>;
export type NfsMountProps = Declared<typeof nfsMountSchema>;
export type DevicePassthrough = Declared<typeof devicePassthroughSchema>;
export type ResourcesProps = Declared<typeof resourcesSchema>;
/** A file rendered from a template, with its exact target. */
export type ConfigFile = Declared<typeof configFileSchema>;
export type ArtifactFormat = Declared<typeof artifactFormatSchema>;
/**
 * What one service package declares (`defineService({...})`). The function fields get their
 * signatures here: they name the normalized service, which the schema cannot import.
 */
export type ServiceProps = Omit<Declared<typeof serviceDefinitionSchema>, 'files' | 'terraform'> & {
  /** Config templates: a function of the render context returning ConfigFile objects. */
  readonly files?: (ctx: RenderContext) => readonly ConfigFile[];
  /** Extra Terraform resources in this service's own stack (DNS records, roles, storage). */
  readonly terraform?: TerraformExtension;
};
/** An additional guest in one service's stack, e.g. each Talos node. */
export type GuestProps = Declared<typeof guestSchema>;

/**
 * Where a service adds its own Terraform resources. The model never looks inside: the Terraform
 * module (proxmox/) passes its cdktf stack, and its resource classes and helpers take this type,
 * so a definition names no cdktf type.
 */
export interface TerraformScope {
  readonly node: unknown;
}

/** What a service's Terraform extension is given besides the scope. */
export interface TerraformContext {
  readonly site: Site;
  readonly service: NormalizedService;
  /** Every service of the site: the guest firewalls let in the ingress, the scraper and named peers. */
  readonly services: readonly NormalizedService[];
  /** The service's dependency wave (1-based), used as the Proxmox boot order. */
  readonly wave: number;
}

/** Extra Terraform a service adds to its own stack (DNS records, roles, storage). */
export type TerraformExtension = (scope: TerraformScope, ctx: TerraformContext) => void;

/** What a config renderer is given: the whole site and every service, normalized. */
export interface RenderContext {
  readonly site: Site;
  readonly service: NormalizedService;
  readonly services: readonly NormalizedService[];
}

/** What the loader knows of the package that holds a service. */
export interface PackageInfo {
  /** Workspace-relative directory, e.g. `packages/traefik`. */
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** Workspace package names listed in dependencies (any kind). */
  readonly dependencies: readonly string[];
}

export interface NormalizedRoute extends Required<Omit<RouteProps, 'backend' | 'middlewares'>> {
  readonly fqdn: string;
  readonly backendUrl: string;
  readonly middlewares: readonly string[];
}

export interface NormalizedMetrics {
  readonly name: string;
  readonly port: number;
  readonly path: string;
  readonly address: string;
  readonly scheme: 'http' | 'https';
  readonly params: Readonly<Record<string, readonly string[]>>;
}

export interface NormalizedGuest {
  readonly name: string;
  readonly kind: 'lxc' | 'vm';
  readonly placementName: string;
  readonly placement: Placement;
  readonly node?: ProxmoxNode;
  readonly tier: Tier;
  readonly cpuWeight: number;
  readonly resources: Required<ResourcesProps>;
  readonly os: string;
  readonly devices: readonly DevicePassthrough[];
}

export interface NormalizedService {
  readonly props: ServiceProps;
  readonly pkg: PackageInfo;
  readonly name: string;
  readonly description: string;
  readonly kind: ServiceKind;
  readonly placementName: string;
  readonly placement?: Placement;
  readonly node?: ProxmoxNode;
  readonly externalHost?: ExternalHost;
  readonly ip?: string;
  readonly tier: Tier;
  readonly cpuWeight: number;
  readonly group: string;
  readonly docker: boolean;
  readonly startOnBoot: boolean;
  readonly nfsMounts: readonly Required<NfsMountProps>[];
  readonly devices: readonly DevicePassthrough[];
  readonly routes: readonly NormalizedRoute[];
  readonly metrics: readonly NormalizedMetrics[];
  readonly ports: readonly Required<PortProps>[];
  readonly secrets: readonly SecretRef[];
  readonly dependsOn: readonly string[];
  readonly tags: readonly string[];
  /** Proxmox guests of this service's stack (its own plus declared extra guests). */
  readonly guests: readonly NormalizedGuest[];
  readonly sharesGuestWith?: string;
  readonly provides: readonly ServiceRole[];
  /** Roles of node disks the service sets up on the hosts (Ceph OSDs); sorted. */
  readonly nodeDisks: readonly Disk['role'][];
  readonly observer: boolean;
  /** What the service states for the rules and the others' renderers: only the facts that parsed. */
  readonly facts: ServiceFacts;
  /** What an observer watches (model/observers.ts), also in its dependsOn; empty for the others. */
  readonly observes: readonly string[];
  /** The stack that creates the Proxmox token this service's guests are made with (model/token-edges.ts), also in its dependsOn. */
  readonly tokenFrom?: string;
  /** Host → sorted, de-duplicated apt packages. */
  readonly hostPackages: Readonly<Record<string, readonly string[]>>;
}

/**
 * A definition computed from the site it is synthesized for: the loader calls it with that site
 * (the one `HOMELAB_SITE` names, or libs/site), so a package never imports a site of its own.
 */
export type SiteDefinition = (site: Site) => ServiceProps;

/** What a service package's default export is: the definition, or a function of the site. */
export type ServiceDefinition = ServiceProps | SiteDefinition;

/**
 * A service package's default export. The plain form is data; the function form
 * (`defineService((site) => ({ ... }))`) receives the site being synthesized. Either way the
 * identity gives type checking and a marker.
 */
export function defineService(props: ServiceProps): ServiceProps;
export function defineService(define: SiteDefinition): SiteDefinition;
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return typeof definition === 'function' ? definition : Object.freeze({ ...definition });
}
