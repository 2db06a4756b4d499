/**
 * Pinned checksums for every downloadable built-in image, for fictional test sites: obviously not
 * any vendor's (one hex digit repeated, the algorithm's length), so a test about something else
 * is not held up by unpinned images, and nothing real is ever claimed.
 */
import { OS_IMAGES, type ImageChecksumAlgorithm } from '../model/os-images.ts';

const HEX_LENGTH: Readonly<Record<ImageChecksumAlgorithm, number>> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

export const FIXTURE_IMAGE_CHECKSUMS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OS_IMAGES).flatMap(([name, image]) => (image.source ? [[name, 'f'.repeat(HEX_LENGTH[image.source.checksumAlgorithm])]] : [])),
);
