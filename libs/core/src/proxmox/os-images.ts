/**
 * OS names a service may ask for, and what they mean to Proxmox. Container templates are the
 * files Proxmox's own template index offers (`pveam available`); VM images are installed from
 * ISOs that the operator uploads (their file names are given here as the convention we use).
 * A site adds images of its own (site.osImages), merged over these: osImagesOf(site).
 */
import type { Site } from '../model/site.ts';

export interface OsImage {
  readonly kind: 'lxc' | 'vm';
  /** File name inside the images datastore (vztmpl or iso content). */
  readonly file: string;
  /** Proxmox OS type: LXC `operating_system.type`, VM `operating_system.type`. */
  readonly type: string;
  /** VM firmware: `ovmf` (UEFI) for images that boot only that way (HAOS). @default - SeaBIOS */
  readonly firmware?: 'ovmf';
  /**
   * VM: the file is a disk image imported into the first disk (`import_from`, content type
   * `import`), not an installer ISO attached as a CD-ROM. @default false
   */
  readonly importDisk?: boolean;
  /** VM cloud images: the user cloud-init gives the deploy SSH key to. @default - no cloud-init user */
  readonly cloudInitUser?: string;
}

export const OS_IMAGES: Readonly<Record<string, OsImage>> = {
  'debian-12': { kind: 'lxc', file: 'vztmpl/debian-12-standard_12.12-1_amd64.tar.zst', type: 'debian' },
  'debian-13': { kind: 'lxc', file: 'vztmpl/debian-13-standard_13.1-2_amd64.tar.zst', type: 'debian' },
  'talos-1.13': { kind: 'vm', file: 'iso/talos-v1.13.9-nocloud-amd64.iso', type: 'l26' },
  'truenas-scale': { kind: 'vm', file: 'iso/TrueNAS-SCALE-25.10.iso', type: 'l26' },
  // HAOS ships as a disk image (haos_ova-*.qcow2.xz, decompressed) and boots only with UEFI.
  haos: { kind: 'vm', file: 'import/haos_ova-16.3.qcow2', type: 'l26', firmware: 'ovmf', importDisk: true },
  // Debian's generic cloud image is a disk (qcow2) configured by cloud-init; its user is "debian".
  'debian-12-vm': { kind: 'vm', file: 'import/debian-12-genericcloud-amd64.qcow2', type: 'l26', importDisk: true, cloudInitUser: 'debian' },
  'raspberry-pi-os': { kind: 'vm', file: '', type: 'l26' },
};

/** The images a guest of this site may ask for: the built-ins, with the site's own merged over them. */
export function osImagesOf(site: Pick<Site, 'osImages'>): Readonly<Record<string, OsImage>> {
  return site.osImages ? { ...OS_IMAGES, ...site.osImages } : OS_IMAGES;
}
