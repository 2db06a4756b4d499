/**
 * Turns what a zod schema rejects in a definition into problems: an unknown key (a typo that would
 * otherwise be ignored silently) becomes `UnknownKey` with the closest valid key, and a wrong shape
 * that no hand-written check has reported (those keep their own codes) becomes the caller's code.
 */
import type { z } from 'zod';
import type { ProblemCollector } from './collector.ts';
import { closestKey } from './closest-key.ts';
import { formatPath, keysAt, type ValuePath } from './schema-path.ts';

export interface SchemaCheck {
  /** Code of a shape problem that no hand-written check reported, e.g. `InvalidSite`. */
  readonly shapeCode: string;
  /** What the schema describes, for messages: "a service definition", "the site". */
  readonly subject: string;
  /** Where a person reads the shape, e.g. "ServiceProps (schemas/homelab/service-definition.schema.json)". */
  readonly reference: string;
  /** Field path of the checked value inside its source (`files[/etc/app.ini]`). @default - the source's root */
  readonly under?: string;
  /** The fix of every shape problem, when the caller knows a better one than "change it as the reference describes". */
  readonly fix?: string;
  /** Leave unknown keys to another pass that checks the whole value (a part checked on its own). @default false */
  readonly skipUnknownKeys?: boolean;
}

export interface SchemaProblemCount {
  readonly unknownKeys: number;
  readonly shapes: number;
}

/**
 * Checks `raw` against `schema` and reports into `out`. Shape problems at (or inside, or around)
 * a path in `covered` are left out: a hand-written check has said it better already.
 */
export function reportSchemaProblems(schema: z.ZodType, raw: unknown, out: ProblemCollector, check: SchemaCheck, covered: readonly string[]): SchemaProblemCount {
  const result = schema.safeParse(raw);
  if (result.success) return { unknownKeys: 0, shapes: 0 };
  let unknownKeys = 0;
  let shapes = 0;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      if (check.skipUnknownKeys) continue;
      for (const key of issue.keys) {
        reportUnknownKey(schema, issue.path, key, out, check);
        unknownKeys++;
      }
      continue;
    }
    const path = joinPath(check.under, formatPath(issue.path));
    if (covered.some((c) => overlaps(c, path))) continue;
    const { message, fix } = describeIssue(issue, path, valueAt(raw, issue.path), check);
    out.report(path, check.shapeCode, message, receivedOf(valueAt(raw, issue.path)), check.fix ?? fix);
    shapes++;
  }
  return { unknownKeys, shapes };
}

function reportUnknownKey(schema: z.ZodType, at: ValuePath, key: string, out: ProblemCollector, check: SchemaCheck): void {
  const valid = keysAt(schema, at);
  const where = at.length === 0 ? (check.under ?? check.subject) : joinPath(check.under, formatPath(at));
  const suggestion = closestKey(key, valid);
  const fix = suggestion !== undefined
    ? `Did you mean \`${suggestion}\`? Rename the key to \`${suggestion}\`, or remove it.`
    : `Remove it; the keys of ${where} are: ${valid.join(', ')}.`;
  // The key, not its value, is what was received: a misplaced value may be a secret.
  out.report(joinPath(check.under, formatPath([...at, key])), 'UnknownKey', `"${key}" is not a key of ${where}, so it would be ignored`, key, fix);
}

function joinPath(under: string | undefined, path: string): string {
  if (!under) return path;
  return path === '' || path.startsWith('[') ? `${under}${path}` : `${under}.${path}`;
}

/** Two field paths name the same place, or one lies inside the other. */
function overlaps(a: string, b: string): boolean {
  const inside = (outer: string, inner: string) => outer === '' || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return inside(a, b) || inside(b, a);
}

function valueAt(raw: unknown, path: ValuePath): unknown {
  let v = raw;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** Scalars as they are; containers by their kind, so a whole object is not dumped into a terminal. */
function receivedOf(value: unknown): unknown {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return 'an object';
  return value;
}

const EXPECTED: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false', array: 'a list', object: 'an object', record: 'an object',
};

function describeIssue(issue: z.core.$ZodIssue, path: string, value: unknown, check: SchemaCheck): { message: string; fix: string } {
  const field = path || check.subject;
  const see = `as ${check.reference} describes it`;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (value === undefined) return { message: `${field} is required: ${expected}`, fix: `Add ${field} ${see}.` };
      return { message: `${field} must be ${expected}`, fix: `Set ${field} to ${expected} ${see}.` };
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return { message: `${field} must be one of ${values}`, fix: `Use one of: ${values}.` };
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const what = issue.origin === 'array' ? `entries` : issue.origin === 'string' ? 'characters' : '';
      return { message: `${field} must be ${bound}${what ? ` ${what}` : ''}`, fix: `Change ${field} ${see}.` };
    }
    case 'invalid_format':
      return { message: `${field} must ${issue.format === 'starts_with' ? 'start with' : 'match'} ${describeFormat(issue)}`, fix: `Change ${field} ${see}.` };
    case 'custom':
      return { message: `${field}: ${issue.message}`, fix: `Change ${field} ${see}.` };
    default:
      return { message: `${field}: ${issue.message}`, fix: `Change ${field} ${see}.` };
  }
}

function describeFormat(issue: z.core.$ZodIssueInvalidStringFormat): string {
  if ('prefix' in issue && typeof issue.prefix === 'string') return JSON.stringify(issue.prefix);
  return issue.pattern ?? issue.format;
}
