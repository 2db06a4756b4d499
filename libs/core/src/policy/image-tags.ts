import { parseAllDocuments } from 'yaml';
import { ProblemCollector } from '../model/collector.ts';
import { factPath } from '../model/facts/fact.ts';
import { unpinnedImagesFact } from '../model/facts/unpinned-images.ts';
import type { Problem } from '../model/problem.ts';
import { asRecord, filePath, isRecord } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

const UNPINNED_IMAGES_KEY = unpinnedImagesFact.key;

/**
 * Container images are pinned: a tag that is not `latest`, or a digest. An unpinned image changes
 * under the same definition, so "unchanged" in the plan would not mean unchanged on the host.
 * A package that cannot pin an image (upstream publishes only `latest`) declares it in
 * `facts.unpinnedImages` with the reason (parsed with the other facts: UnpinnedImageWithoutReason).
 */
export const imageTagsRule: PolicyRule = {
  name: 'image-tags',
  phase: 'rendered',
  codes: ['UnpinnedImage', 'UnusedImageException'],
  description: 'Compose and Kubernetes images carry a tag other than latest (or a digest); a deliberate exception is declared in facts.unpinnedImages with its reason.',
  check: ({ services, files }) => {
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      const exceptions = s.facts.unpinnedImages ?? {};
      {
        const used = new Set<string>();
        for (const f of files?.get(s.name) ?? []) {
          if (f.format !== 'compose' && f.format !== 'kubernetes') continue;
          for (const { keys, image } of imagesIn(f.content)) {
            if (isPinned(image)) continue;
            if (image in exceptions) { used.add(image); continue; }
            out.report(filePath(f, ...keys), 'UnpinnedImage', `image "${image}" ${image.includes(':') ? 'is tagged latest' : 'has no tag'}, so the same definition can run different software tomorrow`, image, `Pin a version tag or a digest (name:1.2.3 or name@sha256:...), or declare it in facts.${UNPINNED_IMAGES_KEY} with the reason.`);
          }
        }
        // A partial synth (`--service X`) renders only some services: an unrendered one has no files to judge.
        const rendered = files?.has(s.name) ?? false;
        for (const image of Object.keys(exceptions)) {
          if (rendered && !used.has(image)) out.report(factPath(UNPINNED_IMAGES_KEY, [image]), 'UnusedImageException', 'the exception names an image that no rendered file uses unpinned', image, 'Remove the exception, or correct the image name.');
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

/** `name:1.2.3`, `registry:5000/name:1.2`, `name@sha256:...`; not `name`, `name:latest`. Interpolated names are the stack's to resolve. */
export function isPinned(image: string): boolean {
  if (image.includes('${') || image.includes('{{')) return true;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const last = image.split('/').pop()!;
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

/** Every `image:` of Compose services and Kubernetes containers, with its key path inside the file. */
function imagesIn(content: string): { keys: string[]; image: string }[] {
  const found: { keys: string[]; image: string }[] = [];
  let docs: unknown[];
  try {
    docs = parseAllDocuments(content).flatMap((d) => ('errors' in d && d.errors.length ? [] : [d.toJS() as unknown]));
  } catch {
    return found; // unreadable YAML is reported by the format's own rule
  }
  const walk = (node: unknown, keys: string[]): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...keys, String(i)]));
    else if (isRecord(node)) {
      for (const [k, v] of Object.entries(asRecord(node))) {
        if (k === 'image' && typeof v === 'string') found.push({ keys: [...keys, k], image: v });
        else walk(v, [...keys, k]);
      }
    }
  };
  docs.forEach((d) => walk(d, []));
  return found;
}
