/**
 * OS names a service may ask for, and what they mean to Proxmox. Container templates are the
 * files Proxmox's own template repository offers (`pveam available`); VM images are the vendors'
 * installer ISOs and disk images. Where the node can fetch an image itself (PVE's download-url:
 * http(s), decompressing gz, lzo, zst or bz2), the image says where from: the hypervisor stack
 * downloads it onto every node that runs a guest of it, checked against the checksum the site
 * pins (model/image-checksums.ts). A site adds images of its own (site.osImages), merged over
 * these: osImagesOf(site).
 */
import type { Site } from './site.ts';

/** The checksum algorithms PVE's download-url verifies a file with. */
export type ImageChecksumAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
/** Hex digits of each algorithm's digest. */
export const DIGEST_HEX_LENGTH: Readonly<Record<ImageChecksumAlgorithm, number>> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

/** `vztmpl/x.tar.zst` → content `vztmpl`, name `x.tar.zst`: how the datastore files an image. */
export function imageVolume(file: string): { readonly content: string; readonly name: string } {
  const slash = file.indexOf('/');
  return { content: file.slice(0, slash), name: file.slice(slash + 1) };
}

/** The compressions PVE's download-url can undo while downloading. */
export type ImageDecompression = 'gz' | 'lzo' | 'zst' | 'bz2';

/** Where a node downloads an image from, and how the vendor publishes its checksum. */
export interface ImageSource {
  readonly url: string;
  readonly checksumAlgorithm: ImageChecksumAlgorithm;
  /** Where the vendor lists the checksum, for the operator who pins it. */
  readonly checksumsAt: string;
  /** The download is compressed; the node decompresses it into `file`. @default - stored as downloaded */
  readonly decompression?: ImageDecompression;
  /**
   * The download is compressed in a way PVE's download-url cannot undo (xz): the hypervisor
   * stack leaves it out, and bootstrap downloads it on the node over SSH, checks the pinned
   * checksum of the download and unpacks it into `file` (bootstrap/node-fetched-images.ts).
   * @default - the hypervisor stack downloads it
   */
  readonly unpackOnNode?: 'xz';
}

export interface OsImage {
  readonly kind: 'lxc' | 'vm';
  /** File name inside the images datastore, with its content directory: `vztmpl/…`, `iso/…`, `import/…`. */
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
  /** Where the nodes download it from. @default - placed on the nodes by hand (docs/bootstrap.md) */
  readonly source?: ImageSource;
  /** An image the nodes cannot download: where the operator gets it, and what to do to it first. */
  readonly byHand?: { readonly url: string; readonly unpack: string };
}

const PROXMOX_TEMPLATES = 'http://download.proxmox.com/images/system';
const proxmoxTemplate = (name: string): ImageSource => ({
  url: `${PROXMOX_TEMPLATES}/${name}`,
  checksumAlgorithm: 'sha512',
  checksumsAt: `the sha512sum of ${name} in Proxmox's template index (http://download.proxmox.com/images/aplinfo-pve-9.dat; on a node: pveam update, then grep -A20 ${name} /var/lib/pve-manager/apl-info/download.proxmox.com)`,
});

/**
 * Talos Image Factory schematic with the one official extension siderolabs/qemu-guest-agent
 * (packages/talos installs the same schematic, a test keeps the two equal).
 */
export const TALOS_IMAGE_SCHEMATIC = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';
const TALOS_ISO_URL = `https://factory.talos.dev/image/${TALOS_IMAGE_SCHEMATIC}/v1.13.9/nocloud-amd64.iso`;
const TRUENAS_VERSION = '25.10.1';
const TRUENAS_ISO_URL = `https://download.sys.truenas.net/TrueNAS-SCALE-Goldeye/${TRUENAS_VERSION}/TrueNAS-SCALE-${TRUENAS_VERSION}.iso`;
const DEBIAN_CLOUD_DIR = 'https://cloud.debian.org/images/cloud/bookworm/latest';
const HAOS_XZ_URL = 'https://github.com/home-assistant/operating-system/releases/download/16.3/haos_ova-16.3.qcow2.xz';

export const OS_IMAGES: Readonly<Record<string, OsImage>> = {
  'debian-12': { kind: 'lxc', file: 'vztmpl/debian-12-standard_12.12-1_amd64.tar.zst', type: 'debian', source: proxmoxTemplate('debian-12-standard_12.12-1_amd64.tar.zst') },
  'debian-13': { kind: 'lxc', file: 'vztmpl/debian-13-standard_13.1-2_amd64.tar.zst', type: 'debian', source: proxmoxTemplate('debian-13-standard_13.1-2_amd64.tar.zst') },
  'talos-1.13': {
    kind: 'vm', file: 'iso/talos-v1.13.9-nocloud-amd64.iso', type: 'l26',
    // The factory publishes no checksum list: the operator hashes the ISO once and pins it.
    source: { url: TALOS_ISO_URL, checksumAlgorithm: 'sha256', checksumsAt: `no list is published: curl -fsSL ${TALOS_ISO_URL} | sha256sum` },
  },
  'truenas-scale': {
    kind: 'vm', file: `iso/TrueNAS-SCALE-${TRUENAS_VERSION}.iso`, type: 'l26',
    source: { url: TRUENAS_ISO_URL, checksumAlgorithm: 'sha256', checksumsAt: `the SHA-256 TrueNAS publishes beside the ISO (${TRUENAS_ISO_URL}.sha256), or curl -fsSL ${TRUENAS_ISO_URL} | sha256sum` },
  },
  // HAOS ships only as .qcow2.xz, and PVE's download-url cannot undo xz (bpg/terraform-provider-
  // proxmox#1680): bootstrap fetches and unpacks it on the node (docs/bootstrap.md, "Images").
  haos: {
    kind: 'vm', file: 'import/haos_ova-16.3.qcow2', type: 'l26', firmware: 'ovmf', importDisk: true,
    source: { url: HAOS_XZ_URL, checksumAlgorithm: 'sha256', checksumsAt: `no list is published beside the release: curl -fsSL ${HAOS_XZ_URL} | sha256sum (the .xz as downloaded)`, unpackOnNode: 'xz' },
  },
  // Debian's generic cloud image is a disk (qcow2) configured by cloud-init; its user is "debian".
  'debian-12-vm': {
    kind: 'vm', file: 'import/debian-12-genericcloud-amd64.qcow2', type: 'l26', importDisk: true, cloudInitUser: 'debian',
    source: { url: `${DEBIAN_CLOUD_DIR}/debian-12-genericcloud-amd64.qcow2`, checksumAlgorithm: 'sha512', checksumsAt: `the line for debian-12-genericcloud-amd64.qcow2 in ${DEBIAN_CLOUD_DIR}/SHA512SUMS` },
  },
  'raspberry-pi-os': { kind: 'vm', file: '', type: 'l26' },
};

/** The images a guest of this site may ask for: the built-ins, with the site's own merged over them. */
export function osImagesOf(site: Pick<Site, 'osImages'>): Readonly<Record<string, OsImage>> {
  return site.osImages ? { ...OS_IMAGES, ...site.osImages } : OS_IMAGES;
}
