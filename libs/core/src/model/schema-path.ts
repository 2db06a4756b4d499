/**
 * Walks a zod schema along a value path (`['routes', 0]`), to learn which keys are valid at a
 * place, and renders such a path the way problems name fields (`routes[0].auth`).
 */
import { z } from 'zod';

export type ValuePath = readonly PropertyKey[];

/** The schema that describes the value at `path`, or undefined where the schema says nothing. */
export function schemaAt(schema: z.ZodType, path: ValuePath): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    const inner: z.ZodType | undefined = current === undefined ? undefined : unwrap(current);
    if (inner instanceof z.ZodObject) current = (inner.shape as Record<string, z.ZodType>)[String(key)];
    else if (inner instanceof z.ZodArray) current = inner.element as z.ZodType;
    else if (inner instanceof z.ZodRecord) current = inner.valueType as z.ZodType;
    else return undefined;
  }
  return current === undefined ? undefined : unwrap(current);
}

/** The keys an object schema at `path` accepts, in declaration order; [] when it is not an object. */
export function keysAt(schema: z.ZodType, path: ValuePath): string[] {
  const at = schemaAt(schema, path);
  return at instanceof z.ZodObject ? Object.keys(at.shape as object) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodReadonly || s instanceof z.ZodDefault) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/** `['routes', 0, 'auth']` → `routes[0].auth`; a key that is not a plain word is quoted. */
export function formatPath(path: ValuePath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (PLAIN_KEY.test(String(key))) text += text === '' ? String(key) : `.${String(key)}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}
