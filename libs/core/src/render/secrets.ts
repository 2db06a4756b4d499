/**
 * How rendered files refer to secrets, and how a literal secret is recognised.
 *
 * Two reference forms exist: Ansible's `{{ lookup('ansible.builtin.env', 'NAME') }}`, resolved on
 * the deploy machine when the file is templated onto the host, and Compose's `${NAME}`, resolved
 * from the stack's 0600 `.env` file (itself written with lookups).
 */

const LOOKUP = /lookup\(\s*['"](?:ansible\.builtin\.)?env['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)/g;
// `$${X}` is Compose's escape for a literal `${X}` (evaluated in the container), not a reference.
const COMPOSE_VAR = /(?<!\$)\$\{([A-Z][A-Z0-9_]*)(?:[:?-][^}]*)?\}/g;

/** The Ansible expression that reads environment variable `name` at deploy time. */
export function envRef(name: string): string {
  return `{{ lookup('ansible.builtin.env', '${name}') }}`;
}

/** Compose interpolation of a variable from the stack's `.env`. */
export function composeRef(name: string): string {
  return `\${${name}:?${name} must be set in .env}`;
}

/** References that Ansible resolves into the file itself: such a file holds the secret on disk. */
export function findLookupReferences(content: string): string[] {
  return [...new Set([...content.matchAll(LOOKUP)].map((m) => m[1]!))].sort();
}

export function findEnvReferences(content: string): string[] {
  const names = new Set<string>();
  for (const m of content.matchAll(LOOKUP)) names.add(m[1]!);
  for (const m of content.matchAll(COMPOSE_VAR)) names.add(m[1]!);
  return [...names].sort();
}

const SECRET_KEY = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|preshared[_-]?key|psk|credential)s?$/i;
/** Any `*_KEY`, `*-key`, `*.key`, `*Key` (ENCRYPTION_KEY, SECRET_KEY, signingKey), except public keys, which are not secrets. */
const KEY_SUFFIX = /(?:[_.-](?:key|Key|KEY)|[a-z0-9]Key)s?$/;
const PUBLIC_KEY = /public[_.-]?key$/i;

/** A key whose value is a secret by its name. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || (KEY_SUFFIX.test(key) && !PUBLIC_KEY.test(key));
}
/** `key: value`, `key = value`, `KEY=value`, `"key": "value"`. */
const ASSIGNMENT = /^\s*(?:-\s*)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;

export interface SecretLiteral {
  readonly line: number;
  readonly key: string;
  /** Never the value itself: secrets must not reach logs. */
  readonly masked: string;
}

export function findSecretLiterals(content: string): SecretLiteral[] {
  const found: SecretLiteral[] = [];
  content.split('\n').forEach((text, i) => {
    if (/^\s*#/.test(text)) return;
    const m = ASSIGNMENT.exec(text);
    if (!m) return;
    const key = m[1]!;
    const value = m[2]!.replace(/^["']|["']$/g, '');
    if (!isSecretKey(key) || isNotALiteral(key, value)) return;
    found.push({ line: i + 1, key, masked: `${'*'.repeat(Math.min(value.length, 8))} (${value.length} chars)` });
  });
  return found;
}

/** A value under `key` that is a secret written out, not a reference, a path or an env var name. */
export function isLiteralSecret(key: string, value: string): boolean {
  return isSecretKey(key) && !isNotALiteral(key, value) && !/^[A-Z][A-Z0-9_]*$/.test(value);
}

function isNotALiteral(key: string, value: string): boolean {
  if (value === '' || value === '|' || value === '>' || value === '{' || value === '[') return true;
  if (/^(null|~|true|false|\d+)$/i.test(value)) return true;
  if (value.includes('{{') || value.includes('${') || value.startsWith('!Env') || value.startsWith('!Find') || value.startsWith('!KeyOf')) return true;
  // A path to a file that holds the secret (Docker secrets, *_FILE variables), or an env var *name*.
  if (value.startsWith('/') || /_FILE$/i.test(key) || /(env|file|path)$/i.test(key.replace(/[_-]/g, ''))) return true;
  return false;
}
