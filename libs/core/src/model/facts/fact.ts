/**
 * A fact: something one package states for the policy rules and the renderers of other packages
 * (the VPN kill switch of a download stack, the tunnel of the VPN, the alert rules a service
 * brings). Each fact is declared once, in its own module: its key under `facts`, its schema (the
 * type its readers get, and the generated JSON Schema), the code of every problem with it, and
 * what to write instead. Readers get only facts that parsed, so none of them checks a shape again.
 */
import type { z } from 'zod';
import type { ProblemCollector } from '../collector.ts';
import { reportSchemaProblems } from '../schema-problems.ts';
import { formatPath, type ValuePath } from '../schema-path.ts';

export const FACTS_KEY = 'facts';

/** Reports a problem of a fact that has its shape, at a path inside the fact. */
export type FactReport = (at: ValuePath, message: string, received: unknown, fix?: string) => void;

export interface Fact<S extends z.ZodType = z.ZodType> {
  /** The key under `facts`, e.g. `killSwitch`. */
  readonly key: string;
  readonly schema: S;
  /** The code of every problem with this fact, e.g. `InvalidKillSwitch`. */
  readonly code: string;
  /** What to write instead, with an example of the fact. */
  readonly fix: string;
  /** Checks beyond the shape on a value that has it; `definition` is the whole service definition. */
  readonly check?: (value: z.output<S>, report: FactReport, definition: Readonly<Record<string, unknown>>) => void;
}

export function defineFact<S extends z.ZodType>(fact: Fact<S>): Fact<S> {
  return fact;
}

/** The field path of a place inside a fact: `facts.killSwitch.clients[0]`. */
export function factPath(key: string, at: ValuePath = []): string {
  return formatPath([FACTS_KEY, key, ...at]);
}

/**
 * Parses one fact: every problem is reported with the fact's code (unknown keys are left to the
 * definition's own schema pass, which names the closest valid key). Returns the fact when it is
 * sound, else undefined.
 */
export function parseFact<S extends z.ZodType>(fact: Fact<S>, value: unknown, definition: Readonly<Record<string, unknown>>, out: ProblemCollector): z.output<S> | undefined {
  const result = fact.schema.safeParse(value);
  if (!result.success) {
    reportSchemaProblems(fact.schema, value, out, {
      shapeCode: fact.code, subject: factPath(fact.key), reference: `the ${fact.key} fact`, under: factPath(fact.key), fix: fact.fix, skipUnknownKeys: true,
    }, []);
    return undefined;
  }
  let sound = true;
  fact.check?.(result.data, (at, message, received, fix) => {
    sound = false;
    out.report(factPath(fact.key, at), fact.code, message, received, fix ?? fact.fix);
  }, definition);
  // The value as written, not zod's copy: key order is the author's, so rendered files keep it.
  return sound ? (value as z.output<S>) : undefined;
}

/** The indexes of the entries whose key an earlier entry already has: the ones to report as listed twice. */
export function repeatedIndexes<T>(items: readonly T[], keyOf: (item: T) => unknown): Set<number> {
  const seen = new Set<unknown>();
  const repeated = new Set<number>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) repeated.add(i);
    else seen.add(key);
  });
  return repeated;
}
