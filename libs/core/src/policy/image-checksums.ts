import { ProblemCollector } from '../model/collector.ts';
import { DIGEST_HEX_LENGTH, osImagesOf } from '../model/os-images.ts';
import type { PolicyRule } from './rule.ts';

/**
 * A pinned image checksum is the digest of the image's source, in its algorithm: PVE's
 * download-url would fail the download on a wrong one half-way through a deploy, after the
 * download itself. A checksum for a name that is not a downloadable image pins nothing (a typo).
 */
export const imageChecksumsRule: PolicyRule = {
  name: 'image-checksums',
  codes: ['ImageChecksumMalformed', 'ImageChecksumWithoutSource'],
  description: 'Every pinned image checksum is a hex digest of its image source\'s algorithm, for an image that has a source.',
  check: ({ site, siteSource }) => {
    const out = new ProblemCollector(siteSource);
    const images = osImagesOf(site);
    const downloadable = Object.keys(images).filter((name) => images[name]!.source).sort();
    for (const [name, value] of Object.entries(site.imageChecksums ?? {})) {
      const path = `imageChecksums.${name}`;
      const source = images[name]?.source;
      if (!source) {
        out.report(path, 'ImageChecksumWithoutSource', `"${name}" is not an image the nodes download, so its checksum pins nothing`, name, `Use one of the downloadable images: ${downloadable.join(', ')} (or give the image a source in the site's osImages).`);
        continue;
      }
      if (typeof value !== 'string') continue;
      const length = DIGEST_HEX_LENGTH[source.checksumAlgorithm];
      if (!new RegExp(`^[0-9a-f]{${length}}$`).test(value)) {
        out.report(path, 'ImageChecksumMalformed', `not a ${source.checksumAlgorithm} digest: that is ${length} lower-case hex digits`, value, `Paste the ${source.checksumAlgorithm} of ${source.url} as published: ${source.checksumsAt}.`);
      }
    }
    return out.problems;
  },
};
