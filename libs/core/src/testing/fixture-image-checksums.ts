/**
 * Pinned checksums for every downloadable built-in image, for fictional test sites: obviously not
 * any vendor's (one hex digit repeated, the algorithm's length), so a test about something else
 * is not held up by unpinned images, and nothing real is ever claimed.
 */
import { DIGEST_HEX_LENGTH, OS_IMAGES } from '../model/os-images.ts';

export const FIXTURE_IMAGE_CHECKSUMS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OS_IMAGES).flatMap(([name, image]) => (image.source ? [[name, 'f'.repeat(DIGEST_HEX_LENGTH[image.source.checksumAlgorithm])]] : [])),
);
