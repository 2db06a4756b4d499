/**
 * Guest settings Proxmox VE reserves for root@pam, whatever the API token's role: LXC bind mounts
 * of host paths, device passthrough and features other than nesting; VM USB by host id and raw
 * disks. Terraform (least-privilege token) creates the guest without them and ignores them
 * afterwards; an idempotent script run as root on the guest's node applies them with `pct set` /
 * `qm set`, and reboots a running guest only when something changed (docs/decisions.md,
 * "Root-only guest settings").
 */
import type { ConfigFile, NormalizedGuest, NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { renderScript } from '../shell/render-script.ts';
import { deviceNodeOf, measuredValue } from '../model/unmeasured.ts';

export interface RootSetting {
  /** pct/qm option name without dashes: `mp1`, `dev0`, `features`, `usb0`, `scsi1`. */
  readonly key: string;
  /** Value as Proxmox prints it in `pct config` / `qm config` (default key first, then sorted). */
  readonly value: string;
  /** Proxmox appends computed properties (size=) to disks: match the value as a prefix. */
  readonly prefix?: boolean;
}

/** Terraform attributes whose live value the root step owns, per resource kind. */
export const ROOT_MANAGED_ATTRIBUTES = {
  lxc: ['features', 'mount_point', 'device_passthrough'],
  vm: ['usb', 'disk'],
} as const;

/** `default,key=value,...` with keys sorted, the way Proxmox prints property strings. */
export function pveProperty(first: string, options: Readonly<Record<string, string | number | undefined>>): string {
  const rest = Object.keys(options).sort().filter((k) => options[k] !== undefined).map((k) => `${k}=${options[k]}`);
  return [first, ...rest].join(',');
}

export function containerRootSettings(site: Site, service: NormalizedService, guest: NormalizedGuest): RootSetting[] {
  const settings: RootSetting[] = [];
  // Docker and NFS belong to the service's own guest; extra guests (a cluster's nodes) get devices only.
  const own = guest.name === service.name;
  if (own && service.docker) settings.push({ key: 'features', value: pveProperty('keyctl=1', { nesting: 1 }) });
  const firstBind = guest.resources.disks.length - 1;
  (own ? service.nfsMounts : []).forEach((m, i) => {
    const host = `${site.storage.nfs.hostMountPath}${m.share === '/' ? '' : m.share}`;
    settings.push({ key: `mp${firstBind + i}`, value: pveProperty(host, { backup: 0, mp: m.path, ro: m.readOnly ? 1 : undefined }) });
  });
  let dev = 0;
  for (const d of guest.devices) {
    const device = guest.node?.devices[d.device];
    if (!device) continue;
    // An unmeasured device node is left out (the manifest lists it; deploy waits for it).
    const node = deviceNodeOf(device);
    for (const path of d.paths ?? (node === undefined ? [] : [node])) settings.push({ key: `dev${dev++}`, value: pveProperty(path, { mode: '0660' }) });
  }
  return settings;
}

export function vmRootSettings(guest: NormalizedGuest, firstRawDisk: number): RootSetting[] {
  const settings: RootSetting[] = [];
  let usb = 0;
  for (const d of guest.devices) {
    const device = guest.node?.devices[d.device];
    const id = measuredValue(device?.id);
    if (device?.kind === 'usb' && id !== undefined) settings.push({ key: `usb${usb++}`, value: `host=${id}` });
  }
  if (guest.resources.passthroughDisks) {
    // Each raw disk keeps its slot whether or not the ones before it are measured yet, so
    // measuring one later does not move the others.
    const raw = guest.node?.disks.filter((d) => d.role === 'passthrough' && d.device !== undefined) ?? [];
    raw.forEach((d, i) => {
      const device = measuredValue(d.device);
      if (device !== undefined) settings.push({ key: `scsi${firstRawDisk + i}`, value: pveProperty(device, { backup: 0, replicate: 0 }), prefix: true });
    });
  }
  return settings;
}

/** The root-only settings of any guest, LXC or VM. */
export function guestRootSettings(site: Site, service: NormalizedService, guest: NormalizedGuest): RootSetting[] {
  return guest.kind === 'lxc' ? containerRootSettings(site, service, guest) : vmRootSettings(guest, guest.resources.disks.length);
}

export const ROOT_SETTINGS_DIR = '/usr/local/lib/homelab/guests';
/** Ansible tag of the root step's tasks on the Proxmox nodes. */
export const GUEST_SETTINGS_TAG = 'guest-settings';

/** The script's source; a file of core, found from this module wherever core is installed. */
export const ROOT_SETTINGS_SCRIPT_SOURCE = new URL('./root-settings.sh', import.meta.url);

/** The script for one guest, run as root on its node by the service's playbook. */
export function rootSettingsScript(guest: NormalizedGuest, settings: readonly RootSetting[], header: readonly string[]): string {
  const { vmid } = guest.placement;
  if (vmid === undefined) throw new Error(`guest ${guest.name}: root-only settings need the guest's VMID, and its address-plan entry has none`);
  return renderScript(ROOT_SETTINGS_SCRIPT_SOURCE, {
    header,
    values: {
      vmid,
      tool: guest.kind === 'lxc' ? 'pct' : 'qm',
      settings: { rows: settings.map((s) => [s.key, s.value, ...(s.prefix ? ['prefix'] : [])]) },
    },
  });
}

export function rootSettingsFile(guest: NormalizedGuest, settings: readonly RootSetting[], header: readonly string[]): ConfigFile {
  return {
    path: `${ROOT_SETTINGS_DIR}/${guest.placement.vmid}-${guest.name}.sh`,
    content: rootSettingsScript(guest, settings, header),
    mode: '0750',
    format: 'shell',
    host: guest.placement.node,
    run: true,
    tags: [GUEST_SETTINGS_TAG],
  };
}
