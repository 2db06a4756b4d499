/**
 * The shape of a site: the physical facts of one homelab. libs/core defines the shape only; the
 * values live in a site library (this repository's is libs/site).
 */
import type { Ipv4Range } from '../net/ipv4.ts';

export interface Disk {
  readonly kind: 'ssd' | 'hdd' | 'nvme';
  readonly sizeGiB: number;
  /** What the disk is used for: the node's LVM, a Ceph OSD, passthrough to a VM. */
  readonly role: 'system' | 'ceph-osd' | 'passthrough';
  /** Stable device path, for passthrough and OSD creation. */
  readonly device?: string;
}

export interface ProxmoxNode {
  readonly name: string;
  /** The hardware's own name, when it differs from the Proxmox node name (pve1 = thinkcentre1). */
  readonly alias?: string;
  readonly ip: string;
  readonly hardware: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly disks: readonly Disk[];
  /** Named devices that can be passed through, e.g. `igpu`, `zigbee-coordinator`. */
  readonly devices: Readonly<Record<string, Device>>;
}

export interface Device {
  readonly kind: 'usb' | 'pci' | 'dev';
  /** USB vendor:product, PCI mapping name, or device node path. */
  readonly id: string;
  /**
   * Device node on the node, for passing a `usb` device to an LXC (an LXC takes device nodes, not
   * vendor:product ids): a serial device (`/dev/ttyACM0`, `/dev/serial/by-id/...`) or a libusb
   * node (`/dev/bus/usb/BBB/DDD`). VMs keep using `id`.
   * @default - `id` (right for `dev` devices, whose id is the node path)
   */
  readonly path?: string;
  readonly description: string;
}

/** A host that is not a Proxmox guest (a Raspberry Pi), configured over SSH. */
export interface ExternalHost {
  readonly name: string;
  readonly ip: string;
  readonly hardware: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly arch: 'arm64' | 'armhf' | 'amd64';
}

export interface Storage {
  /** Datastore id of each node's local LVM-thin pool. */
  readonly local: string;
  /** Ceph RBD datastore used for VM disks that must migrate. */
  readonly ceph: { readonly datastore: string; readonly pool: string; readonly size: number; readonly minSize: number };
  /** The NFS share, mounted on every Proxmox host and bind-mounted into containers. */
  readonly nfs: {
    readonly datastore: string;
    readonly server: string;
    readonly export: string;
    /** Where the share is mounted on the Proxmox host. */
    readonly hostMountPath: string;
  };
  /** Datastore that holds container templates and ISO images. */
  readonly images: string;
}

export interface Placement {
  /** Proxmox node name; absent for external hosts. */
  readonly node?: string;
  readonly vmid?: number;
  readonly ip: string;
  /** Name of an external host (Raspberry Pi) instead of a Proxmox guest. */
  readonly host?: string;
}

export interface GroupPolicy {
  readonly description: string;
  /** Refuses stop unconditionally. */
  readonly alwaysOn?: boolean;
  /** Members are bound to hardware: excluded from bulk operations. */
  readonly hardwareBound?: boolean;
}

export interface PortForward {
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  /** The service whose address receives the forward. */
  readonly service: string;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly content: string;
  readonly proxied: boolean;
  readonly comment: string;
}

export interface Assumption {
  /** Where the assumed value lives, e.g. `addressPlan.openclaw.vmid`. */
  readonly path: string;
  readonly value: unknown;
  /** Why this value, and what the seed says or does not say. */
  readonly reason: string;
}

export interface OvercommitLimits {
  /** Committed vCPUs / physical cores. */
  readonly cpu: number;
  /** Committed RAM (LXC limits + VM balloon floors) / physical RAM. */
  readonly memory: number;
}

export interface TierWeights {
  readonly [tier: string]: { readonly min: number; readonly max: number; readonly default: number };
}

export interface Site {
  readonly name: string;
  readonly domain: string;
  readonly network: {
    readonly cidr: string;
    readonly gateway: string;
    readonly dns: readonly string[];
    readonly bridge: string;
  };
  readonly nodes: readonly ProxmoxNode[];
  readonly externalHosts: readonly ExternalHost[];
  readonly storage: Storage;
  /** Which service gets which VMID, IP and node. Keyed by service (or unit) name. */
  readonly addressPlan: Readonly<Record<string, Placement>>;
  readonly kubernetes: {
    readonly apiVip: string;
    readonly metallbPool: Ipv4Range;
  };
  readonly wireguard: { readonly subnet: string; readonly port: number; readonly endpointHost: string };
  readonly portForwards: readonly PortForward[];
  readonly dns: { readonly zone: string; readonly records: readonly DnsRecord[] };
  readonly groups: Readonly<Record<string, GroupPolicy>>;
  readonly overcommit: OvercommitLimits;
  readonly tiers: TierWeights;
  /** Secrets the site itself needs at deploy (provider token), by environment variable name. */
  readonly providerEnv: { readonly endpoint: string; readonly apiToken: string };
  /** Every value chosen where the seed is silent. */
  readonly assumptions: readonly Assumption[];
}
