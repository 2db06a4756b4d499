/**
 * The schemas declare shapes once; the types the packages use are inferred from them and made
 * readonly all the way down here, so that a definition stays immutable to the code that reads it.
 * Functions are kept as they are (a render callback is not data).
 */
import type { z } from 'zod';

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The type a schema declares: what a definition may be written as, readonly. */
export type Declared<S extends z.ZodType> = DeepReadonly<z.input<S>>;
