/**
 * The service model: what one package declares. Every optional field documents its default; the
 * defaults are applied once, in `normalize.ts`.
 */
import type { Tier } from './tiers.ts';
import type { Site, Placement, ProxmoxNode, ExternalHost } from './site.ts';
import type { StackExtension } from '../proxmox/stack.ts';

export type ServiceKind = 'lxc' | 'vm' | 'external' | 'none';

export type AuthMode = 'authentik' | 'app' | 'none';

export type ServiceRole = 'ingress' | 'identity' | 'metrics' | 'nfs' | 'block-storage' | 'dns' | 'hypervisor';

export interface RouteProps {
  /** Host name: a bare label (`sonarr`) becomes `sonarr.<domain>`; a full name must be inside the domain. */
  readonly host: string;
  /** Backend port on the service's address. */
  readonly port: number;
  /** @default "http" */
  readonly scheme?: 'http' | 'https';
  /** Who authenticates users. `authentik`: the forwardAuth middleware; `app`: the application's own login. */
  readonly auth: AuthMode;
  /** An admin surface must be behind Authentik. @default true */
  readonly admin?: boolean;
  /**
   * A deliberately public, read-only site with no login at all (a recipe site). Only a public,
   * non-admin route may have auth "none" (rule routes: UnauthenticatedRoute). @default false
   */
  readonly public?: boolean;
  /** Backend address when it is not the service's own (Traefik's dashboard is `api@internal`). @default - the service's planned IP */
  readonly backend?: string;
  /** Extra Traefik middlewares after auth. @default - none */
  readonly middlewares?: readonly string[];
  /** Path probed by smoke tests and the blackbox exporter. @default "/" */
  readonly probePath?: string;
  /** Name of the route, unique in the package. @default - the host label */
  readonly name?: string;
  /** Skip TLS verification of an https backend that has a self-signed certificate. @default false */
  readonly insecureBackend?: boolean;
}

export interface MetricsEndpoint {
  readonly name: string;
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default - the service's planned IP */
  readonly address?: string;
  /** Extra Prometheus params (the PVE exporter takes `target`). @default - none */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** @default "http" */
  readonly scheme?: 'http' | 'https';
}

export interface PortProps {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  readonly description: string;
  /** Reachable from the internet through a router port forward. @default false */
  readonly public?: boolean;
}

export interface SecretRef {
  /** Environment variable that holds the value at deploy time. */
  readonly env: string;
  readonly description: string;
}

export interface DiskProps {
  /** `local` (the node's LVM) or `ceph`. */
  readonly storage: 'local' | 'ceph';
  readonly sizeGiB: number;
}

export interface NfsMountProps {
  /** Path under the NFS share, e.g. `/media`. */
  readonly share: string;
  /** Path inside the guest. */
  readonly path: string;
  /** @default false */
  readonly readOnly?: boolean;
}

export interface DevicePassthrough {
  /** Device name on the node (`igpu`, `zigbee-coordinator`). */
  readonly device: string;
  /** LXC only: the device nodes to pass through. @default - the site device's `path`, else its id */
  readonly paths?: readonly string[];
}

export interface ResourcesProps {
  readonly cores: number;
  /** LXC: cgroup hard limit; VM: dedicated (maximum) memory. */
  readonly memoryMiB: number;
  /** VM balloon floor: the guaranteed minimum. @default memoryMiB (no ballooning) */
  readonly balloonMiB?: number;
  /** @default 512 for LXC */
  readonly swapMiB?: number;
  readonly disks: readonly DiskProps[];
  /** VM only: pass the node's disks whose role is `passthrough` to the guest raw (TrueNAS). @default false */
  readonly passthroughDisks?: boolean;
}

/** A file rendered from a template, with its exact target. */
export interface ConfigFile {
  /** Absolute path on the target host. */
  readonly path: string;
  readonly content: string;
  /** Octal mode string. Files that hold secrets must be 0600 or stricter. */
  readonly mode: string;
  /** What kind of artifact this is: selects the validators that apply to it. */
  readonly format: ArtifactFormat;
  /** The service whose host receives the file. @default - the owning service */
  readonly host?: string;
  /** The file holds (or will hold, after deploy-time substitution) a secret. @default false */
  readonly secret?: boolean;
  /** Owner on the target. @default "root" */
  readonly owner?: string;
  /** Create the file only when it is absent (state the service writes itself, e.g. acme.json). @default false */
  readonly createOnly?: boolean;
  /**
   * What to restart when this file changes: Compose stack directories (recreated), or systemd unit
   * names such as `nginx.service` (deploy also enables and starts those). @default - the stack the file lives in
   */
  readonly restarts?: readonly string[];
  /**
   * The file is a script (format `shell`) that deploy runs on its host after installing the files,
   * on every deploy, so it must be idempotent (check before create). A line of its output starting
   * with `homelab: changed` marks the step changed. On the deploy machine (`localhost`) the script
   * runs where synth wrote it, and the files in its directory stay there as its inputs. @default false
   */
  readonly run?: boolean;
  /** Extra Ansible tags on the tasks that install and run this file, so a run can select or skip them. @default - none */
  readonly tags?: readonly string[];
}

export type ArtifactFormat =
  | 'traefik-static'
  | 'traefik-dynamic'
  | 'compose'
  | 'authentik-blueprint'
  | 'talos-config'
  | 'prometheus-config'
  | 'prometheus-rules'
  | 'prometheus-rules-test'
  | 'alertmanager-config'
  | 'nginx'
  | 'wireguard'
  | 'kubernetes'
  | 'shell'
  | 'systemd'
  | 'json'
  | 'yaml'
  | 'text';

/** What a config renderer is given: the whole site and every service, normalized. */
export interface RenderContext {
  readonly site: Site;
  readonly service: NormalizedService;
  readonly services: readonly NormalizedService[];
}

export interface ServiceProps {
  /** Service name; also the address-plan key unless `placement` says otherwise. */
  readonly name: string;
  readonly description: string;
  readonly kind: ServiceKind;
  /** Address-plan entry name. @default - the service name */
  readonly placement?: string;
  /** Another service whose LXC/VM this one shares (declared sharing). @default - its own guest */
  readonly sharesGuestWith?: string;
  readonly tier: Tier;
  /** Explicit CPU weight inside the tier's band. @default - the tier's default */
  readonly cpuWeight?: number;
  readonly group: string;
  /** @default - none (required for lxc and vm) */
  readonly resources?: ResourcesProps;
  /** LXC template or VM image. @default "debian-13" for LXC */
  readonly os?: string;
  /** Docker (Compose) runs inside: the LXC needs nesting and keyctl. @default false */
  readonly docker?: boolean;
  /** @default - none */
  readonly nfsMounts?: readonly NfsMountProps[];
  /** @default - none */
  readonly devices?: readonly DevicePassthrough[];
  /** @default - none */
  readonly routes?: readonly RouteProps[];
  /** @default - none */
  readonly metrics?: readonly MetricsEndpoint[];
  /** @default - none */
  readonly ports?: readonly PortProps[];
  /** @default - none */
  readonly secrets?: readonly SecretRef[];
  /** Other services this one needs first. Must match the package.json dependencies. @default - none */
  readonly dependsOn?: readonly string[];
  /** @default true */
  readonly startOnBoot?: boolean;
  /** @default - none */
  readonly tags?: readonly string[];
  /** Config templates. @default - no files */
  readonly files?: (ctx: RenderContext) => readonly ConfigFile[];
  /** Extra Terraform resources for this service's stack (VMs of a cluster, DNS records). @default - derived from kind */
  readonly guests?: readonly GuestProps[];
  /**
   * The service's dependencies are what it watches (monitoring): they order deploys, so a new
   * route is also a new probe, but it does not need them running, so stopping them never waits
   * for it to stop. @default false
   */
  readonly observer?: boolean;
  /** Roles this service plays for the others: route files go to the `ingress` host, blueprints to the `identity` host. @default - none */
  readonly provides?: readonly ServiceRole[];
  /** Extra Terraform resources in this service's own stack (DNS records, roles, storage). @default - none */
  readonly terraform?: StackExtension;
  /** Free-form facts a renderer of another package may read (peers, pool names). @default - none */
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * Debian packages deploy installs (apt) before the files, per inventory host: the service's own
   * name for its guest, or another host its files go to (a Proxmox node by its name). @default - none
   */
  readonly hostPackages?: Readonly<Record<string, readonly string[]>>;
}

/** An additional guest in one service's stack, e.g. each Talos node. */
export interface GuestProps {
  readonly name: string;
  readonly kind: 'lxc' | 'vm';
  readonly placement: string;
  readonly tier: Tier;
  readonly cpuWeight?: number;
  readonly resources: ResourcesProps;
  readonly os?: string;
  readonly devices?: readonly DevicePassthrough[];
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
  readonly observer: boolean;
  readonly extra: Readonly<Record<string, unknown>>;
  /** Host → sorted, de-duplicated apt packages. */
  readonly hostPackages: Readonly<Record<string, readonly string[]>>;
}

/** A service package's default export. The identity function gives type checking and a marker. */
export function defineService(props: ServiceProps): ServiceProps {
  return Object.freeze({ ...props });
}
