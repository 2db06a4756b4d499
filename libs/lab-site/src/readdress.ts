/**
 * Moves a site onto other addresses and another domain: every string of the site, at any depth,
 * with each `from` replaced by its `to`. A structural copy (objects and arrays rebuilt), so the
 * source site is left as it is and an `unmeasured(…)` input stays an unmeasured input.
 */
export interface Readdressing {
  /** Pairs applied in order, each to the result of the one before. */
  readonly replace: readonly (readonly [from: string, to: string])[];
}

export function readdress<T>(value: T, mapping: Readdressing): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [from, to] of mapping.replace) out = out.replaceAll(from, to);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((item) => readdress(item, mapping)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [readdress(key, mapping), readdress(item, mapping)])) as T;
  }
  return value;
}
