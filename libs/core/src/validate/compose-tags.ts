/**
 * The two YAML tags Compose defines for merging files: `!reset` removes the value (and, in one
 * file, the key), `!override` replaces instead of merging. Validation sees what compose-go would:
 * reset keys removed, overridden values as written.
 */
import { parse, type CollectionTag, type ScalarTag, type Tags } from 'yaml';

const RESET = Symbol('compose !reset');

export const COMPOSE_YAML_TAGS: Tags = [
  { tag: '!reset', resolve: () => RESET } satisfies ScalarTag,
  { tag: '!reset', collection: 'seq', resolve: () => RESET } satisfies CollectionTag,
  { tag: '!reset', collection: 'map', resolve: () => RESET } satisfies CollectionTag,
  // A scalar keeps the type it would have untagged (`!override 5` is the number 5).
  { tag: '!override', resolve: (value: string) => parse(value) as unknown } satisfies ScalarTag,
  { tag: '!override', collection: 'seq', resolve: (seq) => seq } satisfies CollectionTag,
  { tag: '!override', collection: 'map', resolve: (map) => map } satisfies CollectionTag,
];

/** Removes `!reset` values: keys from mappings, items from sequences. */
export function dropComposeResets(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== RESET).map(dropComposeResets);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== RESET) out[k] = dropComposeResets(v);
    return out;
  }
  return value === RESET ? null : value;
}
