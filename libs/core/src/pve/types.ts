/**
 * What the client reads from the Proxmox VE API (9.x), reduced to the fields homelab uses. PVE
 * encodes booleans as 0/1; the client turns the ones below into booleans.
 */
export type GuestType = 'lxc' | 'qemu';

/** `GET /cluster/resources` item. */
export interface ClusterResource {
  readonly id: string;
  /** `qemu`, `lxc`, `node`, `storage`, `sdn`, ... */
  readonly type: string;
  readonly node?: string;
  readonly vmid?: number;
  readonly name?: string;
  /** Guests: `running`, `stopped`, ...; nodes: `online`, `offline`, `unknown`. */
  readonly status?: string;
  /** Seconds. */
  readonly uptime?: number;
  /** Guest tags, `;`-separated as PVE returns them. */
  readonly tags?: string;
  readonly template?: boolean;
  readonly hastate?: string;
}

/** `GET /cluster/status` item: one `cluster` entry and one per node. */
export interface ClusterStatusEntry {
  readonly type: 'cluster' | 'node';
  readonly id: string;
  readonly name: string;
  readonly nodes?: number;
  readonly quorate?: boolean;
  readonly online?: boolean;
  readonly local?: boolean;
  readonly ip?: string;
  readonly nodeid?: number;
}

/** `GET /cluster/ceph/status` (free-form in the schema): the parts `ceph status -f json` gives. */
export interface CephStatus {
  readonly health?: {
    readonly status?: string;
    readonly checks?: Readonly<Record<string, { readonly severity?: string; readonly summary?: { readonly message?: string } }>>;
  };
}

/** `GET /nodes/{node}/tasks/{upid}/status`. */
export interface TaskStatus {
  readonly upid: string;
  readonly node: string;
  readonly status: 'running' | 'stopped';
  /** `OK`, `WARNINGS: n`, or the error. Present once stopped. */
  readonly exitstatus?: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  readonly starttime: number;
}

/** `GET /nodes/{node}/{lxc|qemu}/{vmid}/status/current`. */
export interface GuestCurrentStatus {
  readonly status: string;
  readonly vmid: number;
  readonly name?: string;
  readonly uptime?: number;
}

/**
 * `GET /nodes/{node}/{lxc|qemu}/{vmid}/config`: PVE's config keys with their raw values. Numbers
 * for `cores`, `cpuunits`, `balloon`, `swap` and LXC `memory`; strings for the rest (QEMU
 * `memory` is `[current=]<MiB>`; disks `<storage>:<volume>,size=8G,...`; `net0`
 * `name=eth0,bridge=vmbr0,ip=...` or `virtio=<mac>,bridge=vmbr0`; `tags` `;`-separated).
 */
export type GuestConfig = Readonly<Record<string, string | number | undefined>>;
