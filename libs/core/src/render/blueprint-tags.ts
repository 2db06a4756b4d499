/**
 * Authentik blueprint YAML tags, parsed: the custom tags (`!KeyOf`, `!Find`, `!Env`, `!Context`,
 * `!Format`, `!If`, `!Enumerate`, ...; the list is Authentik's `BlueprintLoader` in
 * `authentik/blueprints/v1/common.py`) become `BlueprintTag` values, their arguments checked the way
 * Authentik's constructors read them. The policy reads blueprints with these tags; validation
 * replaces them by placeholders (validate/blueprint-tags.ts).
 */
import type { CollectionTag, ScalarTag, Tags } from 'yaml';

/** A tag as written in the blueprint, before Authentik resolves it. */
export class BlueprintTag {
  constructor(readonly tag: string, readonly args: unknown) {}

  toString(): string {
    return `${this.tag} ${JSON.stringify(this.args)}`;
  }
}

/** Tags that take a scalar (`!KeyOf provider`). */
const SCALAR_TAGS = ['!KeyOf', '!Env', '!File', '!Context', '!ParseJSON', '!Index', '!Value'] as const;
/** Tags that take a sequence (`!Find [model, [field, value]]`). */
const SEQUENCE_TAGS = ['!Find', '!FindObject', '!Format', '!Condition', '!If', '!Env', '!File', '!Context', '!Enumerate', '!AtIndex'] as const;

const CONDITION_MODES = ['AND', 'NAND', 'OR', 'NOR', 'XOR', 'XNOR'];

/** Argument checks, mirroring how Authentik's tag constructors index their node. */
function checkSequence(tag: string, args: readonly unknown[]): string | undefined {
  switch (tag) {
    case '!Find':
    case '!FindObject':
      if (args.length < 1) return `${tag} needs a model name first, e.g. ${tag} [authentik_flows.flow, [slug, my-flow]]`;
      if (args.slice(1).some((c) => !Array.isArray(c) || c.length !== 2)) return `${tag} conditions must be [field, value] pairs`;
      return undefined;
    case '!Format':
      return args.length < 1 ? '!Format needs a format string first, e.g. !Format ["%s-app", !Env NAME]' : undefined;
    case '!Condition':
      if (args.length < 2) return '!Condition needs a mode and at least one value, e.g. !Condition [AND, true, !Env X]';
      return typeof args[0] === 'string' && !CONDITION_MODES.includes(args[0].toUpperCase()) ? `!Condition mode must be one of ${CONDITION_MODES.join(', ')}` : undefined;
    case '!If':
      return args.length !== 1 && args.length !== 3 ? '!If takes [condition] or [condition, when_true, when_false]' : undefined;
    case '!Enumerate':
      if (args.length !== 3) return '!Enumerate takes [iterable, SEQ|MAP, item_body]';
      return typeof args[1] === 'string' && !['SEQ', 'MAP'].includes(args[1].toUpperCase()) ? '!Enumerate output must be SEQ or MAP' : undefined;
    case '!AtIndex':
      return args.length !== 2 && args.length !== 3 ? '!AtIndex takes [object, index] or [object, index, default]' : undefined;
    case '!Env':
    case '!File':
    case '!Context':
      return args.length !== 2 ? `${tag} in sequence form takes [key, default]` : undefined;
    default:
      return undefined;
  }
}

/** Custom tags for the `yaml` parser. A tag used with the wrong node kind stays unresolved (an error). */
export const BLUEPRINT_YAML_TAGS: Tags = [
  ...SCALAR_TAGS.map((tag): ScalarTag => ({
    tag,
    resolve(value, onError) {
      if ((tag === '!Index' || tag === '!Value') && !/^\d+$/.test(value.trim())) onError(`${tag} takes a depth (a non-negative integer), got ${JSON.stringify(value)}`);
      return new BlueprintTag(tag, value);
    },
  })),
  ...SEQUENCE_TAGS.map((tag): CollectionTag => ({
    tag,
    collection: 'seq',
    resolve(seq, onError) {
      let args: unknown[] = [];
      try {
        args = seq.toJSON() as unknown[];
      } catch {
        // Aliases cannot be resolved outside the document: keep the tag, skip the argument checks.
        return new BlueprintTag(tag, undefined);
      }
      const error = checkSequence(tag, args);
      if (error) onError(error);
      return new BlueprintTag(tag, args);
    },
  })),
];
