/**
 * Authentik blueprint YAML tags, read for schema validation.
 *
 * Blueprints reference other objects and the environment through custom tags (`!KeyOf`, `!Find`,
 * `!Env`, `!Context`, `!Format`, `!If`, `!Enumerate`, ...; the list is Authentik's
 * `BlueprintLoader` in `authentik/blueprints/v1/common.py`). Authentik resolves them when it
 * applies the blueprint, so the file itself only says "some value goes here". The JSON schema,
 * though, describes the *resolved* values: `application.provider` is an integer primary key,
 * `provider.authorization_flow` a UUID string, `entry.conditions` a list of booleans. A tag left
 * as a string would fail those places, and dropping it would hide a misplaced one.
 *
 * So each tag is parsed into a `BlueprintTag` (checking its arguments the way Authentik's
 * constructors read them), and before validation every tag is replaced by a placeholder of the
 * type the schema expects at that exact place: `1` where an integer primary key is expected (the
 * usual target of `!KeyOf` and `!Find`), a nil-like UUID where a UUID is expected, `true` for
 * booleans, the first allowed value of an enum, and so on. `!If` is replaced by its "true"
 * branch and `!Enumerate` by a one-element list of its body, both checked recursively, so the
 * structure they produce is still validated. The placeholders only make the tags neutral: they
 * say nothing about whether the referenced object exists, which only Authentik can know.
 */
import { likeliestAlternatives, resolveLocalRef } from './schema-issues.ts';
import { BlueprintTag } from '../render/blueprint-tags.ts';

const PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';
const PLACEHOLDER_INTEGER = 1;
const PLACEHOLDER_STRING = 'placeholder';

type Root = Readonly<Record<string, unknown>>;

/**
 * Replaces every `BlueprintTag` in `value` by a placeholder of the type the schema expects there.
 * Returns the new value and the JSON pointers of the replaced tags.
 */
export function substituteBlueprintTags(value: unknown, root: Root): { value: unknown; tags: string[] } {
  if (!containsTag(value)) return { value, tags: [] };
  const tags: string[] = [];
  const result = substitute(value, [root], root, '', tags);
  return { value: result, tags };
}

function containsTag(value: unknown): boolean {
  if (value instanceof BlueprintTag) return true;
  if (Array.isArray(value)) return value.some(containsTag);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsTag);
  return false;
}

function substitute(value: unknown, schemas: readonly unknown[], root: Root, pointer: string, tags: string[]): unknown {
  if (value instanceof BlueprintTag) {
    tags.push(pointer);
    return placeholder(value, schemas, root, pointer, tags);
  }
  if (Array.isArray(value)) {
    const concrete = expand(schemas, root, value);
    return value.map((item, i) => substitute(item, childSchemas(concrete, String(i), i), root, `${pointer}/${i}`, tags));
  }
  if (isRecord(value)) {
    const concrete = expand(schemas, root, value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = substitute(item, childSchemas(concrete, key), root, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, tags);
    }
    return out;
  }
  return value;
}

function placeholder(tag: BlueprintTag, schemas: readonly unknown[], root: Root, pointer: string, tags: string[]): unknown {
  const args = Array.isArray(tag.args) ? tag.args : [];
  if (tag.tag === '!If') {
    // Authentik picks a branch at apply time; the "true" branch is checked (`!If [cond]` is a boolean).
    return args.length >= 2 ? substitute(args[1], schemas, root, pointer, tags) : true;
  }
  if (tag.tag === '!Enumerate') {
    const mode = typeof args[1] === 'string' ? args[1].toUpperCase() : 'SEQ';
    if (mode === 'MAP') return {};
    const concrete = expand(schemas, root, []);
    return [substitute(args[2], childSchemas(concrete, '0', 0), root, `${pointer}/0`, tags)];
  }
  for (const schema of expand(schemas, root, undefined)) {
    const fromSchema = valueFor(schema);
    if (fromSchema !== NO_VALUE) return fromSchema;
  }
  // Nothing in the schema constrains this place (e.g. `identifiers.pk`, `context`).
  return tag.tag === '!Condition' ? true : PLACEHOLDER_STRING;
}

const NO_VALUE = Symbol('no value');

function valueFor(schema: unknown): unknown {
  if (!isRecord(schema)) return NO_VALUE;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is string => typeof t === 'string');
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' && schema.minimum > PLACEHOLDER_INTEGER ? schema.minimum : PLACEHOLDER_INTEGER;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'null':
      return null;
    case 'string':
      switch (schema.format) {
        case 'uuid': return PLACEHOLDER_UUID;
        case 'date-time': return '1970-01-01T00:00:00Z';
        case 'date': return '1970-01-01';
        case 'email': return 'placeholder@example.invalid';
        case 'uri':
        case 'url': return 'https://placeholder.invalid/';
        default: return PLACEHOLDER_STRING;
      }
    default:
      return NO_VALUE;
  }
}

/** The concrete object/array schemas that apply to `data`: through `$ref`, `allOf` and the likeliest alternatives. */
function expand(schemas: readonly unknown[], root: Root, data: unknown, depth = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (depth > 32) return out;
  for (const schema of schemas) {
    if (!isRecord(schema)) continue;
    out.push(schema);
    const parts: unknown[] = [];
    if (typeof schema.$ref === 'string') parts.push(resolveLocalRef(root, schema.$ref));
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf);
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches)) parts.push(...(data === undefined ? branches : likeliestAlternatives(root, branches, data)));
    }
    out.push(...expand(parts, root, data, depth + 1));
  }
  return out;
}

/** Subschemas for the property `key` (or array item `index`) of the given schemas. */
function childSchemas(schemas: readonly Record<string, unknown>[], key: string, index?: number): unknown[] {
  const out: unknown[] = [];
  for (const schema of schemas) {
    if (index !== undefined) {
      const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
      if (prefix && index < prefix.length) out.push(prefix[index]);
      else if (isRecord(schema.items)) out.push(schema.items);
      else if (prefix && isRecord(schema.additionalItems)) out.push(schema.additionalItems);
      continue;
    }
    const properties = isRecord(schema.properties) ? schema.properties : {};
    if (Object.hasOwn(properties, key)) {
      out.push(properties[key]);
      continue;
    }
    let matched = false;
    if (isRecord(schema.patternProperties)) {
      for (const [pattern, sub] of Object.entries(schema.patternProperties)) {
        if (safeTest(pattern, key)) {
          out.push(sub);
          matched = true;
        }
      }
    }
    if (!matched && isRecord(schema.additionalProperties)) out.push(schema.additionalProperties);
  }
  return out;
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof BlueprintTag);
}
