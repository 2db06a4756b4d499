/**
 * Turns Ajv's error list into a few readable issues.
 *
 * With `allErrors`, a failed `oneOf`/`anyOf` reports the errors of every alternative: a blueprint
 * entry with one wrong field yields a hundred "must be equal to constant" errors (one per model the
 * entry is not), and a Terraform number written as a string yields "must be integer", "must match
 * pattern" and "must be null" at once. For each failed union we therefore pick the alternative the
 * value was meant to match and report only its errors:
 *
 * 1. Screen every alternative without running it: wrong JSON type or a wrong constant at the
 *    root rules it out; a wrong discriminator property (`model`, `kind`: a `const` or one-value
 *    `enum`), missing required properties and unknown properties make it less likely.
 * 2. Re-validate only the most likely alternatives (Ajv compiles that subschema once, on first
 *    use) and keep the one with the fewest, deepest errors; recurse into its own unions.
 * 3. When the value as a whole fits no alternative, say what each alternative wants
 *    (`must be integer; or must match pattern "\$\{"`).
 *
 * Where this cannot apply (a subschema that cannot be located), the deepest errors inside the
 * union are kept: they are the most specific.
 */
import type { ErrorObject } from 'ajv';
import { escapePointer, unescapePointer, type CompiledSchema } from './schema-registry.ts';

/** One schema violation; the caller turns it into a Problem with source and code. */
export interface SchemaIssue {
  /** JSON pointer into the validated document. */
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
  readonly received?: unknown;
  readonly fix: string;
}

const MAX_ALTERNATIVES_TO_RUN = 8;
const MAX_UNION_NESTING = 16;

interface Context {
  readonly compiled: CompiledSchema;
}

/** Readable, de-duplicated issues for the errors of `compiled.validate`. */
export function explainSchemaErrors(compiled: CompiledSchema, errors: readonly ErrorObject[]): SchemaIssue[] {
  let issues = simplify({ compiled }, errors, '', MAX_UNION_NESTING);
  if (issues.length === 0 && errors.length > 0) issues = errors.map((e) => issueOf(e, ''));
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Ajv appends the errors of a union's alternatives just before the union's own error, all at or
 * below its instance path; walking backwards, that run is the union's block and is replaced by
 * the explanation of the chosen alternative.
 */
function simplify(ctx: Context, errors: readonly ErrorObject[], base: string, nesting: number): SchemaIssue[] {
  const chunks: SchemaIssue[][] = [];
  for (let i = errors.length - 1; i >= 0;) {
    const e = errors[i]!;
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      let j = i - 1;
      while (j >= 0 && isWithin(errors[j]!.instancePath, e.instancePath)) j--;
      chunks.push(explainUnion(ctx, e, errors.slice(j + 1, i), base, nesting));
      i = j;
      continue;
    }
    // `if` only says "must match then schema"; the errors of `then`/`else` carry the detail.
    if (e.keyword !== 'if') chunks.push([issueOf(e, base)]);
    i--;
  }
  return chunks.reverse().flat();
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

interface Screened {
  readonly index: number;
  /** Set when the alternative is ruled out: what it wants instead. */
  readonly ruledOut?: string;
  readonly ruledOutBy?: 'type' | 'const';
  readonly types: readonly string[];
  /** Lower is likelier. */
  readonly score: number;
  readonly discriminators: readonly { readonly key: string; readonly allowed: unknown }[];
}

function explainUnion(ctx: Context, e: ErrorObject, block: readonly ErrorObject[], base: string, nesting: number): SchemaIssue[] {
  const path = base + e.instancePath;
  const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
  if (Array.isArray(passing)) {
    return [{
      path, keyword: e.keyword, received: truncateReceived(e.data),
      message: `must match exactly one alternative, but matches alternatives ${passing.join(' and ')}`,
      fix: 'Remove the fields that make the value fit more than one alternative.',
    }];
  }
  const branches: unknown = e.schema;
  const pointer = ctx.compiled.pointerOf(branches);
  if (nesting <= 0 || !Array.isArray(branches) || pointer === undefined) return deepest(e, block, base);

  const data: unknown = e.data;
  const screened = branches.map((branch, index) => screen(ctx.compiled.schema, branch, data, index));
  const open = screened.filter((s) => s.ruledOut === undefined);
  if (open.length === 0) return [noAlternativeFits(path, e, screened)];

  const bestScore = Math.min(...open.map((s) => s.score));
  const likeliest = open.filter((s) => s.score === bestScore);
  const discriminator = sharedDiscriminator(likeliest);
  if (discriminator !== undefined) return [discriminatorIssue(path, data, discriminator, screened)];
  if (likeliest.length > MAX_ALTERNATIVES_TO_RUN) return deepest(e, block, base);

  const runs: { readonly screened: Screened; readonly errors: ErrorObject[] }[] = [];
  for (const s of likeliest) {
    const validate = ctx.compiled.subschema(`${pointer}/${s.index}`);
    if (!validate) return deepest(e, block, base);
    // Copy at once: a nested union may run the same validator again and replace `.errors`.
    const errors = validate(data) ? [] : [...(validate.errors ?? [])];
    if (errors.length === 0) return deepest(e, block, base);
    runs.push({ screened: s, errors });
  }
  runs.sort((a, b) => a.errors.length - b.errors.length || maxDepth(b.errors) - maxDepth(a.errors) || a.screened.index - b.screened.index);
  const explained = runs.map((r) => ({ index: r.screened.index, issues: simplify(ctx, r.errors, path, nesting - 1) }));
  const winner = explained[0]!;
  if (!winner.issues.every((i) => i.path === path)) return winner.issues;

  // The value as a whole fits none of the alternatives: list what each one wants.
  const wants = new Map<number, string>();
  for (const s of screened) if (s.ruledOut !== undefined) wants.set(s.index, s.ruledOut);
  for (const r of explained) {
    if (r.issues.length && r.issues.every((i) => i.path === path)) wants.set(r.index, r.issues.map((i) => i.message).join(' and '));
  }
  if (wants.size <= 1) return winner.issues;
  const messages = unique([...wants.entries()].sort(([a], [b]) => a - b).map(([, m]) => m));
  return [{
    path, keyword: e.keyword, received: truncateReceived(data),
    message: listAlternatives(messages),
    fix: 'Change the value to one of the allowed forms.',
  }];
}

function listAlternatives(messages: readonly string[]): string {
  const shown = messages.slice(0, 6);
  const more = messages.length > shown.length ? ` (+${messages.length - shown.length} more)` : '';
  return `${shown.join('; or ')}${more}`;
}

/** The union's inner errors at the greatest depth, or the union error itself. */
function deepest(e: ErrorObject, block: readonly ErrorObject[], base: string): SchemaIssue[] {
  const inner = block.filter((b) => b.keyword !== 'oneOf' && b.keyword !== 'anyOf' && b.keyword !== 'if');
  if (inner.length === 0) return [issueOf(e, base)];
  const depth = maxDepth(inner);
  return inner.filter((b) => depthOf(b.instancePath) === depth).map((b) => issueOf(b, base));
}

function depthOf(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length - 1;
}

function maxDepth(errors: readonly ErrorObject[]): number {
  return Math.max(0, ...errors.map((e) => depthOf(e.instancePath)));
}

function noAlternativeFits(path: string, e: ErrorObject, screened: readonly Screened[]): SchemaIssue {
  const types = unique(screened.flatMap((s) => s.types));
  if (types.length && screened.every((s) => s.ruledOutBy === 'type')) {
    return { path, keyword: 'type', received: truncateReceived(e.data), message: `must be ${joinOr(types)}`, fix: `Write a value of type ${joinOr(types)}.` };
  }
  return {
    path, keyword: e.keyword, received: truncateReceived(e.data),
    message: listAlternatives(unique(screened.map((s) => s.ruledOut ?? 'must match the alternative'))),
    fix: 'Change the value to one of the allowed forms.',
  };
}

/** All likeliest alternatives are ruled out by the same property having another constant. */
function sharedDiscriminator(likeliest: readonly Screened[]): string | undefined {
  const first = likeliest[0];
  if (!first || likeliest.length < 2) return undefined;
  for (const { key } of first.discriminators) {
    if (likeliest.every((s) => s.discriminators.some((d) => d.key === key))) return key;
  }
  return undefined;
}

function discriminatorIssue(path: string, data: unknown, key: string, screened: readonly Screened[]): SchemaIssue {
  const allowed = unique(screened.flatMap((s) => s.discriminators.filter((d) => d.key === key).map((d) => JSON.stringify(d.allowed))));
  const received = isRecord(data) ? data[key] : undefined;
  const closest = typeof received === 'string' ? closestMatch(received, allowed.map((a) => JSON.parse(a) as unknown).filter((a): a is string => typeof a === 'string')) : undefined;
  const shown = allowed.slice(0, 6).join(', ');
  const more = allowed.length > 6 ? `, ... (${allowed.length} in all)` : '';
  return {
    path: `${path}/${escapePointer(key)}`, keyword: 'const', received: truncateReceived(received),
    message: `must be one of the allowed values: ${shown}${more}`,
    fix: closest !== undefined ? `Use one of the allowed values; did you mean ${JSON.stringify(closest)}?` : 'Use one of the allowed values.',
  };
}

// ---------------------------------------------------------------------------------------------
// Screening an alternative without running it.

interface Flat {
  type?: readonly string[];
  hasConst?: boolean;
  const?: unknown;
  properties: Record<string, unknown>;
  patternProperties: string[];
  required: string[];
  closed: boolean;
}

function screen(root: Readonly<Record<string, unknown>>, branch: unknown, data: unknown, index: number): Screened {
  const flat = flatten(root, branch);
  const types = flat.type ?? [];
  if (flat.type && !flat.type.some((t) => matchesType(data, t))) {
    return { index, ruledOut: `must be ${joinOr(flat.type)}`, ruledOutBy: 'type', types, score: Infinity, discriminators: [] };
  }
  if (flat.hasConst && !deepEqual(flat.const, data)) {
    return { index, ruledOut: `must be equal to ${JSON.stringify(flat.const)}`, ruledOutBy: 'const', types, score: Infinity, discriminators: [] };
  }
  let score = 0;
  const discriminators: { key: string; allowed: unknown }[] = [];
  if (isRecord(data)) {
    for (const [key, value] of Object.entries(data)) {
      const property = flat.properties[key];
      if (property === undefined) {
        if (flat.closed && !flat.patternProperties.some((p) => safeRegExp(p)?.test(key))) score += 1;
        continue;
      }
      const p = flatten(root, property);
      if (p.hasConst && !deepEqual(p.const, value)) {
        discriminators.push({ key, allowed: p.const });
        score += 3;
      }
    }
    for (const key of flat.required) if (!(key in data)) score += 1;
  }
  return { index, types, score, discriminators };
}

/** The alternatives of a union that `data` most likely means, by the screening above. */
export function likeliestAlternatives(root: Readonly<Record<string, unknown>>, branches: readonly unknown[], data: unknown): unknown[] {
  const open = branches.map((branch, index) => screen(root, branch, data, index)).filter((s) => s.ruledOut === undefined);
  if (open.length === 0) return [...branches];
  const best = Math.min(...open.map((s) => s.score));
  return open.filter((s) => s.score === best).map((s) => branches[s.index]);
}

// Subschema objects belong to exactly one schema document, so they key the cache on their own.
const flattened = new WeakMap<object, Flat>();

/** The constraints of a subschema that screening looks at, through `$ref` and `allOf`. Cached; do not mutate. */
function flatten(root: Readonly<Record<string, unknown>>, schema: unknown, hops = 0): Flat {
  if (!isRecord(schema) || hops > 32) return { properties: {}, patternProperties: [], required: [], closed: false };
  let flat = flattened.get(schema);
  if (!flat) {
    flat = flattenUncached(root, schema, hops);
    flattened.set(schema, flat);
  }
  return flat;
}

function flattenUncached(root: Readonly<Record<string, unknown>>, schema: Record<string, unknown>, hops: number): Flat {
  const flat: Flat = { properties: {}, patternProperties: [], required: [], closed: false };
  if (Array.isArray(schema.type)) flat.type = schema.type.map(String);
  else if (typeof schema.type === 'string') flat.type = [schema.type];
  if ('const' in schema) {
    flat.hasConst = true;
    flat.const = schema.const;
  } else if (Array.isArray(schema.enum) && schema.enum.length === 1) {
    flat.hasConst = true;
    flat.const = schema.enum[0];
  }
  if (isRecord(schema.properties)) Object.assign(flat.properties, schema.properties);
  if (isRecord(schema.patternProperties)) flat.patternProperties.push(...Object.keys(schema.patternProperties));
  if (Array.isArray(schema.required)) flat.required.push(...schema.required.map(String));
  if (schema.additionalProperties === false || schema.unevaluatedProperties === false) flat.closed = true;
  const parts: unknown[] = [];
  if (typeof schema.$ref === 'string') parts.push(resolveLocalRef(root, schema.$ref));
  if (Array.isArray(schema.allOf)) parts.push(...schema.allOf);
  for (const part of parts) {
    const inner = flatten(root, part, hops + 1);
    flat.type ??= inner.type;
    if (!flat.hasConst && inner.hasConst) {
      flat.hasConst = true;
      flat.const = inner.const;
    }
    for (const [k, v] of Object.entries(inner.properties)) if (!(k in flat.properties)) flat.properties[k] = v;
    flat.patternProperties.push(...inner.patternProperties);
    flat.required.push(...inner.required);
    flat.closed ||= inner.closed;
  }
  return flat;
}

/** `#/definitions/x` inside the same document; undefined for anything else. */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === '') return root;
  let node: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    if (!isRecord(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[unescapePointer(segment)];
  }
  return node;
}

export function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null': return value === null;
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'string': return typeof value === 'string';
    case 'array': return Array.isArray(value);
    case 'object': return isRecord(value);
    default: return true;
  }
}

// ---------------------------------------------------------------------------------------------
// One Ajv error as an issue.

function issueOf(e: ErrorObject, base: string): SchemaIssue {
  const p = e.params as Record<string, unknown>;
  let path = base + e.instancePath;
  let received: unknown = e.data;
  let message = e.message ?? `fails "${e.keyword}"`;
  let fix = 'Check the value against the schema.';
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(p.additionalProperty ?? p.unevaluatedProperty);
      path += `/${escapePointer(name)}`;
      received = isRecord(e.data) ? e.data[name] : undefined;
      message = `must NOT have ${e.keyword === 'additionalProperties' ? 'additional' : 'unevaluated'} properties: ${JSON.stringify(name)}`;
      fix = 'Remove the property or check the schema for the right name.';
      break;
    }
    case 'required':
      received = undefined;
      message = `must have required property ${JSON.stringify(p.missingProperty)}`;
      fix = `Add the ${JSON.stringify(p.missingProperty)} property.`;
      break;
    case 'dependencies':
    case 'dependentRequired':
      received = undefined;
      message = `must have property ${JSON.stringify(p.missingProperty)} when property ${JSON.stringify(p.property)} is present`;
      fix = `Add ${JSON.stringify(p.missingProperty)} or remove ${JSON.stringify(p.property)}.`;
      break;
    case 'type': {
      const types = String(p.type).split(',');
      message = `must be ${joinOr(types)}`;
      fix = `Write a value of type ${joinOr(types)}.`;
      break;
    }
    case 'enum': {
      const values = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      const shown = values.slice(0, 12).map((v) => JSON.stringify(v)).join(', ');
      message = `must be equal to one of the allowed values: ${shown}${values.length > 12 ? `, ... (${values.length} in all)` : ''}`;
      const closest = typeof e.data === 'string' ? closestMatch(e.data, values.filter((v): v is string => typeof v === 'string')) : undefined;
      fix = closest !== undefined ? `Use one of the allowed values; did you mean ${JSON.stringify(closest)}?` : 'Use one of the allowed values.';
      break;
    }
    case 'const':
      message = `must be equal to ${JSON.stringify(p.allowedValue)}`;
      fix = `Write ${JSON.stringify(p.allowedValue)}.`;
      break;
    case 'pattern':
    case 'format':
      fix = 'Write the value in the expected format.';
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      fix = 'Bring the value into the allowed range.';
      break;
    case 'minLength':
    case 'maxLength':
      fix = 'Change the length of the value to fit the limit.';
      break;
    case 'minItems':
    case 'maxItems':
    case 'uniqueItems':
    case 'contains':
    case 'minContains':
    case 'maxContains':
      fix = 'Change the list to fit the limit.';
      break;
    case 'minProperties':
    case 'maxProperties':
      fix = 'Change the number of properties to fit the limit.';
      break;
    case 'propertyNames':
      message = `property name ${JSON.stringify(p.propertyName)} is invalid`;
      received = p.propertyName;
      fix = 'Rename the property.';
      break;
    case 'not':
      fix = 'Remove or change the value: the schema forbids this form.';
      break;
    case 'false schema':
      message = 'is not allowed here';
      fix = 'Remove the value.';
      break;
    case 'oneOf':
    case 'anyOf':
      message = 'must match one of the allowed forms';
      fix = 'Change the value to one of the allowed forms.';
      break;
    default:
      break;
  }
  return { path, keyword: e.keyword, message, received: truncateReceived(received), fix };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const MAX_RECEIVED_CHARS = 200;

/** Small values as they are; big ones as a truncated JSON string, so reports stay small. */
export function truncateReceived(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.length > MAX_RECEIVED_CHARS ? `${value.slice(0, MAX_RECEIVED_CHARS - 3)}...` : value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return String(value);
  }
  if (text === undefined || text.length <= MAX_RECEIVED_CHARS) return value;
  return `${text.slice(0, MAX_RECEIVED_CHARS - 3)}...`;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The candidate nearest to `text` by edit distance, if it is plausibly a typo of it. */
function closestMatch(text: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(text.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance > 0 && bestDistance <= Math.max(2, Math.floor(text.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
