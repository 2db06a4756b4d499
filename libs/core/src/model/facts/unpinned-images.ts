/** `facts.unpinnedImages`: the images a package cannot pin, each with the reason (rule image-tags). */
import { z } from 'zod';
import { defineFact } from './fact.ts';

/** A reason is a sentence, not a placeholder: "why" or "tbd" says nothing to the next reader. */
const MIN_REASON_LENGTH = 10;

export const unpinnedImagesSchema = z.record(z.string().min(1), z.string())
  .meta({ id: 'UnpinnedImagesFact', description: 'Image as written in a rendered file → why it cannot carry a version tag or digest (rule image-tags).' });

export const unpinnedImagesFact = defineFact({
  key: 'unpinnedImages',
  schema: unpinnedImagesSchema,
  code: 'UnpinnedImageWithoutReason',
  fix: 'Write facts.unpinnedImages = { "<image as written>": "<why it cannot be pinned, in a sentence>" }.',
  check: (v, report) => {
    for (const [image, reason] of Object.entries(v)) {
      if (reason.trim().length < MIN_REASON_LENGTH) {
        report([image], 'an unpinned image is allowed only with the reason it cannot be pinned', reason, `Give the reason in a sentence of at least ${MIN_REASON_LENGTH} characters (e.g. "upstream publishes only latest").`);
      }
    }
  },
});
