/**
 * Where a site leaves facts unmeasured (model/unmeasured.ts), and which service waits for which:
 * the plan lists them, synthesis records them in the service's manifest, deploy preflight refuses
 * the service, and `homelab discover` matches the hardware ones with what the cluster reports.
 */
import type { NormalizedGuest, NormalizedService } from './service.ts';
import type { Device, Disk, Site } from './site.ts';
import { isUnmeasured } from './unmeasured.ts';
import { imageChecksumInputs, serviceImageInputs, type UnmeasuredImageInput } from './image-checksums.ts';

interface InputBase {
  /** Site path of the input, e.g. `nodes.pve2.disks[1].device`. */
  readonly path: string;
  /** The node whose hardware it is. */
  readonly node: string;
  /** What the fact is and how to measure it (the site's own words). */
  readonly how: string;
}

/** A node disk's stable device path. */
export interface UnmeasuredDiskInput extends InputBase {
  readonly kind: 'disk-device';
  readonly disk: { readonly index: number; readonly kind: Disk['kind']; readonly sizeGiB: number; readonly role: Disk['role'] };
}

/** A node device's id (USB vendor:product, PCI mapping) or its device node path. */
export interface UnmeasuredDeviceInput extends InputBase {
  readonly kind: 'device-id' | 'device-path';
  readonly device: {
    readonly name: string;
    readonly kind: Device['kind'];
    readonly description: string;
    /** The measured id, when only the path is missing (an RTL-SDR's known vendor:product). */
    readonly id?: string;
  };
}

/** A fact of a node's hardware, which the cluster's own listings can tell (homelab discover). */
export type HardwareInput = UnmeasuredDiskInput | UnmeasuredDeviceInput;

export type UnmeasuredInput = HardwareInput | UnmeasuredImageInput;

export const isHardwareInput = (input: UnmeasuredInput): input is HardwareInput => input.kind !== 'image-checksum';

/** Roles of node disks a service sets up on the hosts themselves (serviceDefinition.nodeDisks). */
export type NodeDiskRole = Disk['role'];

const diskPath = (node: string, i: number) => `nodes.${node}.disks[${i}].device`;
const devicePath = (node: string, name: string, field: 'id' | 'path') => `nodes.${node}.devices.${name}.${field}`;

/** Every unmeasured hardware input of the site, in site order (nodes, their disks, then their devices). */
export function siteHardwareInputs(site: Site): HardwareInput[] {
  const inputs: HardwareInput[] = [];
  for (const node of site.nodes) {
    node.disks.forEach((d, index) => {
      if (isUnmeasured(d.device)) {
        inputs.push({ kind: 'disk-device', path: diskPath(node.name, index), node: node.name, how: d.device.unmeasured, disk: { index, kind: d.kind, sizeGiB: d.sizeGiB, role: d.role } });
      }
    });
    for (const [name, dev] of Object.entries(node.devices)) {
      for (const field of ['id', 'path'] as const) {
        const value = dev[field];
        if (!isUnmeasured(value)) continue;
        inputs.push({
          kind: field === 'id' ? 'device-id' : 'device-path', path: devicePath(node.name, name, field), node: node.name, how: value.unmeasured,
          device: { name, kind: dev.kind, description: dev.description, ...(field === 'path' && typeof dev.id === 'string' ? { id: dev.id } : {}) },
        });
      }
    }
  }
  return inputs;
}

/**
 * The device fields a guest's passthrough reads: an LXC takes the device node (`path`, else
 * `id`) unless the service names its own paths; a VM takes USB and PCI devices by `id`.
 */
function usedDeviceFields(guest: NormalizedGuest, paths: readonly string[] | undefined, dev: Device): readonly ('id' | 'path')[] {
  if (guest.kind === 'lxc') return paths ? [] : [dev.path !== undefined ? 'path' : 'id'];
  return dev.kind === 'dev' ? [] : ['id'];
}

/**
 * Every unmeasured input of the site: the hardware ones in site order, then the checksums of the
 * downloaded images its guests (`services`) use, by image name.
 */
export function siteUnmeasuredInputs(site: Site, services: readonly NormalizedService[] = []): UnmeasuredInput[] {
  return [...siteHardwareInputs(site), ...imageChecksumInputs(site, services)];
}

/** The unmeasured inputs this service's artifacts would need: what it waits for. In site order. */
export function serviceUnmeasuredInputs(site: Site, service: NormalizedService): UnmeasuredInput[] {
  const wanted = new Set<string>();
  for (const guest of service.guests) {
    const node = guest.node;
    if (!node) continue;
    for (const d of guest.devices) {
      const dev = node.devices[d.device];
      if (!dev) continue;
      for (const field of usedDeviceFields(guest, d.paths, dev)) if (isUnmeasured(dev[field])) wanted.add(devicePath(node.name, d.device, field));
    }
    if (guest.kind === 'vm' && guest.resources.passthroughDisks) {
      node.disks.forEach((disk, i) => { if (disk.role === 'passthrough' && isUnmeasured(disk.device)) wanted.add(diskPath(node.name, i)); });
    }
  }
  for (const node of site.nodes) {
    node.disks.forEach((disk, i) => { if (service.nodeDisks.includes(disk.role) && isUnmeasured(disk.device)) wanted.add(diskPath(node.name, i)); });
  }
  return [...siteHardwareInputs(site).filter((input) => wanted.has(input.path)), ...serviceImageInputs(site, service)];
}

/** Every unmeasured input with the services that wait for it (none: nothing uses it yet). */
export function unmeasuredInputsByService(site: Site, services: readonly NormalizedService[]): { readonly input: UnmeasuredInput; readonly services: readonly string[] }[] {
  const waiting = new Map<string, string[]>();
  for (const s of services) for (const input of serviceUnmeasuredInputs(site, s)) waiting.set(input.path, [...(waiting.get(input.path) ?? []), s.name]);
  return siteUnmeasuredInputs(site, services).map((input) => ({ input, services: [...(waiting.get(input.path) ?? [])].sort() }));
}
