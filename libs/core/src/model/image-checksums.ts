/**
 * The checksum a downloaded OS image is verified with. The vendors publish them, but nobody here
 * has read them yet, so the site pins each one (site.imageChecksums); until it does, the image's
 * checksum is an unmeasured input: the hypervisor stack leaves that download out and deploy
 * refuses the services whose guests boot from the image, naming where the vendor lists it.
 */
import { osImagesOf, type ImageSource, type OsImage } from './os-images.ts';
import type { NormalizedService } from './service.ts';
import type { Site } from './site.ts';
import { isUnmeasured, measuredValue } from './unmeasured.ts';

/** An image's pinned checksum that the site does not hold yet. */
export interface UnmeasuredImageInput {
  readonly kind: 'image-checksum';
  /** `imageChecksums.<image>`. */
  readonly path: string;
  readonly how: string;
  readonly image: { readonly name: string; readonly url: string; readonly algorithm: ImageSource['checksumAlgorithm'] };
}

/** A downloadable image with its pinned checksum: what the hypervisor stack downloads. */
export interface PinnedImage {
  readonly name: string;
  readonly image: OsImage & { readonly source: ImageSource };
  readonly checksum: string;
}

const CHECKSUMS_FIELD = 'imageChecksums';
const checksumPath = (name: string) => `${CHECKSUMS_FIELD}.${name}`;

/** Whether a site input path is an image checksum (not a hardware fact). */
export const isImageChecksumPath = (path: string): boolean => path.startsWith(`${CHECKSUMS_FIELD}.`);

/** The images the services' guests boot from, by name, sorted. */
export function usedImageNames(services: readonly NormalizedService[]): string[] {
  return [...new Set(services.flatMap((s) => s.guests.map((g) => g.os)))].sort();
}

function downloadable(site: Site, name: string): (OsImage & { readonly source: ImageSource }) | undefined {
  const image = osImagesOf(site)[name];
  return image?.source ? image as OsImage & { readonly source: ImageSource } : undefined;
}

function inputFor(site: Site, name: string): UnmeasuredImageInput | undefined {
  const image = downloadable(site, name);
  const pinned = site.imageChecksums?.[name];
  if (!image || typeof pinned === 'string') return undefined;
  const how = isUnmeasured(pinned) ? pinned.unmeasured : `${image.source.checksumAlgorithm} of ${image.source.url}: ${image.source.checksumsAt}`;
  return { kind: 'image-checksum', path: checksumPath(name), how, image: { name, url: image.source.url, algorithm: image.source.checksumAlgorithm } };
}

/** The unpinned checksums of the downloadable images the guests use, and of any the site marks unmeasured. By image name. */
export function imageChecksumInputs(site: Site, services: readonly NormalizedService[]): UnmeasuredImageInput[] {
  const marked = Object.entries(site.imageChecksums ?? {}).filter(([, v]) => isUnmeasured(v)).map(([name]) => name);
  return [...new Set([...usedImageNames(services), ...marked])].sort()
    .flatMap((name) => inputFor(site, name) ?? []);
}

/** The image checksums this service's guests wait for. */
export function serviceImageInputs(site: Site, service: NormalizedService): UnmeasuredImageInput[] {
  return usedImageNames([service]).flatMap((name) => inputFor(site, name) ?? []);
}

/** The downloadable image a guest boots from, with its checksum, once the site pins it. */
export function pinnedImage(site: Site, name: string): PinnedImage | undefined {
  const image = downloadable(site, name);
  const checksum = measuredValue(site.imageChecksums?.[name]);
  return image && checksum !== undefined ? { name, image, checksum } : undefined;
}
