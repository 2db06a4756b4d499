/**
 * Secret-looking literals in a package's facts (`facts`): a value under a secret-named
 * key (`apiToken`, `ENCRYPTION_KEY`), or a URL that carries its own credential under any key.
 */
import { isLiteralSecret } from '../render/secrets.ts';
import { findSecretUrls } from './secret-urls.ts';

export interface FactLiteral {
  /** `facts.alertWebhook.url` */
  readonly path: string;
  readonly key: string;
  /** The kind of credential URL, when the literal is a URL. */
  readonly url?: string;
  readonly masked: string;
}

export function findLiteralsInFacts(value: unknown, path: string, key = ''): FactLiteral[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findLiteralsInFacts(v, `${path}[${i}]`, key));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => findLiteralsInFacts(v, `${path}.${k}`, k));
  }
  if (typeof value !== 'string') return [];
  const url = findSecretUrls(value)[0];
  if (url) return [{ path, key, url: url.kind, masked: url.masked }];
  if (key && isLiteralSecret(key, value)) return [{ path, key, masked: `${'*'.repeat(Math.min(value.length, 8))} (${value.length} chars)` }];
  return [];
}
