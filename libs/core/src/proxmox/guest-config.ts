/**
 * Maps a normalized guest to bpg/proxmox resource configuration: CPU weight from the tier, cores,
 * memory (hard limit for LXC; dedicated + balloon floor for VMs), disks on the right datastore,
 * the planned IP and gateway, unprivileged LXC with nesting where Docker runs, start on boot,
 * tags and a description naming the package and its version, and operation timeouts scaled by
 * the disks (disk-timeouts.ts).
 */
import type { NormalizedGuest, NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { parseCidr } from '../net/ipv4.ts';
import type { ContainerConfig, VmConfig } from './generated/bpg-proxmox.ts';
import { osImagesOf } from '../model/os-images.ts';
import { containerTimeouts, vmTimeouts } from './disk-timeouts.ts';
import { measuredValue } from '../model/unmeasured.ts';

export interface GuestContext {
  readonly site: Site;
  readonly service: NormalizedService;
  /** Boot order: the service's dependency wave, so dependencies boot first. */
  readonly startupOrder: number;
}

export function guestTags(service: NormalizedService, guest: NormalizedGuest): string[] {
  const version = service.pkg.version.replace(/[^a-z0-9_.+-]/gi, '_');
  return [...new Set(['homelab', `svc-${service.name}`, `group-${service.group}`, `tier-${guest.tier}`, `v${version}`, ...service.tags])].sort();
}

export function guestDescription(service: NormalizedService, guest: NormalizedGuest): string {
  return `${service.pkg.name}@${service.pkg.version} (${guest.name}): ${service.description}\nManaged by homelab from ${service.pkg.dir}; changes made in the Proxmox UI are overwritten.`;
}

function ipWithPrefix(site: Site, ip: string): string {
  return `${ip}/${parseCidr(site.network.cidr)?.prefix ?? 24}`;
}

function datastore(site: Site, storage: 'local' | 'ceph'): string {
  // A Ceph disk on a site without Ceph is a problem of the storage-dependencies rule.
  return storage === 'ceph' ? site.storage.ceph?.datastore ?? '' : site.storage.local;
}

export function containerConfig(guest: NormalizedGuest, ctx: GuestContext): ContainerConfig {
  const { site, service } = ctx;
  const [root, ...extra] = guest.resources.disks;
  const image = osImagesOf(site)[guest.os];
  const mountPoints = [
    ...extra.map((d, i) => ({ volume: datastore(site, d.storage), size: `${d.sizeGiB}G`, path: `/data${i || ''}` })),
    // NFS bind mounts (the share is mounted on the host, so a stalled mount is fixed on the host)
    // and device passthrough are root@pam's: root-settings.ts applies them on the node.
  ];
  return {
    node_name: guest.node?.name ?? guest.placement.node ?? '',
    vm_id: guest.placement.vmid,
    description: guestDescription(service, guest),
    tags: guestTags(service, guest),
    unprivileged: true,
    start_on_boot: service.startOnBoot,
    started: true,
    // keyctl (Docker) is root@pam's; the root step sets it with nesting.
    features: { nesting: service.docker },
    cpu: { cores: guest.resources.cores, units: guest.cpuWeight, architecture: 'amd64' },
    memory: { dedicated: guest.resources.memoryMiB, swap: guest.resources.swapMiB },
    disk: { datastore_id: datastore(site, root?.storage ?? 'local'), size: root?.sizeGiB ?? 8 },
    mount_point: mountPoints.length ? mountPoints : undefined,
    network_interface: [{ name: 'eth0', bridge: site.network.bridge, firewall: true }],
    initialization: {
      hostname: guest.name,
      ip_config: [{ ipv4: { address: ipWithPrefix(site, guest.placement.ip), gateway: site.network.gateway } }],
      dns: { domain: site.domain, servers: [...site.network.dns] },
      user_account: { keys: ['${var.ssh_public_key}'] },
    },
    operating_system: { template_file_id: `${site.storage.images}:${image?.file ?? guest.os}`, type: image?.type ?? 'debian' },
    startup: { order: ctx.startupOrder, up_delay: 5, down_delay: 5 },
    ...containerTimeouts(guest),
  };
}

export function vmConfig(guest: NormalizedGuest, ctx: GuestContext): VmConfig {
  const { site, service } = ctx;
  const image = osImagesOf(site)[guest.os];
  const pci = guest.devices.flatMap((d, i) => {
    const dev = guest.node?.devices[d.device];
    const mapping = measuredValue(dev?.id);
    return dev?.kind === 'pci' && mapping !== undefined ? [{ device: `hostpci${i}`, mapping, pcie: true }] : [];
  });
  const disks = guest.resources.disks.map((d, i) => ({
    datastore_id: datastore(site, d.storage), interface: `scsi${i}`, size: d.sizeGiB, iothread: true, discard: 'on', ssd: d.storage === 'local',
    // A disk-image OS (HAOS, cloud images) is imported into the first disk at creation.
    ...(i === 0 && image?.importDisk ? { import_from: `${site.storage.images}:${image.file}` } : {}),
  }));
  const uefi = image?.firmware === 'ovmf';
  return {
    name: guest.name,
    node_name: guest.node?.name ?? guest.placement.node ?? '',
    vm_id: guest.placement.vmid,
    description: guestDescription(service, guest),
    tags: guestTags(service, guest),
    on_boot: service.startOnBoot,
    started: true,
    machine: 'q35',
    scsi_hardware: 'virtio-scsi-single',
    agent: { enabled: true },
    cpu: { cores: guest.resources.cores, sockets: 1, type: 'host', units: guest.cpuWeight },
    // UEFI without pre-enrolled Secure Boot keys: HAOS is not signed for them.
    bios: uefi ? 'ovmf' : undefined,
    efi_disk: uefi ? { datastore_id: site.storage.local, type: '4m', pre_enrolled_keys: false } : undefined,
    // dedicated is the ceiling; floating is the balloon floor the host guarantees.
    memory: { dedicated: guest.resources.memoryMiB, floating: guest.resources.balloonMiB },
    // Raw passthrough disks and USB by host id are root@pam's: root-settings.ts applies them.
    disk: disks,
    network_device: [{
      bridge: site.network.bridge, model: 'virtio', firewall: true,
      disconnected: null, enabled: null, mac_address: null, mtu: null, queues: null, rate_limit: null, trunks: null, vlan_id: null,
    }],
    cdrom: image?.file.startsWith('iso/') && !image.importDisk ? { file_id: `${site.storage.images}:${image.file}`, interface: 'ide2' } : undefined,
    initialization: {
      datastore_id: site.storage.local,
      ip_config: [{ ipv4: { address: ipWithPrefix(site, guest.placement.ip), gateway: site.network.gateway } }],
      dns: { domain: site.domain, servers: [...site.network.dns] },
      user_account: image?.cloudInitUser ? { username: image.cloudInitUser, keys: ['${var.ssh_public_key}'] } : undefined,
    },
    operating_system: { type: image?.type ?? 'l26' },
    hostpci: pci.length ? pci : undefined,
    startup: { order: ctx.startupOrder, up_delay: 30, down_delay: 60 },
    ...vmTimeouts(guest),
  };
}
