/**
 * The OS images the hypervisor stack downloads (proxmox_download_file, PVE's download-url): one
 * per image and node, on every node that runs a guest booting from it, into the site's images
 * datastore, verified against the checksum the site pins. The images datastore is a node's own
 * (`local`), so each node needs its copy. An image whose checksum is not pinned yet is left out;
 * its guests' services wait for it (model/image-checksums.ts).
 *
 * The guest stacks name the same file (`<datastore>:<content>/<name>`); they depend on the
 * hypervisor service (model/token-edges.ts), so the file is there before any guest needs it.
 */
import type { NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { pinnedImage, usedImageNames } from '../model/image-checksums.ts';
import { imageVolume } from '../model/os-images.ts';
import type { DownloadFileConfig } from './generated/bpg-proxmox.ts';

/** Large ISOs and disk images outlast PVE's default download timeout (600 s) on a home uplink. */
export const IMAGE_DOWNLOAD_TIMEOUT_SECONDS = 3600;

export interface ImageDownload {
  /** Terraform resource name: `image_<image>_<node>`. */
  readonly id: string;
  readonly config: DownloadFileConfig;
}

const terraformName = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The nodes the guests booting from `name` are placed on, sorted. */
function nodesRunning(services: readonly NormalizedService[], name: string): string[] {
  const nodes = services.flatMap((s) => s.guests.filter((g) => g.os === name).map((g) => g.node?.name ?? g.placement.node ?? ''));
  return [...new Set(nodes.filter(Boolean))].sort();
}

export function imageDownloads(site: Site, services: readonly NormalizedService[]): ImageDownload[] {
  return usedImageNames(services).flatMap((name) => {
    const pinned = pinnedImage(site, name);
    // What download-url cannot unpack, bootstrap fetches on the node (bootstrap/node-fetched-images.ts).
    if (!pinned || pinned.image.source.unpackOnNode) return [];
    const { image, checksum } = pinned;
    const { content, name: fileName } = imageVolume(image.file);
    return nodesRunning(services, name).map((node): ImageDownload => ({
      id: terraformName(`image_${name}_${node}`),
      config: {
        node_name: node,
        datastore_id: site.storage.images,
        content_type: content,
        file_name: fileName,
        url: image.source.url,
        checksum,
        checksum_algorithm: image.source.checksumAlgorithm,
        decompression_algorithm: image.source.decompression,
        // The pinned file stays: a changed download (a "latest" URL) must not replace what the
        // checksum vouches for. A file of the same name placed by hand stops the apply instead of
        // being deleted (docs/bootstrap.md, "Images").
        overwrite: false,
        overwrite_unmanaged: false,
        upload_timeout: content === 'vztmpl' ? undefined : IMAGE_DOWNLOAD_TIMEOUT_SECONDS,
      },
    }));
  });
}
