/**
 * Secret values out of everything deploy stores or prints. A tool may echo a secret it was given
 * (a provider error quoting its request, a failing task printing its variables): before a line
 * is printed and before a record or a history line is written, every known secret value in it is
 * replaced by `[redacted:NAME]`. Known: the values of the variables the services declare (their
 * secrets and env, the Proxmox provider's endpoint and token), every `TF_VAR_*` and the
 * Terraform backend's credentials. Values shorter than MIN_SECRET_LENGTH are left alone: `1`,
 * `true` or `root` would redact half the output and hide nothing.
 */
export type Scrub = (text: string) => string;

export const MIN_SECRET_LENGTH = 6;

/** Credentials of the Terraform backends (pg, http) that the tools receive. */
export const BACKEND_SECRET_ENV = ['PG_CONN_STR', 'PGPASSWORD', 'TF_HTTP_PASSWORD', 'TF_HTTP_USERNAME'] as const;

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The scrubber of `names` (their values in `env`), each variable by name. Longer values first, so
 * a secret that contains another is redacted whole.
 */
export function secretScrubber(names: Iterable<string>, env: Readonly<Record<string, string | undefined>>): Scrub {
  const byValue = new Map<string, string>();
  for (const name of [...new Set(names)].sort()) {
    const value = env[name];
    if (value === undefined) continue;
    for (const v of new Set([value, value.trim()])) {
      if (v.length >= MIN_SECRET_LENGTH && !byValue.has(v)) byValue.set(v, name);
    }
  }
  if (byValue.size === 0) return (text) => text;
  const values = [...byValue.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(values.map(regexEscape).join('|'), 'g');
  return (text) => text.replace(pattern, (match) => `[redacted:${byValue.get(match)!}]`);
}

/** Every variable of `env` whose value must never be stored: the declared ones, TF_VAR_*, backend credentials. */
export function secretNames(declared: Iterable<string>, env: Readonly<Record<string, string | undefined>>): string[] {
  return [...new Set([...declared, ...Object.keys(env).filter((n) => n.startsWith('TF_VAR_')), ...BACKEND_SECRET_ENV])].sort();
}

/** `value` with every string in it (keys stay) scrubbed. */
export function scrubDeep<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)])) as T;
  }
  return value;
}
